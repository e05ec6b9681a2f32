"""`clock.iso`: the timestamps of every API answer and event, in Sunshine Conversations' form."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from parlour.lib import clock


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 12, 6, 7, 8, 9, 123456, tzinfo=UTC), "2026-12-06T07:08:09.123Z"),
        (datetime(2026, 12, 6, 7, 8, 9, tzinfo=UTC), "2026-12-06T07:08:09.000Z"),  # always milliseconds
        (datetime(2026, 12, 6, 7, 8, 9, 999999, tzinfo=UTC), "2026-12-06T07:08:09.999Z"),  # cut, not rounded
        (datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), "2025-12-31T22:30:00.000Z"),
        (datetime(2026, 12, 6, 7, 8, 9, 5000), "2026-12-06T07:08:09.005Z"),  # naive: taken as UTC
        (datetime(2026, 12, 6, 7, 8, 9, tzinfo=timezone(timedelta(0))), "2026-12-06T07:08:09.000Z"),
    ],
)
def test_iso_writes_utc_with_milliseconds_and_a_z(moment: datetime, text: str) -> None:
    assert clock.iso(moment) == text


def test_iso_of_nothing_is_nothing() -> None:
    assert clock.iso(None) is None


def test_now_is_utc_and_iso_of_it_parses_back_to_the_millisecond() -> None:
    now = clock.now()
    assert now.tzinfo is UTC
    text = clock.iso(now)
    assert text is not None and text.endswith("Z")
    back = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert now - back < timedelta(milliseconds=1)
    assert back <= now
