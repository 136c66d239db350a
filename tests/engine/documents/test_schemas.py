"""Intake validation: what a source app's user reads when a document is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerlink import kinds
from ledgerlink.documents import Expense, SalesInvoice, ValidationFailed
from ledgerlink.kinds import validate_document
from tests.engine.documents.factories import expense_data, invoice_data, with_line


def problems(kind: str, data: object) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate_document(kind, data)
    error = caught.value
    assert error.code == "VALIDATION_FAILED"
    assert error.http_status == 422
    assert error.field == error.errors[0].field
    assert error.message.startswith(error.errors[0].message)
    return [(e.field, e.message) for e in error.errors]


def test_valid_invoice_and_expense_parse_to_exact_decimals() -> None:
    invoice = validate_document("invoice", invoice_data())
    assert isinstance(invoice, SalesInvoice)
    assert invoice.lines[1].unit_amount == Decimal("80.50")
    assert invoice.issue_date == date(2026, 3, 2)
    assert invoice.amounts_are == "exclusive" and invoice.currency is None
    expense = validate_document("expense", expense_data())
    assert isinstance(expense, Expense) and expense.status == "approved"


def test_negative_quantity_is_refused_naming_the_line() -> None:
    data = with_line(invoice_data(), 1, quantity=-2)
    assert problems("invoice", data) == [
        (
            "lines[1].quantity",
            "lines[1].quantity must be greater than 0 (got -2): negative and zero quantities "
            "are refused; returns and refunds belong on a credit note.",
        )
    ]


def test_every_problem_is_reported_at_once() -> None:
    data = with_line(invoice_data(currency="xyz", status="paid"), 0, unit_amount="1.23456")
    data["lines"][1]["quantiy"] = 3
    data["issue_date"] = 0
    found = problems("invoice", data)
    assert found == [
        ("currency", "currency 'XYZ' is not an ISO 4217 currency code."),
        (
            "lines[0].unit_amount",
            "lines[0].unit_amount has more than 4 decimal places (got 1.23456).",
        ),
        (
            "lines[1].quantiy",
            "lines[1].quantiy is not a known field: check its spelling, or leave it out.",
        ),
        ("issue_date", "issue_date must be a date written YYYY-MM-DD (got 0)."),
        ("status", "status must be one of 'draft', 'sent' or 'voided' (got 'paid')."),
    ]
    with pytest.raises(ValidationFailed) as caught:
        validate_document("invoice", data)
    assert caught.value.message.endswith("(and 4 more problems)")
    assert [e["field"] for e in caught.value.as_dict()["errors"]][0] == "currency"


def test_ten_thousand_lines_are_refused_by_count_with_other_problems() -> None:
    lines = [{"description": "x", "unit_amount": "1"}] * 10_000
    found = problems("invoice", invoice_data(lines=lines, contact={"name": "No key"}))
    assert found == [
        (
            "lines",
            "lines has 10000 entries; at most 1000 lines are accepted per document: split it "
            "into several documents.",
        ),
        ("contact.key", "contact.key is required."),
    ]


def test_a_thousand_lines_are_accepted_and_none_refused() -> None:
    lines = [{"description": "x", "unit_amount": "1"}] * 1000
    assert len(validate_document("invoice", invoice_data(lines=lines)).lines) == 1000
    assert problems("invoice", invoice_data(lines=[])) == [
        ("lines", "lines needs at least 1 entry.")
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"unit_amount": "NaN"},
            ("lines[0].unit_amount", "lines[0].unit_amount must be a finite number (got 'NaN')."),
        ),
        (
            {"unit_amount": "Infinity"},
            (
                "lines[0].unit_amount",
                "lines[0].unit_amount must be a finite number (got 'Infinity').",
            ),
        ),
        (
            {"unit_amount": "ten"},
            ("lines[0].unit_amount", "lines[0].unit_amount must be a number (got 'ten')."),
        ),
        (
            {"unit_amount": "1000000000000"},
            (
                "lines[0].unit_amount",
                "lines[0].unit_amount must be less than 1000000000000 (got 1000000000000).",
            ),
        ),
        (
            {"quantity": "0"},
            (
                "lines[0].quantity",
                "lines[0].quantity must be greater than 0 (got 0): negative and zero quantities "
                "are refused; returns and refunds belong on a credit note.",
            ),
        ),
        (
            {"quantity": "1.00001"},
            (
                "lines[0].quantity",
                "lines[0].quantity has more than 4 decimal places (got 1.00001).",
            ),
        ),
        (
            {"account_code": 200},
            (
                "lines[0].account_code",
                'lines[0].account_code must be text (got 200); write codes as strings, e.g. "090".',
            ),
        ),
        (
            {"account_code": "12345678901"},
            ("lines[0].account_code", "lines[0].account_code is longer than 10 characters."),
        ),
        (
            {"discount_rate": "101"},
            ("lines[0].discount_rate", "lines[0].discount_rate must be at most 100 (got 101)."),
        ),
        (
            {"description": None},
            (
                "lines[0].description",
                "lines[0].description is required when no item_code is given.",
            ),
        ),
        (
            {
                "tracking": [
                    {"name": "Region", "option": "North"},
                    {"name": "region", "option": "South"},
                ]
            },
            ("lines[0].tracking", "lines[0].tracking names the same tracking category twice."),
        ),
        (
            {"tracking": [{"name": f"T{i}", "option": "o"} for i in range(3)]},
            ("lines[0].tracking", "lines[0].tracking has 3 entries; at most 2."),
        ),
        (
            {"tracking": [{"name": "Region"}]},
            ("lines[0].tracking[0].option", "lines[0].tracking[0].option is required."),
        ),
    ],
)
def test_line_rules(change: dict[str, object], expected: tuple[str, str]) -> None:
    assert problems("invoice", with_line(invoice_data(), 0, **change)) == [expected]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"due_date": "2026-03-01"},
            ("due_date", "due_date (2026-03-01) must be on or after issue_date (2026-03-02)."),
        ),
        (
            {"issue_date": "2026-02-30"},
            (
                "issue_date",
                "issue_date (2026-02-30) is not a calendar date.",
            ),
        ),
        (
            {"issue_date": "2026-03-02T10:00:00"},
            (
                "issue_date",
                "issue_date must be a date written YYYY-MM-DD (got '2026-03-02T10:00:00').",
            ),
        ),
        (
            {"currency": "DOLLARS"},
            (
                "currency",
                "currency must be a 3-letter ISO 4217 currency code such as AUD (got 'DOLLARS').",
            ),
        ),
        (
            {"amounts_are": "gross"},
            (
                "amounts_are",
                "amounts_are must be one of 'exclusive', 'inclusive' or 'no_tax' (got 'gross').",
            ),
        ),
        (
            {"url": "javascript:alert(1)"},
            ("url", "url must be an http:// or https:// address (got 'javascript:alert(1)')."),
        ),
        ({"number": "N" * 256}, ("number", "number is longer than 255 characters.")),
        ({"source_id": ""}, ("source_id", "source_id must not be empty.")),
        ({"contact": "Bayside"}, ("contact", "contact must be an object (got 'Bayside').")),
        ({"lines": "none"}, ("lines", "lines must be a list (got 'none').")),
    ],
)
def test_document_rules(changes: dict[str, object], expected: tuple[str, str]) -> None:
    assert problems("invoice", invoice_data(**changes)) == [expected]


def test_missing_contact_is_named() -> None:
    data = invoice_data()
    del data["contact"]
    assert problems("invoice", data) == [("contact", "contact is required.")]


def test_lowercase_currency_is_accepted_as_its_code() -> None:
    assert validate_document("invoice", invoice_data(currency=" usd ")).currency == "USD"


def test_expense_rules() -> None:
    discounted = expense_data(
        lines=[{"description": "a", "unit_amount": "1", "discount_rate": "5"}] * 3
    )
    assert problems("expense", discounted) == [
        (
            "lines[0].discount_rate",
            "lines[0].discount_rate is not accepted on an expense: Xero bills take no "
            "discounts, so send the discounted unit_amount instead (and 2 more lines).",
        )
    ]
    assert problems("expense", expense_data(due_date="2026-03-01")) == [
        ("due_date", "due_date (2026-03-01) must be on or after date (2026-03-05).")
    ]
    assert problems("expense", expense_data(status="sent")) == [
        ("status", "status must be one of 'draft', 'approved' or 'voided' (got 'sent').")
    ]
    assert validate_document("expense", expense_data(due_date=None)).due_date is None


def test_not_an_object_or_unknown_kind() -> None:
    assert problems("invoice", ["x"]) == [(None, "The invoice must be a JSON object (got list).")]
    known = kinds.names()  # every kind the registry has, in its order
    assert "invoice" in known and "payment" in known
    assert problems("paper", {}) == [("kind", f"kind must be one of {known} (got 'paper').")]


def test_strings_are_trimmed_and_models_are_frozen() -> None:
    invoice = validate_document("invoice", invoice_data(number="  ST-9 "))
    assert invoice.number == "ST-9"
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        invoice.number = "other"  # type: ignore[misc]


def test_openapi_schema_documents_every_field() -> None:
    schema = SalesInvoice.model_json_schema()
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
    line = schema["$defs"]["Line"]["properties"]
    assert all(p.get("description") for p in line.values())


JUNK: list[object] = [None, 0, -1, 1.5, "", "x" * 5000, [], {}, True, 1e308, "NaN", "-0", [1]]


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(data: object, path: tuple[object, ...], junk: object) -> object:
    import copy

    out = copy.deepcopy(data)
    target = out
    for part in path[:-1]:
        target = target[part]  # type: ignore[index]
    target[path[-1]] = junk  # type: ignore[index]
    return out


@pytest.mark.parametrize("kind", ["invoice", "expense"])
def test_junk_in_any_field_is_refused_or_accepted_never_a_crash(kind: str) -> None:
    data = invoice_data() if kind == "invoice" else expense_data()
    data["lines"][0]["tracking"] = [{"name": "Region", "option": "North"}]
    for path in _paths(data):
        for junk in JUNK:
            try:
                validate_document(kind, _replace(data, path, junk))
            except ValidationFailed as error:
                assert error.errors and all(e.field is None or e.field for e in error.errors)


def test_every_currency_xero_knows_is_accepted() -> None:
    from pathlib import Path

    from ledgerlink.documents.currencies import ISO_4217

    spec = Path(__file__).resolve().parents[4] / "shared/xero-openapi/xero_accounting.yaml"
    if not spec.is_file():
        pytest.skip(f"Xero OpenAPI spec not found at {spec}: currency check skipped")
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    codes = yaml.load(spec.read_text(encoding="utf-8"), Loader=loader)["components"]["schemas"]
    xero_codes = {c for c in codes["CurrencyCode"]["enum"] if len(c) == 3}
    assert len(xero_codes) > 150
    assert xero_codes - ISO_4217 == set()
