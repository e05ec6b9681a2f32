"""Business hours: a simple weekly schedule in the account's time zone.

`{"monday": [{"start": "09:00", "end": "17:30"}], …}`; a day that is absent or empty is closed;
"24:00" ends a day. The full schedules feature (holidays, several schedules per account) comes
later and will replace this.
"""

import itertools
import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from parlour.ai_agent.errors import InvalidAiSettings

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_INTERVALS_PER_DAY = 4
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Schedule = dict[str, list[dict[str, str]]]


def _minutes(value: Any, where: str) -> int:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidAiSettings(f"{where} must be a time written HH:MM, from 00:00 to 24:00")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60:
        raise InvalidAiSettings(f"{where} is after 24:00")
    return minutes


def check_schedule(value: Any) -> Schedule | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidAiSettings("businessHours must be an object of weekdays, or null")
    clean: Schedule = {}
    for day, intervals in value.items():
        if day not in DAYS:
            raise InvalidAiSettings(f"businessHours keys are weekdays ({', '.join(DAYS)}), not {day!r}")
        if not isinstance(intervals, list) or len(intervals) > MAX_INTERVALS_PER_DAY:
            raise InvalidAiSettings(
                f"businessHours.{day} is a list of at most {MAX_INTERVALS_PER_DAY} intervals"
            )
        spans: list[tuple[int, int]] = []
        for index, interval in enumerate(intervals):
            where = f"businessHours.{day}[{index}]"
            if not isinstance(interval, dict) or set(interval) != {"start", "end"}:
                raise InvalidAiSettings(f'{where} must be {{"start": "HH:MM", "end": "HH:MM"}}')
            start, end = (
                _minutes(interval["start"], f"{where}.start"),
                _minutes(interval["end"], f"{where}.end"),
            )
            if start >= end:
                raise InvalidAiSettings(f"{where} must start before it ends")
            spans.append((start, end))
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            raise InvalidAiSettings(f"businessHours.{day} has overlapping intervals")
        clean[day] = [
            {"start": i["start"], "end": i["end"]} for i in sorted(intervals, key=lambda i: i["start"])
        ]
    return clean


def _spans(schedule: Schedule, weekday: int) -> list[tuple[int, int]]:
    return [
        (_minutes(i["start"], "start"), _minutes(i["end"], "end")) for i in schedule.get(DAYS[weekday], [])
    ]


def is_open(schedule: Schedule | None, time_zone: str, at: datetime) -> bool:
    if schedule is None:
        return True
    local = at.astimezone(ZoneInfo(time_zone))
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in _spans(schedule, local.weekday()))


def next_opening(schedule: Schedule | None, time_zone: str, at: datetime) -> datetime | None:
    """When agents are next available (local time of the account), or None if never."""
    if schedule is None:
        return None
    zone = ZoneInfo(time_zone)
    local = at.astimezone(zone)
    minute = local.hour * 60 + local.minute
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        for start, _end in sorted(_spans(schedule, day.weekday())):
            if offset == 0 and start <= minute:
                continue
            return datetime.combine(day, time(start // 60, start % 60), tzinfo=zone)
    return None
