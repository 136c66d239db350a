"""Customer and supplier bodies checked against Xero's official OpenAPI spec (Contact): types,
enums (PhoneType, AddressType, PaymentTermType, ContactStatus), no read-only field (IsCustomer,
IsSupplier), and no key the spec does not declare."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerlink import kinds
from ledgerlink.kinds.base import Prepared
from tests.engine.kinds.contact_factories import customer, supplier
from tests.engine.test_convert_spec import _errors, _undeclared, spec

__all__ = ["spec"]
CONTACT_ID = "0d6f6d2a-1f43-4a55-9a53-5b0c0bb5a0a1"


def _body(kind: str, data: dict[str, Any], status: str) -> dict[str, Any]:
    spec_kind = kinds.get(kind)
    document = kinds.validate_document(kind, data)
    prepared = Prepared(status, [], {"ContactID": CONTACT_ID}, None)
    body: dict[str, Any] = spec_kind.to_xero(document, prepared)
    return body


@pytest.mark.parametrize(
    ("kind", "data", "status"),
    [
        ("customer", customer(1, currency="USD", contact_number="C-0001"), "ACTIVE"),
        ("supplier", supplier(2, status="archived"), "ARCHIVED"),
        ("customer", {"source_id": "c-" + "x" * 60, "name": "Long Key"}, "ACTIVE"),
    ],
)
def test_customer_and_supplier_bodies_fit_the_spec(
    spec: dict[str, Any], kind: str, data: dict[str, Any], status: str
) -> None:
    body = _body(kind, data, status)
    assert _errors(spec, "Contacts", {"Contacts": [body]}) == []
    assert _undeclared(spec, "Contact", body) == []
    for key, schema in (("Phones", "Phone"), ("Addresses", "Address")):
        for entry in body.get(key, []):
            assert _undeclared(spec, schema, entry) == []
    assert not {"IsCustomer", "IsSupplier"} & set(body)
    assert "ContactNumber" not in body or len(body["ContactNumber"]) <= 50
