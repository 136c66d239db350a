"""Reference data against the sandbox: one call per kind, incremental with If-Modified-Since,
and lookups through ReferenceView that mapping and preflight rely on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import Connection, ReferenceItem, Workspace
from ledgerlink.sync.reference import ALL_KINDS, ReferenceView, normalise_name, refresh_reference
from ledgerlink.xero.client import XeroClient
from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp, custom_token

HOUR = 3600


@dataclass
class Harness:
    sandbox: RunningSandbox
    factory: sessionmaker[Session]
    connection_id: str
    client: XeroClient
    token: str = ""
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    sent: list[httpx2.Request] = field(default_factory=list)

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock on (a fresh token: the old one expires on the way)."""
        reply = httpx2.post(self.sandbox.url + "/_sandbox/clock", json={"advance_seconds": seconds})
        assert reply.status_code == 200
        self.token = custom_token(self.sandbox.url)

    @contextmanager
    def xero(self) -> Iterator[XeroHttp]:
        http = XeroHttp(self.sandbox.url, self.token, DEMO_TENANT)
        try:
            yield http
        finally:
            http.close()

    def refresh(self, **kw: object) -> dict[str, int]:
        self.calls.clear()
        self.sent.clear()
        return refresh_reference(self.factory, self.client, self.connection_id, **kw)  # type: ignore[arg-type]

    def view(self, session: Session) -> ReferenceView:
        return ReferenceView(session, self.connection_id)

    def since_header(self, path: str) -> str | None:
        found = [r for r in self.sent if r.url.path.endswith(path)]
        assert found, f"no call to {path}"
        return found[0].headers.get("If-Modified-Since")


@pytest.fixture
def harness(sandbox: RunningSandbox, session_factory: sessionmaker[Session]) -> Iterator[Harness]:
    with session_factory.begin() as session:
        workspace = Workspace(name="Reference test")
        session.add(workspace)
        session.flush()
        connection = Connection(workspace_id=workspace.id, tenant_id=DEMO_TENANT)
        session.add(connection)
        session.flush()
        connection_id = connection.id
    sent: list[httpx2.Request] = []
    http = httpx2.Client(event_hooks={"request": [sent.append]})
    holder: dict[str, Harness] = {}
    client = XeroClient(
        sandbox.url + "/api.xro/2.0",
        DEMO_TENANT,
        lambda: holder["h"].token,
        http=http,
        on_call=lambda m, p, s: holder["h"].calls.append((m, p, s)),
    )
    h = Harness(sandbox, session_factory, connection_id, client, sent=sent)
    h.token = custom_token(sandbox.url)
    holder["h"] = h
    yield h
    http.close()


def test_a_full_refresh_is_one_call_per_kind_and_fills_the_view(harness: Harness) -> None:
    counts = harness.refresh()
    assert list(counts) == list(ALL_KINDS)
    assert len(harness.calls) == 8
    assert all(status == 200 for _, _, status in harness.calls)
    assert counts["contacts"] == 6 and counts["organisation"] == 1
    assert harness.since_header("/Accounts") is None

    with harness.factory() as session:
        connection = session.get(Connection, harness.connection_id)
        assert connection is not None
        assert (connection.short_code, connection.base_currency) == ("!LLdm1", "AUD")
        view = harness.view(session)
        assert view.account("200")["Name"] == "Sales"  # type: ignore[index]
        assert view.account("9999") is None
        rate = view.tax_rate("OUTPUT")
        assert rate is not None and rate["EffectiveRate"] == Decimal("10")
        assert isinstance(rate["EffectiveRate"], Decimal | int)
        assert view.currency("usd")["Code"] == "USD"  # type: ignore[index]
        assert view.currency("JPY") is None
        bayside = view.contact_by_name("  bayside   CLUB ")
        assert bayside is not None and bayside["ContactNumber"] == "CUST-001"
        assert view.contact_by_id(bayside["ContactID"].upper()) == bayside
        assert view.contact_by_number("SUPP-001")["Name"] == "Office Supplies Co"  # type: ignore[index]
        assert view.contact_by_name("Nobody Ltd") is None
        item = view.item("WIDGET-BLUE")
        assert item is not None and item["Name"] == "Blue Widget"
        assert view.organisation()["ShortCode"] == "!LLdm1"  # type: ignore[index]
        assert {a["Code"] for a in view.accounts() if "Code" in a} >= {"200", "400", "090"}
        assert len(view.tax_rates()) == counts["tax_rates"]
        assert len(view.all("tracking")) == 2
        assert view.fetched_at("contacts") is not None


