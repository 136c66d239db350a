"""Account and tax resolution: the line, then item override, Xero item, connection default."""

from __future__ import annotations

from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, MemoryReference, ResolvedLine, resolve_lines
from tests.engine.documents.factories import expense_data, invoice_data

DEFAULTS = MappingDefaults(
    revenue_account="200",
    sales_tax_type="OUTPUT",
    expense_account="429",
    purchase_tax_type="INPUT",
)


def test_line_wins_then_override_then_connection_default(demo_ref: MemoryReference) -> None:
    doc = validate_document(
        "invoice",
        invoice_data(
            lines=[
                {
                    "description": "a",
                    "unit_amount": "1",
                    "account_code": "260",
                    "tax_type": "EXEMPTOUTPUT",
                },
                {"description": "b", "unit_amount": "1", "item_code": "HOSTING"},
                {"description": "c", "unit_amount": "1"},
            ]
        ),
    )
    overrides = {"HOSTING": ("270", None)}
    got = resolve_lines(doc, overrides=overrides, defaults=DEFAULTS, reference=demo_ref)
    assert got == [
        ResolvedLine(0, "260", "line", "EXEMPTOUTPUT", "line"),
        ResolvedLine(1, "270", "item_override", "OUTPUT", "connection_default"),
        ResolvedLine(2, "200", "connection_default", "OUTPUT", "connection_default"),
    ]


def test_account_default_tax_type_when_none_is_set(demo_ref: MemoryReference) -> None:
    doc = validate_document(
        "invoice",
        invoice_data(
            lines=[{"description": "interest", "unit_amount": "5", "account_code": "270"}]
        ),
    )
    got = resolve_lines(doc, defaults=MappingDefaults(revenue_account="200"), reference=demo_ref)
    assert got == [ResolvedLine(0, "270", "line", "INPUTTAXED", "account_default")]


def test_expense_uses_purchase_defaults_and_xero_item_purchase_details(
    demo_ref: MemoryReference,
) -> None:
    doc = validate_document(
        "expense",
        expense_data(
            lines=[
                {"description": "install", "unit_amount": "60", "item_code": "INSTALL"},
                {"item_code": "WIDGET-BLUE", "unit_amount": "12.50"},
                {"description": "misc", "unit_amount": "3"},
            ]
        ),
    )
    got = resolve_lines(doc, defaults=DEFAULTS, reference=demo_ref)
    assert got == [
        ResolvedLine(0, "412", "xero_item", "INPUT", "xero_item"),
        ResolvedLine(1, "630", "xero_item", "INPUT", "xero_item"),
        ResolvedLine(2, "429", "connection_default", "INPUT", "connection_default"),
    ]


def test_override_beats_xero_item_and_blank_values_fall_through(demo_ref: MemoryReference) -> None:
    doc = validate_document(
        "invoice",
        invoice_data(lines=[{"description": "c", "unit_amount": "150", "item_code": "CONSULT"}]),
    )
    got = resolve_lines(
        doc, overrides={"CONSULT": ("260", " ")}, defaults=DEFAULTS, reference=demo_ref
    )
    assert got == [ResolvedLine(0, "260", "item_override", "OUTPUT", "xero_item")]


def test_nothing_anywhere_leaves_none() -> None:
    doc = validate_document("invoice", invoice_data())
    got = resolve_lines(doc)
    assert got[0] == ResolvedLine(0, None, None, None, None)


def test_defaults_from_connection_settings() -> None:
    settings = {
        "default_revenue_account": "200",
        "default_sales_tax_type": "OUTPUT",
        "default_expense_account": " ",
        "other": 1,
    }
    assert MappingDefaults.from_settings(settings) == MappingDefaults("200", "OUTPUT", None, None)
