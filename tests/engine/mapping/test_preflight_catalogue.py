"""Unknown item codes and tracking categories or options are refused before any call (once
their lists were read), and so is a line left without a tax type while its amounts carry tax."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledgerlink import kinds
from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, MemoryReference, preflight, resolve_lines
from tests.engine.documents.factories import invoice_data

DEFAULTS = MappingDefaults("200", "OUTPUT", "429", "INPUT")
REGION = {
    "Name": "Region",
    "Status": "ACTIVE",
    "Options": [
        {"Name": "North", "Status": "ACTIVE"},
        {"Name": "South", "Status": "ARCHIVED"},
    ],
}


def _with(demo_ref: MemoryReference, **lists: Any) -> MemoryReference:
    return MemoryReference(
        accounts=demo_ref.accounts(),
        tax_rates=demo_ref.tax_rates(),
        currencies=[{"Code": "AUD"}],
        **lists,
    )


def _check(ref: MemoryReference, lines: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    document = validate_document("invoice", invoice_data(lines=lines))
    resolved = resolve_lines(document, defaults=DEFAULTS, reference=ref)
    subject = kinds.get("invoice").subject(document)
    found = preflight(
        document, resolved, ref, date(2020, 1, 1), base_currency="AUD", subject=subject
    )
    return [(e.code, e.field) for e in found]


def test_an_unknown_item_code_is_refused_once_items_were_read(demo_ref: MemoryReference) -> None:
    line = {"item_code": "NOPE", "unit_amount": "5"}
    assert _check(_with(demo_ref), [line]) == []  # never read: Xero decides
    known = _with(demo_ref, items=[{"Code": "WIDGET", "SalesDetails": {}}])
    assert _check(known, [line]) == [("XERO_ITEM_UNKNOWN", "lines[0].item_code")]
    assert _check(known, [{**line, "item_code": "WIDGET"}]) == []


def test_tracking_must_name_an_active_category_and_option(demo_ref: MemoryReference) -> None:
    ref = _with(demo_ref, tracking=[REGION])
    good = {
        "description": "x",
        "unit_amount": "1",
        "tracking": [{"name": "region", "option": "North"}],
    }
    assert _check(ref, [good]) == []
    archived = {**good, "tracking": [{"name": "Region", "option": "South"}]}
    unknown = {**good, "tracking": [{"name": "Colour", "option": "Red"}]}
    assert _check(ref, [archived, unknown]) == [
        ("XERO_TRACKING_INVALID", "lines[0].tracking[0].option"),
        ("XERO_TRACKING_INVALID", "lines[1].tracking[0].name"),
    ]
    assert _check(_with(demo_ref), [unknown]) == []  # categories never read


def test_a_line_with_no_tax_type_anywhere_is_refused_unless_it_carries_no_tax(
    demo_ref: MemoryReference,
) -> None:
    accounts = [{**a, "TaxType": None} if a["Code"] == "200" else a for a in demo_ref.accounts()]
    assert any(a["Code"] == "200" for a in accounts)
    ref = MemoryReference(accounts=accounts, tax_rates=demo_ref.tax_rates(), currencies=[])
    line = {"description": "x", "unit_amount": "1", "account_code": "200"}
    for amounts, expected in (
        ("exclusive", [("XERO_FIELD_REQUIRED", "lines[0].tax_type")]),
        ("no_tax", []),
    ):
        document = validate_document("invoice", invoice_data(lines=[line], amounts_are=amounts))
        resolved = resolve_lines(document, defaults=MappingDefaults(), reference=ref)
        subject = kinds.get("invoice").subject(document)
        found = preflight(document, resolved, ref, None, base_currency="AUD", subject=subject)
        assert [(e.code, e.field) for e in found] == expected
