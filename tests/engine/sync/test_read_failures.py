"""When a read the worker needs fails, or no token can be had, the items wait; never a loop.

Before an update is decided the worker reads the invoices' current state from Xero; before a
write it needs a token. If either fails, what was claimed goes back to the queue with a later
time (or is held, when Xero refuses the connection), and nothing is sent twice afterwards.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from ledgerlink.store.models import Connection
from tests.engine.conftest import CUSTOM_CLIENT
from tests.engine.sync.conftest import SyncHarness, invoice


def _changed(harness: SyncHarness, count: int) -> None:
    harness.push("invoice", [invoice(n, reference=f"Changed {n}") for n in range(count)])


def test_a_failed_read_of_current_invoices_puts_the_changes_back_for_later(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(4)])
    harness.sync()
    _changed(harness, 4)
    harness.faults(
        {"kind": "error", "endpoint": "invoices", "method": "GET", "status": 500, "count": 1}
    )

    run = harness.worker().run_once()

    assert run.counts.get("calls", 0) == 1  # one GET; no second try in the same breath
    items = [i for i in harness.items() if i.version == 2]
    assert {i.state for i in items} == {"queued"}
    assert all(i.waits == 1 and i.attempts == 0 and i.error_code for i in items)
    assert all(i.not_before > harness.clock() for i in items)
    assert harness.worker().run_once().connection_id is None  # nothing due yet

    harness.sync()
    ours = harness.ours()
    assert len(ours) == 4 and set(ours.values()) == {1}
    assert harness.states() == {"done": 8}
    refs = {r.get("Reference") for r in harness.invoices()}
    assert {f"Changed {n}" for n in range(4)} <= refs


def test_a_read_xero_refuses_for_good_holds_the_changes_and_asks_for_a_reconnect(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(2)])
    harness.sync()
    _changed(harness, 2)
    # Xero refuses our token, and the custom connection's secret was made again in Xero
    harness.admin("POST", "/_sandbox/clock", {"advance_seconds": 1801})
    app = harness.server.state.config.app(CUSTOM_CLIENT)
    assert app is not None
    app.client_secret = "a-secret-made-again-in-xero"

    harness.worker().run_once()

    items = [i for i in harness.items() if i.version == 2]
    assert {i.state for i in items} == {"needs_attention"}
    assert {i.error_code for i in items} == {"CONNECTION_NEEDS_REAUTH"}
    with harness.factory() as session:
        connection = session.get(Connection, harness.connection_id)
        assert connection is not None and connection.status == "needs_reauth"
    assert harness.worker().run_once().connection_id is None  # left alone until reconnected


def test_a_token_endpoint_that_does_not_answer_delays_the_send_instead_of_holding_it(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(2)])
    harness.sync()  # reference data and a token are in hand
    harness.push("invoice", [invoice(n) for n in range(2, 5)])
    harness.clock.sleep(1790)  # our token is due for renewal; the reference data is not
    worker = harness.worker()
    worker.settings = replace(harness.settings, xero_token_url="http://127.0.0.1:9/connect/token")

    worker.run_once()

    new = [i for i in harness.items() if i.state != "done"]
    assert len(new) == 3
    assert {i.state for i in new} == {"queued"}
    assert {i.error_code for i in new} == {"XERO_UNAVAILABLE"}
    assert all(i.not_before > harness.clock() for i in new)
    assert len(harness.ours()) == 2

    harness.clock.sleep(600)
    harness.sync()
    ours = harness.ours()
    assert len(ours) == 5 and set(ours.values()) == {1}


def test_an_idle_worker_looks_again_before_a_long_lease_runs_out(harness: SyncHarness) -> None:
    """``worker --once`` beside a busy worker: it checks back every few seconds, not only
    when the other's lease would expire, so it ends soon after the other one finishes."""
    from ledgerlink.sync import leases, queue

    harness.push("invoice", [invoice(n) for n in range(2)])
    now = harness.clock()
    assert leases.acquire_lease(harness.factory, "busy", 600, now) == harness.connection_id
    queue.claim(harness.factory, harness.connection_id, "busy", 10, now, 600)
    slept: list[float] = []
    worker = harness.worker(idle_poll_seconds=5.0)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:  # the busy worker gives its items back and leaves
            worker_b = harness.worker(owner="busy")
            worker_b._return_unfinished(harness.connection_id)
            leases.release_lease(harness.factory, harness.connection_id, "busy")
        harness.clock.sleep(seconds)

    worker.sleep = sleep
    worker.run_until_idle(max_seconds=3600)

    assert slept[:3] and max(slept[:3]) <= 5.01
    assert harness.clock() - now < timedelta(seconds=60)
    assert harness.states() == {"done": 2}


def test_an_idle_worker_beside_a_busy_one_sleeps_between_looks(harness: SyncHarness) -> None:
    """The busy worker claimed part of the backlog; the rest is due but its connection is not
    ours to take: the idle worker must sleep between looks, not spin on the lease."""
    from ledgerlink.sync import leases, queue

    harness.push("invoice", [invoice(n) for n in range(6)])
    now = harness.clock()
    assert leases.acquire_lease(harness.factory, "busy", 600, now) == harness.connection_id
    queue.claim(harness.factory, harness.connection_id, "busy", 2, now, 600)
    with harness.factory() as session:
        assert leases.due_connections(session, now) == []  # held by a live worker
    looks: list[str | None] = []
    worker = harness.worker(idle_poll_seconds=5.0)
    run_once = worker.run_once

    def counted(connection_id: str | None = None) -> Any:
        result = run_once(connection_id)
        looks.append(result.connection_id)
        return result

    worker.run_once = counted  # type: ignore[method-assign]
    worker.run_until_idle(max_seconds=60)

    assert harness.states() == {"in_flight": 2, "queued": 4}  # untouched: not ours
    assert set(looks) == {None}
    assert len(looks) <= 60 / 5 + 1  # a look every idle poll, never a spin
