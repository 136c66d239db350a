"""The customer and supplier schema refuses, with the field, what Xero would not keep: two
phones or addresses of one type, a day of the month past 31, an address line past 500."""

from __future__ import annotations

from typing import Any

from ledgerlink.documents import ValidationFailed
from ledgerlink.kinds import validate_document


def fields(kind: str, body: dict[str, Any]) -> list[str | None]:
    try:
        validate_document(kind, body)
    except ValidationFailed as exc:
        return [e.field for e in exc.errors]
    return []


def test_a_minimal_customer_and_supplier_are_accepted() -> None:
    made = validate_document("customer", {"source_id": "c-1", "name": "Bayside Club"})
    assert (made.status, made.phones, made.addresses) == ("active", None, None)
    assert fields("supplier", {"source_id": "s-1", "name": "Timber Mill"}) == []


def test_what_xero_would_not_keep_is_refused_with_its_field() -> None:
    two_mobiles = [{"type": "mobile", "number": "1"}, {"type": "mobile", "number": "2"}]
    assert fields("customer", {"source_id": "c", "name": "C", "phones": two_mobiles}) == [
        "phones[1].type"
    ]
    terms = {"day": 40, "type": "of_following_month"}
    assert fields("supplier", {"source_id": "s", "name": "S", "payment_terms": terms}) == [
        "payment_terms.day"
    ]
    long_line = [{"type": "street", "lines": ["x" * 501]}]
    assert fields("customer", {"source_id": "c", "name": "C", "addresses": long_line}) == [
        "addresses[0].lines[0]"
    ]
    assert fields("customer", {"source_id": "c", "name": "", "currency": "XXX"}) == [
        "name",
        "currency",
    ]
