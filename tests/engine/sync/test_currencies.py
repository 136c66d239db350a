"""Currencies an organisation cannot use are held before any call, with the fix that fits:
enable it in Xero, or (its plan or region cannot hold it) upgrade or send in a currency it
holds; the connection's default currency is what a document naming none is sent in; a held
document is sent once, after the currency is enabled or the setting changed. On SQLite and
PostgreSQL (the harness), judged by what the sandbox holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import Connection
from ledgerlink.sync import currencies, directions
from ledgerlink.sync.plan import run_plan
from tests.engine.sync.conftest import SyncHarness, expense, invoice
from tests.engine.sync.currency_harness import held_in_xero, hk_harness, writes
from xero_sandbox.server import SandboxServer


@pytest.fixture
def hk(
    session_factory: sessionmaker[Session], settings: Settings, sync_server: SandboxServer
) -> tuple[SyncHarness, str]:
    return hk_harness(sync_server, session_factory, settings.for_sandbox(sync_server.url))


def _held(harness: SyncHarness) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (i.error_code, i.error_field, i.error_message)
        for i in harness.items()
        if i.state == "needs_attention"
    ]


def _configure(harness: SyncHarness, **changes: object) -> None:
    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, dict(changes)
    )


def _synchronize(harness: SyncHarness) -> dict[str, int]:
    """A person's Synchronize (``Engine.synchronize``), on the harness's clock and limiter."""
    with harness.worker().reading(harness.connection_id) as run:
        return currencies.synchronize(harness.factory, run.client, harness.connection_id)


def _currencies(harness: SyncHarness, tenant: str | None = None) -> list[str]:
    by_url = held_in_xero(harness, tenant) if tenant else held_in_xero(harness)
    return sorted(str(r["CurrencyCode"]) for r in by_url.values())


def test_a_hong_kong_organisation_holds_a_euro_document_before_any_call(
    hk: tuple[SyncHarness, str],
) -> None:
    harness, tenant = hk
    harness.push("invoice", [invoice(1, currency="EUR")])
    harness.sync()

    assert _held(harness) == [
        (
            "XERO_CURRENCY_NOT_AVAILABLE",
            "currency",
            "currency 'EUR' cannot be used by this Xero organisation: its plan STANDARD, "
            "region HK holds only HKD or USD. Upgrade the Xero plan, or send the document in "
            "HKD or USD.",
        )
    ]
    assert writes(harness, tenant) == []  # no contact, no invoice: Xero was never asked
    assert held_in_xero(harness, tenant) == {}

    # what the organisation holds goes through, in the same run as a held one
    harness.push("invoice", [invoice(2, currency="USD"), invoice(3, currency="HKD")])
    harness.sync()
    assert _currencies(harness, tenant) == ["HKD", "USD"]
    assert harness.states() == {"done": 2, "needs_attention": 1}


def test_the_default_currency_is_what_a_document_naming_none_is_sent_in(
    hk: tuple[SyncHarness, str],
) -> None:
    harness, tenant = hk
    _configure(harness, default_currency="usd")
    harness.push("invoice", [invoice(1), invoice(2, currency="HKD")])
    harness.push("expense", [expense(1)])
    harness.sync()

    assert harness.states() == {"done": 3}
    records = held_in_xero(harness, tenant)
    by_type = sorted((str(r["Type"]), str(r["CurrencyCode"])) for r in records.values())
    assert by_type == [("ACCPAY", "USD"), ("ACCREC", "HKD"), ("ACCREC", "USD")]
    sale = next(r for r in records.values() if r["CurrencyCode"] == "USD" and r["Type"] == "ACCREC")
    # the totals are the document's, in the default currency (HK rates are 0%)
    assert sale["Total"] == Decimal("2") * Decimal("101.50") + Decimal("120.19")


def test_a_default_the_organisation_cannot_use_is_refused(hk: tuple[SyncHarness, str]) -> None:
    harness, _ = hk
    with pytest.raises(LedgerlinkError) as refused:
        _configure(harness, default_currency="EUR")  # the plan is known from connect time
    assert (refused.value.code, refused.value.field) == (
        "XERO_CURRENCY_NOT_AVAILABLE",
        "settings.default_currency",
    )
    with pytest.raises(LedgerlinkError) as invalid:
        _configure(harness, default_currency="XYZ")
    assert (invalid.value.code, invalid.value.field) == (
        "VALIDATION_FAILED",
        "settings.default_currency",
    )
    _configure(harness, default_currency="HKD")  # the base currency is always usable


def test_an_unenabled_default_is_refused_once_the_currencies_are_known(
    harness: SyncHarness,
) -> None:
    _configure(harness, default_currency="JPY")  # the currencies were never read: taken
    harness.push("invoice", [invoice(1)])
    harness.sync()
    assert [(c, f) for c, f, _ in _held(harness)] == [
        ("XERO_CURRENCY_NOT_ENABLED", "settings.default_currency")
    ]
    with pytest.raises(LedgerlinkError) as refused:
        _configure(harness, default_currency="SGD")
    assert refused.value.code == "XERO_CURRENCY_NOT_ENABLED"
    assert "enable it in Xero (Settings > Currencies)" in refused.value.message


def test_a_document_held_for_the_default_is_sent_once_after_the_setting_changes(
    harness: SyncHarness,
) -> None:
    _configure(harness, default_currency="JPY")
    harness.push("invoice", [invoice(1)])
    harness.sync()
    assert harness.states() == {"needs_attention": 1}
    assert held_in_xero(harness) == {}

    _configure(harness, default_currency="USD")  # releases what the default held
    assert harness.states() == {"queued": 1}
    harness.sync()
    assert _currencies(harness) == ["USD"]
    assert harness.states() == {"done": 1}


def test_a_document_held_for_a_currency_is_sent_once_after_it_is_enabled_in_xero(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1, currency="JPY")])
    harness.sync()
    assert [c for c, _, _ in _held(harness)] == ["XERO_CURRENCY_NOT_ENABLED"]
    with harness.xero() as xero:
        assert xero.put("/Currencies", {"Code": "JPY"}).status == 200

    counts = _synchronize(harness)
    assert counts["currencies"] == 6
    assert harness.states() == {"queued": 1}  # judged again, by the next run
    harness.sync()
    assert _currencies(harness) == ["JPY"]
    assert harness.states() == {"done": 1}


def test_a_lost_reply_in_the_default_currency_while_the_document_changes_makes_one_invoice(
    harness: SyncHarness,
) -> None:
    _configure(harness, default_currency="USD")
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("invoice", [invoice(1)])
    harness.worker().run_once()  # Xero creates the invoice; its reply is lost
    revised = invoice(1)
    revised["lines"][0]["unit_amount"] = "999.00"
    harness.push("invoice", [revised])
    harness.advance(30)
    harness.sync()

    (record,) = held_in_xero(harness).values()
    assert record["CurrencyCode"] == "USD"
    assert Decimal(str(record["LineItems"][0]["UnitAmount"])) == Decimal("999.00")
    assert {i.state for i in harness.items()} <= {"done", "superseded"}


def test_a_default_changed_while_a_send_is_unresolved_makes_no_second_invoice(
    harness: SyncHarness,
) -> None:
    _configure(harness, default_currency="USD")
    harness.faults(
        {"kind": "error", "endpoint": "invoices", "method": "PUT", "status": 503, "count": 1}
    )
    harness.push("invoice", [invoice(1)])
    harness.worker().run_once()  # a 503: Xero applied nothing, the intent stays open
    assert held_in_xero(harness) == {}
    _configure(harness, default_currency="EUR")
    harness.advance(30)
    harness.sync()

    # the open send is settled by replaying what was intended (same key, same body), never
    # by a second write in the new default
    (record,) = held_in_xero(harness).values()
    assert record["CurrencyCode"] == "USD"
    assert [p for _, p in writes(harness) if p.startswith("/Invoices")] == ["/Invoices"] * 2
    assert harness.states() == {"done": 1}


@pytest.mark.parametrize("wait", [30, 3600], ids=["replayed", "looked-up"])
def test_a_change_into_a_currency_not_enabled_while_the_send_is_unresolved_waits_then_goes_once(
    harness: SyncHarness, wait: int
) -> None:
    """v1 (the default currency, a new contact) is applied in Xero and its reply lost; v2
    names a currency the organisation has not enabled. v1 is settled (replayed within Xero's
    idempotency window, looked up after it), never sent again; v2 is held before any call and
    goes once, as the update, after the currency is enabled and Xero synchronized."""
    _configure(harness, default_currency="USD")
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("invoice", [invoice(8)])  # a draft
    harness.worker().run_once()
    harness.push("invoice", [invoice(8, currency="JPY")])
    harness.advance(wait)
    harness.sync()

    (record,) = held_in_xero(harness).values()
    assert record["CurrencyCode"] == "USD"
    (item,) = [i for i in harness.items() if i.state not in ("superseded", "done")]
    assert (item.state, item.error_code, item.version) == (
        "needs_attention",
        "XERO_CURRENCY_NOT_ENABLED",
        2,
    )

    with harness.xero() as xero:
        assert xero.put("/Currencies", {"Code": "JPY"}).status == 200
    _synchronize(harness)
    harness.sync()
    (record,) = held_in_xero(harness).values()
    assert record["CurrencyCode"] == "JPY"
    assert harness.states()["needs_attention"] == 0
    assert harness.contacts_named("Client 8 Pty Ltd") == 1


def test_a_plan_judges_the_default_currency_as_a_sync_would_without_a_write(
    harness: SyncHarness,
) -> None:
    _configure(harness, default_currency="JPY")  # taken: the currencies were never read
    report = run_plan(
        harness.worker(),
        harness.workspace_id,
        harness.connection_id,
        "invoice",
        [invoice(1), invoice(2, currency="USD")],
    )
    planned = {
        p.source_id: (p.action, (p.error or {}).get("code"), (p.error or {}).get("field"))
        for p in report.documents
    }
    assert planned == {
        "inv-1": ("held", "XERO_CURRENCY_NOT_ENABLED", "settings.default_currency"),
        "inv-2": ("create", None, None),
    }
    assert writes(harness) == []


def test_a_hold_made_with_a_default_that_changed_under_the_claim_is_released(
    harness: SyncHarness,
) -> None:
    """The default changes between a claim's read and its hold (the stored settings change;
    the change's own release found nothing held yet): the connection's next run releases it,
    and it goes once in the new default. A hold for the default still set stays held."""
    _configure(harness, default_currency="JPY")
    harness.push("invoice", [invoice(1)])
    harness.sync()
    assert [(c, f) for c, f, _ in _held(harness)] == [
        ("XERO_CURRENCY_NOT_ENABLED", "settings.default_currency")
    ]
    harness.worker().run_once(harness.connection_id)  # the default is still JPY: still held
    assert harness.states() == {"needs_attention": 1}

    with harness.factory.begin() as session:  # changed under the claim's feet
        row = session.get(Connection, harness.connection_id)
        assert row is not None
        row.settings = {**row.settings, "default_currency": "USD"}
    harness.worker().run_once(harness.connection_id)  # the connection's next run
    assert harness.states() == {"done": 1}
    assert _currencies(harness) == ["USD"]
