"""The event loop's lag on /metrics: what an operator watches for a handler that holds the loop."""

import asyncio
import time

import httpx
import pytest

from parlour.api import metrics
from parlour.app import create_app
from parlour.db import Database
from parlour.settings import Settings


def _lag_observed() -> tuple[float, float]:
    """(count, sum) of parlour_event_loop_lag_seconds so far."""
    samples = {s.name: s.value for m in metrics.LOOP_LAG.collect() for s in m.samples}
    return samples["parlour_event_loop_lag_seconds_count"], samples["parlour_event_loop_lag_seconds_sum"]


async def test_a_blocked_loop_shows_as_lag_on_metrics(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics, "LOOP_PROBE_SECONDS", 0.02)
    app = create_app(settings.model_copy(update={"run_jobs": False}), db=db)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.1)  # a few probes of an idle loop
        count_before, sum_before = _lag_observed()
        time.sleep(0.3)  # noqa: ASYNC251 - the point: something holds the loop's thread
        await asyncio.sleep(0.1)
        count_after, sum_after = _lag_observed()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://parlour.test"
        ) as http:
            shown = (await http.get("/metrics")).text
    assert count_after > count_before
    # The probe asleep when the loop was held woke about 0.28 s late.
    assert sum_after - sum_before >= 0.2, (sum_before, sum_after)
    assert 'parlour_event_loop_lag_seconds_bucket{le="0.5"}' in shown
