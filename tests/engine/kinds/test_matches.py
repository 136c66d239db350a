"""After a lost reply, a credit note or purchase order is found by the number it was sent with,
and only if Xero's record is of the same type and contact: a person's record that happens to
carry that number (a supplier's own reference) is never taken for ours."""

from __future__ import annotations

from ledgerlink import kinds

SENT = {"Type": "ACCPAYCREDIT", "CreditNoteNumber": "SUP-9", "Contact": {"ContactID": "C-1"}}


def test_a_lost_credit_note_is_matched_by_number_type_and_contact() -> None:
    kind = kinds.get("credit_note")
    same = {**SENT, "Status": "AUTHORISED", "Contact": {"ContactID": "c-1"}}
    assert kind.matches(SENT, same)
    assert not kind.matches(SENT, {**same, "Contact": {"ContactID": "C-2"}})
    assert not kind.matches(SENT, {**same, "Type": "ACCRECCREDIT"})
    assert not kind.matches(SENT, {**same, "Status": "DELETED"})
    assert not kind.matches(SENT, {**same, "CreditNoteNumber": "SUP-10"})


def test_a_lost_purchase_order_is_matched_by_number_and_supplier() -> None:
    kind = kinds.get("purchase_order")
    sent = {"PurchaseOrderNumber": "po-1", "Contact": {"ContactID": "S-1"}}
    assert kind.matches(sent, {**sent, "Status": "SUBMITTED"})
    assert not kind.matches(sent, {**sent, "Contact": {"ContactID": "S-2"}})