def test_an_incremental_refresh_fetches_only_what_changed(harness: Harness) -> None:
    harness.advance(HOUR)  # the seeded records are now an hour old
    harness.refresh()
    harness.advance(HOUR)
    with harness.xero() as xero:
        created = xero.put("/Contacts", {"Contacts": [{"Name": "Newcomer Pty Ltd"}]})
        assert created.status == 200, created.text
        account = next(a for a in xero.get("/Accounts").json["Accounts"] if a.get("Code") == "400")
        renamed = xero.post(
            f"/Accounts/{account['AccountID']}",
            {"Accounts": [{"AccountID": account["AccountID"], "Name": "Advertising & Promo"}]},
        )
        assert renamed.status == 200, renamed.text

    counts = harness.refresh()
    assert len(harness.calls) == 8
    assert counts["contacts"] == 1 and counts["accounts"] == 1 and counts["items"] == 0
    # Xero ignores If-Modified-Since on these: they come whole.
    assert counts["tax_rates"] == 7 and counts["currencies"] == 5 and counts["tracking"] == 2
    for path in ("/Accounts", "/Contacts", "/Items"):
        assert harness.since_header(path) is not None, path
    for path in ("/TaxRates", "/Currencies", "/TrackingCategories", "/Organisation"):
        assert harness.since_header(path) is None, path

    with harness.factory() as session:
        view = harness.view(session)
        assert view.contact_by_name("newcomer pty ltd") is not None
        assert view.contact_by_name("Bayside Club") is not None  # earlier records are kept
        assert view.account("400")["Name"] == "Advertising & Promo"  # type: ignore[index]


def test_a_renamed_contact_is_no_longer_found_by_its_old_name(harness: Harness) -> None:
    harness.advance(HOUR)
    harness.refresh()
    harness.advance(HOUR)
    with harness.xero() as xero:
        bayside = xero.get("/Contacts", params={"where": 'Name=="Bayside Club"'}).json
        contact_id = bayside["Contacts"][0]["ContactID"]
        reply = xero.post(
            f"/Contacts/{contact_id}",
            {"Contacts": [{"ContactID": contact_id, "Name": "Bayside Sports Club"}]},
        )
        assert reply.status == 200, reply.text
    harness.refresh(kinds=("contacts",))
    assert len(harness.calls) == 1
    with harness.factory() as session:
        view = harness.view(session)
        assert view.contact_by_name("Bayside Club") is None
        assert view.contact_by_name("Bayside Sports Club")["ContactID"] == contact_id  # type: ignore[index]


def test_an_active_contact_wins_over_an_archived_namesake(harness: Harness) -> None:
    with harness.xero() as xero:
        reply = xero.put("/Contacts", {"Contacts": [{"Name": "Old Supplier Pty Ltd"}]})
        assert reply.status == 200, reply.text
        active_id = reply.json["Contacts"][0]["ContactID"]
    harness.refresh(kinds=("contacts",))
    with harness.factory() as session:
        found = harness.view(session).contact_by_name("old supplier pty ltd")
        assert found is not None
        assert (found["ContactID"], found["ContactStatus"]) == (active_id, "ACTIVE")


def test_a_full_refresh_drops_what_xero_no_longer_has(harness: Harness) -> None:
    harness.refresh()
    with harness.factory.begin() as session:
        stale = {"Code": "STALE", "Name": "Deleted in Xero", "Status": "ACTIVE"}
        session.add(
            ReferenceItem(
                connection_id=harness.connection_id, kind="accounts", key="STALE", data=stale
            )
        )
    harness.refresh(kinds=("accounts",))
    with harness.factory() as session:
        assert harness.view(session).account("STALE") is not None  # incremental keeps it
    harness.refresh(kinds=("accounts",), full=True)
    with harness.factory() as session:
        assert harness.view(session).account("STALE") is None
        keys = session.scalars(
            select(ReferenceItem.key).where(ReferenceItem.kind == "accounts")
        ).all()
        assert "200" in keys


def test_unknown_kinds_are_refused(harness: Harness) -> None:
    with pytest.raises(ValueError, match="unknown reference kind"):
        harness.refresh(kinds=("payslips",))
    assert harness.calls == []


def test_names_compare_without_case_or_extra_spaces() -> None:
    assert normalise_name("  ACME\t  Pty   Ltd ") == normalise_name("acme pty ltd")


def test_an_unknown_connection_is_refused_before_any_call(harness: Harness) -> None:
    with pytest.raises(LedgerlinkError) as caught:
        refresh_reference(harness.factory, harness.client, "no-such-connection")
    assert caught.value.code == "CONNECTION_NOT_FOUND"
    assert harness.calls == []
