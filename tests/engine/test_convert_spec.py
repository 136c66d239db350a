"""Converted bodies checked against Xero's official OpenAPI spec (Invoices schema).

The spec is shared beside the repository, not copied into it; without it these tests skip.
Besides the schema (types, enums, no read-only fields), every key we send must be a property the
spec declares, which catches a misspelt alias such as ``InvoiceId``.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, resolve_lines
from ledgerlink.mapping.status import xero_status
from ledgerlink.xero.convert import (
    contact_to_xero,
    document_unitdp,
    expense_to_xero,
    invoice_to_xero,
)
from tests.engine.documents.factories import expense_data, invoice_data, random_invoice

SPEC = Path(__file__).resolve().parents[3] / "shared" / "xero-openapi" / "xero_accounting.yaml"
DEFAULTS = MappingDefaults("200", "OUTPUT", "429", "INPUT")
ENCODER = msgspec.json.Encoder(decimal_format="number")


@cache
def _spec() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open(encoding="utf-8") as handle:
        return dict(yaml.load(handle, Loader=loader))


@pytest.fixture
def spec() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(f"Xero OpenAPI spec not found at {SPEC}: spec check skipped")
    return _spec()


def _errors(spec: dict[str, Any], schema_name: str, body: Any) -> list[str]:
    from openapi_schema_validator import OAS30WriteValidator

    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    wire = msgspec.json.decode(ENCODER.encode(body))  # as Xero would read it
    return [f"{list(e.path)}: {e.message}" for e in OAS30WriteValidator(schema).iter_errors(wire)]


def _undeclared(spec: dict[str, Any], schema_name: str, body: dict[str, Any]) -> list[str]:
    schemas = spec["components"]["schemas"]
    nested = {"Contact": "Contact", "LineItems": "LineItem", "Tracking": "LineItemTracking"}
    props = schemas[schema_name]["properties"]
    found = [key for key in body if key not in props]
    for key, value in body.items():
        if key in nested:
            for item in value if isinstance(value, list) else [value]:
                found += [f"{key}.{k}" for k in _undeclared(spec, nested[key], item)]
    return found


def test_generated_invoices_and_bills_fit_the_spec(spec: dict[str, Any]) -> None:
    rng = random.Random(11)
    bodies = []
    for i in range(60):
        data = random_invoice(rng, i)
        data["lines"][0]["tracking"] = [{"name": "Region", "option": "North"}]
        data.update(status=rng.choice(["draft", "sent"]), currency="USD", url="https://a.example/1")
        doc = validate_document("invoice", data)
        lines = resolve_lines(doc, defaults=DEFAULTS)
        contact = {"ContactID": "0d6f6d2a-1f43-4a55-9a53-5b0c0bb5a0a1"}
        bodies.append(
            invoice_to_xero(doc, lines, contact, xero_status(doc), None, document_unitdp(doc))
        )
    bill = validate_document("expense", expense_data())
    bodies.append(
        expense_to_xero(bill, resolve_lines(bill, defaults=DEFAULTS), {"Name": "S"}, "SUBMITTED")
    )
    assert _errors(spec, "Invoices", {"Invoices": bodies}) == []
    for body in bodies:
        assert _undeclared(spec, "Invoice", body) == []


def test_contact_body_fits_the_spec(spec: dict[str, Any]) -> None:
    contact = {"key": "k", "name": "Bayside Club", "email": "a@b.example", "contact_number": "C1"}
    doc = validate_document("invoice", invoice_data(contact=contact))
    body = contact_to_xero(doc.contact)
    assert _errors(spec, "Contacts", {"Contacts": [body]}) == []
    assert _undeclared(spec, "Contact", body) == []


def test_the_spec_check_catches_a_wrong_body(spec: dict[str, Any]) -> None:
    wrong = {"Type": "ACCREC", "LineAmountTypes": "Gross", "Total": 3, "InvoiceId": "x"}
    assert len(_errors(spec, "Invoices", {"Invoices": [wrong]})) == 2
    assert _undeclared(spec, "Invoice", wrong) == ["InvoiceId"]
