"""A pay run's bills, exactly once while their sends are unresolved (invariant 2): a reply
lost after Xero applied the bills (settled by replaying the key, or by looking them up once
the key has expired), a 503, the contacts' create lost, the pay run changed before a bill's
send is settled, and the worker process killed at each step (the generation's own step too).
The sandbox's bills are the judge: one per payee, carrying the run's newest amounts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.engine.kinds.conftest import all_done
from tests.engine.payroll.bills import bills, by_contact, generations
from tests.engine.payroll.fixture import TAX_OFFICE, expected_bills, install_types, pay_run
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, fast_limits, limits_env
from tests.engine.sync.worker_process import WorkerProcess

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the bills are looked up by their Url marker


def _ready(harness: SyncHarness) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)


def _changed() -> tuple[dict[str, Any], dict[str, tuple[dict[str, str], str]]]:
    """Employee 1 paid 100.00 more (by hand: wages 2120.48, net 1718.15); nothing else moves."""
    changed = pay_run()
    changed["employees"][0]["items"][0]["amount"] = "2113.37"
    expected = expected_bills()
    expected["Employee 01"] = ({"477": "2120.48", "825": "-402.33"}, "1718.15")
    return changed, expected


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
@pytest.mark.parametrize("endpoint", ["invoices", "contacts"])
def test_bills_whose_reply_was_lost_are_each_one_bill(
    harness: SyncHarness, wait: int, endpoint: str
) -> None:
    _ready(harness)
    harness.faults({"kind": "lost_reply", "endpoint": endpoint, "method": "PUT", "count": 1})
    harness.push("pay_run", [pay_run()])
    harness.worker().run_once()  # the reply is lost: the intent stays pending
    harness.advance(wait)
    harness.sync()
    assert by_contact(harness) == expected_bills()
    assert harness.contacts_named(TAX_OFFICE) == 1
    all_done(harness)


def test_a_pay_run_changed_while_its_bills_create_got_a_503_changes_the_one_bill(
    harness: SyncHarness,
) -> None:
    _ready(harness)
    harness.faults({"kind": "error", "endpoint": "invoices", "method": "PUT", "status": 503})
    harness.push("pay_run", [pay_run()])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    changed, expected = _changed()
    harness.push("pay_run", [changed])
    harness.advance(REPLAY)
    harness.sync()
    assert by_contact(harness) == expected
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_pay_run_changed_after_its_bills_create_reply_was_lost_updates_the_one_bill(
    harness: SyncHarness, wait: int
) -> None:
    _ready(harness)
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("pay_run", [pay_run()])
    harness.worker().run_once()  # applied in Xero, reply lost
    changed, expected = _changed()
    harness.push("pay_run", [changed])
    harness.advance(wait)
    harness.sync()
    assert by_contact(harness) == expected
    all_done(harness)


def test_a_pay_run_changed_while_a_bill_update_is_unresolved_leaves_the_newest(
    harness: SyncHarness,
) -> None:
    _ready(harness)
    harness.push("pay_run", [pay_run()])
    harness.sync()
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "POST", "count": 1})
    first, _ = _changed()
    harness.push("pay_run", [first])
    harness.worker().run_once()  # the update is applied, its reply lost
    later = pay_run()  # and back to the original amounts before that is settled
    harness.push("pay_run", [later])
    harness.advance(REPLAY)
    harness.sync()
    assert by_contact(harness) == expected_bills()
    all_done(harness)


def test_a_worker_killed_at_every_step_leaves_each_bill_in_xero_once(
    harness: SyncHarness, tmp_path: Path
) -> None:
    _ready(harness)
    harness.push("pay_run", [pay_run()])
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits_env(fast_limits()))
    deaths: list[str] = []
    try:
        for point in ("bills_generated:1", "intent_written:1", "reply_received:1"):
            worker.start(pause_at=point)
            deaths.append(worker.wait_paused())
            worker.kill()
        changed, expected = _changed()
        harness.push("pay_run", [changed])  # while the killed life's bills are unresolved
        worker.start(pause_at="reply_applied:1")
        deaths.append(worker.wait_paused())
        worker.kill()
        worker.start()
        assert worker.wait() == 0, worker.log()
    finally:
        worker.stop()
    assert deaths == ["bills_generated", "intent_written", "reply_received", "reply_applied"]
    assert by_contact(harness) == expected
    assert len(bills(harness)) == 29
    all_done(harness)
    assert generations(harness)[-1].version == 2
