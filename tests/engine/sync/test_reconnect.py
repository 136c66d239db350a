"""When Xero cannot give the reference data, or refuses the connection, and what a reconnect does.

Stale reference data means nothing can be checked, so the due items wait with the reason on
them and a growing back-off; when Xero refuses the connection they are held and the connection
asks for a reconnect; connecting the organisation again puts exactly those items back in the
queue, and they reach Xero once.
"""

from __future__ import annotations

from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection
from ledgerlink.sync import oauth
from tests.engine.conftest import CUSTOM_CLIENT
from tests.engine.sync.conftest import SyncHarness, expense, invoice


def connection_status(harness: SyncHarness) -> str:
    with harness.factory() as session:
        row = session.get(Connection, harness.connection_id)
        assert row is not None
        return row.status


def test_reference_data_xero_cannot_give_keeps_the_items_waiting_with_the_reason(
    harness: SyncHarness,
) -> None:
    harness.faults(
        {"kind": "error", "endpoint": "accounts", "method": "GET", "status": 500, "count": None}
    )
    harness.push("invoice", [invoice(n) for n in range(3)])

    harness.worker().run_once()
    first = harness.items()
    assert {i.state for i in first} == {"queued"}
    assert all(i.waits == 1 and i.error_code for i in first), [i.error_code for i in first]
    assert all(i.not_before > harness.clock() for i in first)
    harness.clock.sleep(60)
    harness.worker().run_once()
    # Xero being down spends no attempt: the wait is counted, and the back-off grows
    assert {(i.waits, i.attempts) for i in harness.items()} == {(2, 0)}
    assert connection_status(harness) == "active"

    harness.admin("DELETE", "/_sandbox/faults")
    harness.clock.sleep(900)
    harness.sync()
    ours = harness.ours()
    assert len(ours) == 3 and set(ours.values()) == {1}


def test_a_reconnect_sends_what_was_held_because_xero_refused_the_connection(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(4)])
    harness.sync()
    # Xero refuses our token, and the custom connection's secret was made again in Xero
    harness.admin("POST", "/_sandbox/clock", {"advance_seconds": 1801})
    app = harness.server.state.config.app(CUSTOM_CLIENT)
    assert app is not None
    app.client_secret = "a-secret-made-again-in-xero"
    harness.push("invoice", [invoice(n) for n in range(4, 8)])
    harness.push("expense", [expense(n) for n in range(2)])

    harness.sync()
    held = [i for i in harness.items() if i.state == "needs_attention"]
    assert len(held) == 6 and {i.error_code for i in held} == {"CONNECTION_NEEDS_REAUTH"}
    assert connection_status(harness) == "needs_reauth"
    assert len(harness.ours()) == 4

    with transaction(harness.factory) as session:  # the person connects again, new secret
        again = oauth.connect_custom(
            session,
            harness.workspace_id,
            CUSTOM_CLIENT,
            "a-secret-made-again-in-xero",
            settings=harness.settings,
        )
    assert again.id == harness.connection_id and connection_status(harness) == "active"
    harness.sync()

    ours = harness.ours()
    assert len(ours) == 10 and set(ours.values()) == {1}
    assert harness.states() == {"done": 10}
