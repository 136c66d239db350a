"""The new kinds' schemas refuse at intake what Xero would refuse or silently change: discounts
outside sales invoices, purchase order prices finer than a cent, allocations on a draft."""

from __future__ import annotations

import pytest

from ledgerlink.documents import ValidationFailed
from ledgerlink.kinds import validate_document
from tests.engine.kinds.conftest import credit_note, purchase_order


def _fields(kind: str, data: dict[str, object]) -> list[str | None]:
    with pytest.raises(ValidationFailed) as found:
        validate_document(kind, data)
    return [e.field for e in found.value.errors]


def test_discounts_are_refused_on_credit_notes_and_purchase_orders() -> None:
    for kind, data in (
        ("credit_note", credit_note(1, type="supplier")),
        ("credit_note", credit_note(2)),
        ("purchase_order", purchase_order(1)),
    ):
        data["lines"][0]["discount_rate"] = "10"  # type: ignore[index]
        assert _fields(kind, data) == ["lines[0].discount_rate"]


def test_purchase_order_prices_are_kept_to_the_cent() -> None:
    data = purchase_order(1)
    data["lines"][1]["unit_amount"] = "10.1234"
    assert _fields("purchase_order", data) == ["lines[1].unit_amount"]
    data["lines"][1]["unit_amount"] = "10.1000"  # the same to the cent: accepted
    validate_document("purchase_order", data)


def test_allocations_need_the_credit_note_sent() -> None:
    data = credit_note(1, status="draft", allocations=[{"document": "inv-1", "amount": "5"}])
    assert _fields("credit_note", data) == ["allocations"]
