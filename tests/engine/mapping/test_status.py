"""Status policy (as the seed products do it) and when a change may be sent to Xero."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ledgerlink.kinds import validate_document
from ledgerlink.mapping import Hold, Send, Skip, decide_update, xero_status
from tests.engine.documents.factories import expense_data, invoice_data


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("invoice", "draft", "DRAFT"),
        ("invoice", "sent", "AUTHORISED"),
        ("invoice", "voided", "VOIDED"),
        ("expense", "draft", "DRAFT"),
        ("expense", "approved", "SUBMITTED"),
        ("expense", "voided", "VOIDED"),
    ],
)
def test_source_status_to_xero_status(kind: str, status: str, expected: str) -> None:
    data = invoice_data(status=status) if kind == "invoice" else expense_data(status=status)
    assert xero_status(validate_document(kind, data)) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (None, "DRAFT", Send("DRAFT")),
        (None, "AUTHORISED", Send("AUTHORISED")),
        (None, "SUBMITTED", Send("SUBMITTED")),
        ("DRAFT", "DRAFT", Send("DRAFT")),
        ("DRAFT", "SUBMITTED", Send("SUBMITTED")),
        ("DRAFT", "AUTHORISED", Send("AUTHORISED")),
        ("DRAFT", "VOIDED", Send("DELETED")),
        ("SUBMITTED", "DRAFT", Send("DRAFT")),
        ("SUBMITTED", "SUBMITTED", Send("SUBMITTED")),
        ("SUBMITTED", "AUTHORISED", Send("AUTHORISED")),
        ("SUBMITTED", "VOIDED", Send("DELETED")),
        ("AUTHORISED", "AUTHORISED", Send("AUTHORISED")),
        ("AUTHORISED", "VOIDED", Send("VOIDED")),
    ],
)
def test_allowed_moves_are_sent(current: str | None, wanted: str, expected: Send) -> None:
    assert decide_update(current, D(0), D(0), wanted) == expected


def test_nothing_to_do() -> None:
    assert decide_update(None, None, None, "VOIDED") == Skip("voided before it ever reached Xero")
    assert decide_update("VOIDED", None, None, "VOIDED") == Skip("already VOIDED in Xero")
    assert decide_update("DELETED", None, None, "VOIDED") == Skip("already DELETED in Xero")
    assert decide_update("DRAFT", None, None, "DRAFT", content_changed=False) == Skip(
        "unchanged and already DRAFT in Xero"
    )
    assert decide_update("DRAFT", None, None, "AUTHORISED", content_changed=False) == Send(
        "AUTHORISED"
    )


def held(decision: object) -> tuple[str, str | None, str]:
    assert isinstance(decision, Hold)
    return decision.error.code, decision.error.field, decision.error.message


def test_payment_applied_holds_every_change() -> None:
    for wanted in ("AUTHORISED", "VOIDED", "DRAFT"):
        assert held(decide_update("AUTHORISED", D("50.00"), D(0), wanted)) == (
            "XERO_NOT_EDITABLE",
            None,
            "The document has a payment of 50.00 applied in Xero, so Xero accepts no changes "
            "to it: remove the payment or credit note in Xero first, or change the document "
            "there.",
        )
    assert held(decide_update("PAID", D("110.00"), D("20.00"), "AUTHORISED"))[2].startswith(
        "The document has a payment of 110.00 applied and a credit note of 20.00 allocated in Xero"
    )
    assert held(decide_update("PAID", None, None, "AUTHORISED"))[2].startswith(
        "The document has a payment applied in Xero"
    )
    assert held(decide_update("AUTHORISED", None, D("5"), "VOIDED"))[2].startswith(
        "The document has a credit note of 5 allocated in Xero"
    )


def test_voided_or_deleted_in_xero_holds_changes() -> None:
    assert held(decide_update("VOIDED", None, None, "AUTHORISED")) == (
        "XERO_NOT_EDITABLE",
        None,
        "The document was voided in Xero, so Xero accepts no further changes: create a new "
        "document instead.",
    )
    assert held(decide_update("DELETED", None, None, "DRAFT"))[2].startswith(
        "The document was deleted in Xero"
    )


def test_approved_in_xero_cannot_go_back() -> None:
    # An approved expense (SUBMITTED) whose bill was approved in Xero (Awaiting Payment): the
    # Streamtime page says changes can no longer be sent; Xero has no AUTHORISED -> SUBMITTED.
    assert held(decide_update("AUTHORISED", D(0), D(0), "SUBMITTED")) == (
        "XERO_NOT_EDITABLE",
        "status",
        "Xero does not move a document from AUTHORISED (Awaiting Payment) to SUBMITTED "
        "(Awaiting Approval): change its status in Xero, or set it back to match Awaiting "
        "Payment.",
    )
    assert held(decide_update("AUTHORISED", D(0), D(0), "DRAFT"))[1] == "status"
