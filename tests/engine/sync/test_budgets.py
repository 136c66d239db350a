"""Budgets: a Starter-tier organisation's background sends stop at its day budget less the
reserve and are spread over the day, while a pull or a person's change still gets through;
running out waits with the time the day resets; REST, ``ledgerlink status`` and ``/metrics``
show what is left.

A compressed day (``day_seconds``) on a fake clock: nothing here waits on wall time.
"""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.api import create_app
from ledgerlink.cli.status import show_status
from ledgerlink.config import Settings
from ledgerlink.metrics import engine_registry
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection
from ledgerlink.sync.budgets import connection_budgets
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import BACKGROUND, CHANGE, PULL, Limiter, Slot, XeroLimits
from ledgerlink.xero.errors import Action, XeroBudgetExhausted
from tests.engine.xero.test_limits import FakeTime

TENANT = "starter-org"
DAY = 1000.0  # a compressed day: 1,000 seconds
STARTER = XeroLimits(per_minute=1_000_000, app_per_minute=1_000_000, day_seconds=DAY).for_tier(
    "starter"
)


def starter(factory: sessionmaker[Session], time: FakeTime) -> Limiter:
    return Limiter(factory, "app-1", STARTER, clock=time.clock, sleep=time.sleep)


def test_a_starter_backfill_stops_at_the_reserve_spread_over_the_day_and_a_change_goes_through(
    session_factory: sessionmaker[Session],
) -> None:
    assert (STARTER.per_day, STARTER.day_budget, STARTER.day_reserve) == (1000, 990, 99)
    time = FakeTime()
    lim = starter(session_factory, time)
    backfill = lim.for_purpose(BACKGROUND, backlog=5000)  # a 5,000-call backfill
    began = time.now
    started: list[float] = []
    while True:  # a backfill far larger than the day: take every call the limiter allows
        result = backfill.try_acquire(TENANT)
        if not isinstance(result, Slot):
            if time.now + result >= began + DAY:
                break
            time.now += result
            continue
        started.append(time.now)
        result.release()
    assert len(started) == 1000 - 10 - 99  # Xero's 1,000 less our margin and the reserve
    # Spread over the day, after a first burst: not spent in its first minutes.
    assert sum(1 for t in started if t < began + DAY / 4) < len(started) / 2
    assert max(started) > began + DAY * 0.8

    with pytest.raises(XeroBudgetExhausted) as waiting:
        backfill.acquire(TENANT, max_wait=30)
    assert waiting.value.reason == "reserve" and waiting.value.action is Action.WAIT
    assert waiting.value.as_error().code == "XERO_RATE_LIMITED"
    assert "the day resets at" in waiting.value.message
    assert waiting.value.resets_at == pytest.approx(began + DAY)

    # "Refresh from Xero" and a person's change use the reserve.
    lim.for_purpose(PULL).acquire(TENANT, max_wait=30).release()
    lim.for_purpose(CHANGE).acquire(TENANT, max_wait=30).release()

    time.now = began + DAY  # the day starts again
    assert isinstance(backfill.try_acquire(TENANT), Slot)


def test_a_backlog_that_fits_is_not_paced_and_xeros_count_stops_it_early(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = starter(session_factory, time)
    small = lim.for_purpose(BACKGROUND, backlog=200)
    for _ in range(200):  # at the minute's pace only: 200 calls fit in what is left today
        small.acquire(TENANT).release()
    assert sum(time.slept) < 1.0
    # Xero says the organisation has spent its day elsewhere too: 120 calls remain.
    lim.observe(TENANT, {"X-DayLimit-Remaining": "120"})
    refused = small.try_acquire(TENANT)
    assert isinstance(refused, float) and refused > DAY / 2
    time.now += 1
    assert isinstance(lim.for_purpose(CHANGE).try_acquire(TENANT), Slot)


def test_the_tier_comes_from_the_environment_and_the_workspaces_own_app(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_TIER", "gold")
    with pytest.raises(ValueError, match="tier must be one of"):
        XeroLimits.from_env()
    monkeypatch.delenv("LEDGERLINK_XERO_TIER")
    engine = Engine.open(settings, limits=XeroLimits.from_env(), migrate_schema=True)
    try:
        _, key = engine.create_workspace("Own app")
        client = TestClient(create_app(engine))
        auth = {"Authorization": f"Bearer {key}"}
        bad = client.put(
            "/api/v1/workspace/xero-app",
            json={"client_id": "own-app", "tier": "gold"},
            headers=auth,
        )
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "tier"
        made = client.put(
            "/api/v1/workspace/xero-app",
            json={"client_id": "own-app", "tier": "Starter"},
            headers=auth,
        )
        assert made.status_code == 200 and made.json()["xero_app"]["tier"] == "starter"
        assert engine.limiter("own-app").limits.per_day == 1000
        assert engine.limiter("another-app").limits.per_day == 5000
    finally:
        engine.close()


def test_rest_status_and_metrics_show_the_budget_left(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_TIER", "starter")
    engine = Engine.open(settings, limits=XeroLimits.from_env(), migrate_schema=True)
    try:
        workspace, key = engine.create_workspace("Acme")
        with transaction(engine.factory) as session:
            row = Connection(workspace_id=workspace, tenant_id=TENANT, tenant_name="Starter Org")
            session.add(row)
            session.flush()
            connection_id = row.id
        lim = engine.limiter()
        for n in range(1, 4):  # Xero counted 97 calls today before ours
            lim.acquire(TENANT).release({"X-DayLimit-Remaining": str(1000 - 97 - n)})

        client = TestClient(create_app(engine))
        reply = client.get(
            f"/api/v1/connections/{connection_id}/budget",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert reply.status_code == 200, reply.text
        budget = reply.json()
        assert budget["tier"] == "starter" and budget["day_limit"] == 1000
        assert (budget["day_used"], budget["day_left"], budget["reserve"]) == (100, 890, 99)
        assert budget["background_left"] == 791 and budget["xero_day_remaining"] == 900
        assert budget["resets_at"] is not None and budget["minute_left"] < budget["minute_limit"]
        other = client.get(
            "/api/v1/connections/nope/budget", headers={"Authorization": f"Bearer {key}"}
        )
        assert other.status_code == 404

        out = io.StringIO()
        assert show_status(settings, 5, Console(file=out, width=200)) == 0
        shown = out.getvalue()
        assert "Xero budget" in shown and "890/1000" in shown and "starter" in shown

        scraped = engine_registry(engine.factory)
        families = text_string_to_metric_families(generate_latest(scraped).decode())
        left = {
            s.labels["window"]: s.value
            for f in families
            if f.name == "ledgerlink_xero_budget_left"
            for s in f.samples
            if s.labels["connection_id"] == connection_id
        }
        assert left["day"] == 890 and left["day_background"] == 791
        assert [b.day_left for b in connection_budgets(engine.factory, engine.limits)] == [890]
    finally:
        engine.close()
