"""Preflight refuses what Xero would refuse, with the code, the field, the value and the fix."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, MemoryReference, preflight, resolve_lines
from tests.engine.documents.factories import expense_data, invoice_data

LOCK = date(2025, 6, 30)
DEFAULTS = MappingDefaults("200", "OUTPUT", "429", "INPUT")


def check(
    ref: MemoryReference, kind: str, data: dict[str, Any], **kw: Any
) -> list[tuple[str, str | None, str]]:
    doc = validate_document(kind, data)
    lines = resolve_lines(doc, defaults=kw.pop("defaults", DEFAULTS), reference=ref)
    subject = kinds.get(kind).subject(doc)
    found = preflight(doc, lines, ref, LOCK, base_currency="AUD", subject=subject, **kw)
    assert all(isinstance(e, LedgerlinkError) and e.fix for e in found)
    return [(e.code, e.field, e.message) for e in found]


def one_line(**line: Any) -> list[dict[str, Any]]:
    return [{"description": "x", "unit_amount": "10", **line}]


def test_valid_invoice_and_expense_pass(demo_ref: MemoryReference) -> None:
    assert check(demo_ref, "invoice", invoice_data(status="sent", currency="USD")) == []
    assert check(demo_ref, "expense", expense_data()) == []


def test_account_code_missing(demo_ref: MemoryReference) -> None:
    assert check(demo_ref, "invoice", invoice_data(lines=one_line()), defaults=None) == [
        (
            "XERO_ACCOUNT_CODE_MISSING",
            "lines[0].account_code",
            "lines[0].account_code is missing: neither the line, an item override nor the "
            "connection's default revenue account gives one.",
        )
    ]


def test_account_code_unknown_archived_bank_system(demo_ref: MemoryReference) -> None:
    lines = [
        {"description": "a", "unit_amount": "1", "account_code": "999"},
        {"description": "b", "unit_amount": "1", "account_code": "499"},
        {"description": "c", "unit_amount": "1", "account_code": "090", "tax_type": "OUTPUT"},
        {"description": "d", "unit_amount": "1", "account_code": "610", "tax_type": "OUTPUT"},
        {"description": "e", "unit_amount": "1", "account_code": "Sales"},
    ]
    assert check(demo_ref, "invoice", invoice_data(lines=lines)) == [
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[0].account_code",
            "lines[0].account_code '999' (set on the line) is not in the organisation's chart "
            "of accounts.",
        ),
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[1].account_code",
            "lines[1].account_code '499' (Old Marketing (archived), set on the line) is "
            "archived in Xero.",
        ),
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[2].account_code",
            "lines[2].account_code '090' (Business Bank Account, set on the line) is a bank "
            "account; invoice lines cannot post to a bank account.",
        ),
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[3].account_code",
            "lines[3].account_code '610' (Accounts Receivable, set on the line) is Xero's "
            "system account DEBTORS; invoice lines cannot post to it.",
        ),
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[4].account_code",
            "lines[4].account_code 'Sales' (set on the line) is not in the organisation's chart "
            "of accounts: that is the name of account '200', use its code.",
        ),
    ]


def test_archived_default_account_says_where_it_came_from(demo_ref: MemoryReference) -> None:
    defaults = MappingDefaults(expense_account="499")
    assert check(demo_ref, "expense", expense_data(), defaults=defaults) == [
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[0].account_code",
            "lines[0].account_code '499' (Old Marketing (archived), from the connection's "
            "default) is archived in Xero.",
        )
    ]


def test_tax_type_name_unknown_and_wrong_class(demo_ref: MemoryReference) -> None:
    lines = [
        {"description": "a", "unit_amount": "1", "tax_type": "GST on Income"},
        {"description": "b", "unit_amount": "1", "tax_type": "VAT20"},
        {"description": "c", "unit_amount": "1", "tax_type": "INPUT"},
        {"description": "d", "unit_amount": "1", "tax_type": "output"},
    ]
    assert check(demo_ref, "invoice", invoice_data(lines=lines)) == [
        (
            "XERO_TAX_TYPE_INVALID",
            "lines[0].tax_type",
            "lines[0].tax_type 'GST on Income' (set on the line) is the name of a tax rate, not "
            "its code: use 'OUTPUT'.",
        ),
        (
            "XERO_TAX_TYPE_INVALID",
            "lines[1].tax_type",
            "lines[1].tax_type 'VAT20' (set on the line) is not a tax type in this organisation.",
        ),
        (
            "XERO_TAX_TYPE_INVALID",
            "lines[2].tax_type",
            "lines[2].tax_type 'INPUT' (set on the line) cannot be used with account '200' (a "
            "revenue account); that account's own tax type is 'OUTPUT'.",
        ),
    ]


def test_sales_default_tax_on_expense_account_is_refused(demo_ref: MemoryReference) -> None:
    defaults = MappingDefaults(expense_account="429", purchase_tax_type="OUTPUT")
    assert check(demo_ref, "expense", expense_data(), defaults=defaults) == [
        (
            "XERO_TAX_TYPE_INVALID",
            "lines[0].tax_type",
            "lines[0].tax_type 'OUTPUT' (from the connection's default) cannot be used with "
            "account '429' (an expense account); that account's own tax type is 'INPUT'.",
        )
    ]


def test_currency_not_enabled(demo_ref: MemoryReference) -> None:
    assert check(demo_ref, "invoice", invoice_data(currency="JPY")) == [
        (
            "XERO_CURRENCY_NOT_ENABLED",
            "currency",
            "currency 'JPY' is not enabled in the Xero organisation: enable it in Xero "
            "(Settings > Currencies), then press Synchronize.",
        )
    ]
    assert check(demo_ref, "invoice", invoice_data(currency="AUD")) == []


def test_locked_period_on_and_before_the_lock_date(demo_ref: MemoryReference) -> None:
    on_lock = invoice_data(issue_date="2025-06-30", due_date="2025-07-30")
    assert check(demo_ref, "invoice", on_lock) == [
        (
            "XERO_LOCKED_PERIOD",
            "issue_date",
            "issue_date 2025-06-30 is on or before the organisation's lock date 2025-06-30; "
            "Xero refuses documents in a locked period.",
        )
    ]
    after = invoice_data(issue_date="2025-07-01", due_date="2025-07-30")
    assert check(demo_ref, "invoice", after) == []
    voided = expense_data(date="2025-01-01", due_date=None, status="voided")
    assert [c[:2] for c in check(demo_ref, "expense", voided)] == [("XERO_LOCKED_PERIOD", "date")]


def test_contact_without_name_or_archived(demo_ref: MemoryReference) -> None:
    nameless = invoice_data(contact={"key": "c-9"})
    assert check(demo_ref, "invoice", nameless) == [
        (
            "XERO_CONTACT_INVALID",
            "contact.name",
            "contact.name is missing: Xero needs a name to find or create the contact (key 'c-9').",
        )
    ]
    archived = demo_ref.contact_by_name("Old Supplier Pty Ltd")
    assert archived is not None
    supplier = {"key": "s-1", "xero_contact_id": archived["ContactID"]}
    assert check(demo_ref, "expense", expense_data(supplier=supplier)) == [
        (
            "XERO_CONTACT_INVALID",
            "supplier.xero_contact_id",
            f"supplier.xero_contact_id '{archived['ContactID']}' is the archived Xero contact "
            "'Old Supplier Pty Ltd'; Xero refuses documents for archived contacts: restore it "
            "in Xero or use another contact.",
        )
    ]
    active = demo_ref.contact_by_name("PowerDirect")
    assert active is not None
    known = {"key": "s-2", "xero_contact_id": active["ContactID"]}
    assert check(demo_ref, "expense", expense_data(supplier=known)) == []


def test_negative_total_is_refused(demo_ref: MemoryReference) -> None:
    lines = [
        {"description": "a", "unit_amount": "100", "tax_type": "EXEMPTOUTPUT"},
        {"description": "b", "unit_amount": "-95"},
    ]
    assert check(demo_ref, "invoice", invoice_data(lines=lines)) == [
        (
            "VALIDATION_FAILED",
            "lines",
            "lines add up to a total of -4.50; Xero refuses a negative invoice: send the "
            "difference as a credit note.",
        )
    ]


def test_voided_document_skips_line_checks(demo_ref: MemoryReference) -> None:
    data = invoice_data(status="voided", lines=one_line(account_code="999"), currency="JPY")
    assert check(demo_ref, "invoice", data) == []


def test_every_problem_of_a_document_is_listed(demo_ref: MemoryReference) -> None:
    data = invoice_data(
        contact={"key": "k"},
        currency="JPY",
        issue_date="2025-01-01",
        lines=one_line(account_code="999") + one_line(tax_type="NOPE"),
    )
    assert [(code, field) for code, field, _ in check(demo_ref, "invoice", data)] == [
        ("XERO_LOCKED_PERIOD", "issue_date"),
        ("XERO_CONTACT_INVALID", "contact.name"),
        ("XERO_CURRENCY_NOT_ENABLED", "currency"),
        ("XERO_ACCOUNT_CODE_INVALID", "lines[0].account_code"),
        ("XERO_TAX_TYPE_INVALID", "lines[1].tax_type"),
    ]
