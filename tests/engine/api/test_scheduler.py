"""The scheduler's round: every active connection's reference data read again from the sandbox
over HTTP, only what changed since the last round, inactive connections left alone, and one
connection failing never costing the others their refresh or stopping the schedule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from sqlalchemy import update

from ledgerlink.store.models import Connection, TokenSet
from ledgerlink.sync.loops import Scheduler
from ledgerlink.sync.reference import ReferenceView
from tests.conftest import custom_token
from tests.engine.api.conftest import BOTH_DATABASES, Api
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT

pytestmark = BOTH_DATABASES
HOUR = 3600


def sandbox(api: Api, method: str, path: str, body: Any = None) -> Any:
    reply = httpx2.request(method, api.sandbox.url + path, json=body, timeout=10)
    assert reply.status_code < 300, reply.text
    return reply.json()


def put_in_xero(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A change made in Xero by someone else: a plain call with the custom connection's token."""
    reply = httpx2.put(
        f"{api.sandbox.url}/api.xro/2.0{path}",
        json=body,
        headers={
            "Authorization": f"Bearer {custom_token(api.sandbox.url)}",
            "xero-tenant-id": DEMO_TENANT,
            "Accept": "application/json",
        },
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def by_tenant(made: list[dict[str, Any]]) -> dict[str, str]:
    return {str(c["tenant_id"]): str(c["id"]) for c in made}


def api_calls(api: Api, org: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sandbox(api, "GET", f"/_sandbox/requests?tenant={org}")[
        "requests"
    ]
    return found


@pytest.fixture
def scheduler(api: Api) -> Iterator[Scheduler]:
    made = Scheduler(api.services, period=3600)
    yield made
    made.stop()


def test_a_round_brings_changes_made_in_xero_in_reading_only_what_changed(
    api: Api, scheduler: Scheduler
) -> None:
    # Xero's clock moves on first, so the seeded records are older than the refresh's overlap
    # and the second round can show that only the new records were read.
    sandbox(api, "POST", "/_sandbox/clock", {"advance_seconds": HOUR})
    key = api.workspace()
    cid = api.custom(key)

    first = scheduler.refresh_all()
    assert first.failed == {} and list(first.refreshed) == [cid]
    assert first.refreshed[cid]["contacts"] == 6
    seeded_accounts = first.refreshed[cid]["accounts"]
    assert seeded_accounts > 10

    put_in_xero(api, "/Contacts", {"Contacts": [{"Name": "Harbour Bakery"}]})
    put_in_xero(api, "/Accounts", {"Code": "4321", "Name": "Scheduled Sales", "Type": "REVENUE"})
    second = scheduler.refresh_all()

    # If-Modified-Since at work: of the filtered kinds only the two new records came back.
    counts = second.refreshed[cid]
    assert (counts["contacts"], counts["accounts"], counts["items"]) == (1, 1, 0)
    with api.services.factory() as session:
        view = ReferenceView(session, cid)
        bakery = view.contact_by_name("harbour  bakery")
        assert bakery is not None and bakery["ContactStatus"] == "ACTIVE"
        assert view.contact_by_name("Bayside Club") is not None  # kept, not re-read
        account = view.account("4321")
        assert account is not None and account["Name"] == "Scheduled Sales"
        assert len(view.accounts()) == seeded_accounts + 1
    shown = api.call("GET", f"/connections/{cid}", key).json()["reference_fetched_at"]
    assert {"accounts", "contacts", "tax_rates", "organisation"} <= set(shown)


def test_disconnected_and_switched_off_connections_are_not_read(
    api: Api, scheduler: Scheduler
) -> None:
    gone_key, off_key, on_key = api.workspace("Gone"), api.workspace("Off"), api.workspace("On")
    gone = api.custom(gone_key)
    off = api.custom(off_key)
    on = by_tenant(api.connect(on_key, tenants="uk"))[UK_TENANT]
    assert api.call("DELETE", f"/connections/{gone}", gone_key).status_code == 200
    patched = api.call("PATCH", f"/connections/{off}/settings", off_key, json={"active": False})
    assert patched.status_code == 200, patched.text
    sandbox(api, "DELETE", "/_sandbox/requests")

    done = scheduler.refresh_all()

    assert list(done.refreshed) == [on] and done.failed == {}
    assert done.switched_off == [off]
    assert api_calls(api, "demo") == []
    assert len(api_calls(api, "uk")) == 8  # the reference lists, Organisation/Actions among them
    for connection, key in ((gone, gone_key), (off, off_key)):
        shown = api.call("GET", f"/connections/{connection}", key).json()
        # Only the Organisation read when it was connected; the scheduler read nothing.
        assert set(shown["reference_fetched_at"]) <= {"organisation"}


def test_an_organisation_offline_costs_only_its_own_refresh(api: Api, scheduler: Scheduler) -> None:
    key = api.workspace()
    ids = by_tenant(api.connect(key, tenants="demo,uk"))
    demo, uk = ids[DEMO_TENANT], ids[UK_TENANT]
    sandbox(api, "POST", "/_sandbox/orgs/demo", {"offline": True})

    done = scheduler.refresh_all()

    assert list(done.refreshed) == [uk] and list(done.failed) == [demo]
    assert "503" in done.failed[demo]
    assert done.refreshed[uk]["contacts"] == 2
    with api.services.factory() as session:
        assert ReferenceView(session, uk).contact_by_name("Marine Systems Ltd") is not None
        assert ReferenceView(session, demo).all("contacts") == []
        row = session.get(Connection, demo)
        assert row is not None and row.status == "active"  # offline is temporary: no reconnect

    sandbox(api, "POST", "/_sandbox/orgs/demo", {"offline": False})
    again = scheduler.refresh_all()
    assert set(again.refreshed) == {demo, uk} and again.failed == {}
    assert again.refreshed[demo]["contacts"] == 6


def test_tokens_no_key_opens_fail_one_connection_and_the_schedule_runs_on(api: Api) -> None:
    broken_key, fine_key = api.workspace("Broken"), api.workspace("Fine")
    broken = api.custom(broken_key)
    fine = by_tenant(api.connect(fine_key, tenants="uk"))[UK_TENANT]
    with api.services.factory.begin() as session:
        row = session.get(Connection, broken)
        assert row is not None
        # As if the key that sealed these tokens were taken out of the ring too early.
        session.execute(
            update(TokenSet)
            .where(TokenSet.id == row.token_set_id)
            .values(access_token_enc=b"\x01 not sealed by any key of ours")
        )

    running = Scheduler(api.services, period=0.01)
    running.start()
    try:
        deadline = time.monotonic() + 60
        while running.rounds < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert running.rounds >= 2, "the schedule stopped after a connection failed"
        assert running.thread.is_alive()
    finally:
        running.stop()
    last = running.last
    assert last is not None
    assert list(last.refreshed) == [fine] and list(last.failed) == [broken]
    assert "LEDGERLINK_SECRET_KEYS" in last.failed[broken]
    assert last.refreshed[fine]["contacts"] == 2
