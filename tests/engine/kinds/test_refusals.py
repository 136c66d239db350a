"""What Xero would refuse is refused before any call, with a code naming the field: unknown
item codes and tracking (their lists read once, only when a document uses them), a bill without
the supplier's invoice number when the connection requires one."""

from __future__ import annotations

from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from tests.engine.kinds.conftest import expense, invoice, item_of
from tests.engine.sync.conftest import SyncHarness


def _paths(harness: SyncHarness, method: str) -> list[str]:
    return [str(r["path"]) for r in harness.requests(method)]


def test_unknown_items_and_tracking_cost_no_write(harness: SyncHarness) -> None:
    bad_item = invoice(1)
    bad_item["lines"][0]["item_code"] = "NO-SUCH-ITEM"
    bad_tracking = invoice(2)
    bad_tracking["lines"][0]["tracking"] = [{"name": "Region", "option": "Atlantis"}]
    plain = invoice(3)
    harness.push("invoice", [bad_item, bad_tracking, plain])
    harness.sync()
    item = item_of(harness, "invoice", "inv-1")
    tracking = item_of(harness, "invoice", "inv-2")
    assert (item.state, item.error_code, item.error_field) == (
        "needs_attention",
        "XERO_ITEM_UNKNOWN",
        "lines[0].item_code",
    )
    assert (tracking.state, tracking.error_code, tracking.error_field) == (
        "needs_attention",
        "XERO_TRACKING_INVALID",
        "lines[0].tracking[0].option",
    )
    assert "North" in tracking.error_message  # the options there are
    assert item_of(harness, "invoice", "inv-3").state == "done"
    gets = _paths(harness, "GET")
    assert gets.count("/Items") == 1 and gets.count("/TrackingCategories") == 1
    sent = [r for r in harness.invoices() if str(r.get("InvoiceNumber", "")).startswith("LL-")]
    assert [r["InvoiceNumber"] for r in sent] == ["LL-00003"]


def test_lists_are_not_read_when_no_document_needs_them(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(4)])
    harness.sync()
    gets = _paths(harness, "GET")
    assert "/Items" not in gets and "/TrackingCategories" not in gets


def test_a_bill_without_the_supplier_number_is_held_when_the_connection_requires_it(
    harness: SyncHarness,
) -> None:
    with transaction(harness.factory) as session:
        conns.update_settings(
            session, harness.workspace_id, harness.connection_id, {"bill_number_required": True}
        )
    harness.push("expense", [expense(1, reference=None), expense(2)])
    harness.sync()
    held = item_of(harness, "expense", "exp-1")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "XERO_FIELD_REQUIRED",
        "reference",
    )
    assert item_of(harness, "expense", "exp-2").state == "done"


def test_a_write_whose_scope_was_not_granted_is_held_naming_it_before_any_call(
    harness: SyncHarness,
) -> None:
    from sqlalchemy import update

    from ledgerlink.store.models import Connection, TokenSet
    from tests.engine.kinds.conftest import payment

    harness.push("invoice", [invoice(5, status="sent")])
    harness.sync()
    with transaction(harness.factory) as session:
        token_set_id = session.get(Connection, harness.connection_id).token_set_id
        session.execute(
            update(TokenSet)
            .where(TokenSet.id == token_set_id)
            .values(scopes="accounting.invoices accounting.contacts accounting.settings")
        )
    harness.push("payment", [payment(1, "inv-5", "10.00")])
    harness.sync()
    held = item_of(harness, "payment", "pay-1")
    assert (held.state, held.error_code) == ("needs_attention", "XERO_SCOPE_MISSING")
    assert "accounting.payments" in held.error_message
    assert "/Payments" not in _paths(harness, "PUT")
