"""Branding themes, payment services, and the BrandingThemeID documents carry, over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero

MISSING = "8f2a4c44-1b1e-4f57-9d55-444444444444"


@pytest.fixture
def pay(sandbox: RunningSandbox) -> Iterator[XeroHttp]:
    """A token with the paymentservices scope (payment services need it, nothing else does)."""
    client = scoped_xero(sandbox.url, DEMO_TENANT, "paymentservices")
    try:
        yield client
    finally:
        client.close()


def _themes(xero: XeroHttp) -> list[dict[str, Any]]:
    themes: list[dict[str, Any]] = xero.get("/BrandingThemes").json["BrandingThemes"]
    return themes


def _messages(reply: Any) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][0]["ValidationErrors"]]


def _invoice(**extra: Any) -> dict[str, Any]:
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactNumber": "CUST-001"},
        "Date": "2026-01-15",
        "DueDate": "2026-02-15",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": 50, "AccountCode": "200"}
        ],
    }
    body.update(extra)
    return body


def test_standard_theme_first_then_the_others(xero: XeroHttp) -> None:
    themes = _themes(xero)
    assert [(t["Name"], t["SortOrder"]) for t in themes] == [
        ("Standard", 0),
        ("Special Projects", 1),
    ]
    for theme in themes:
        assert theme["Type"] == "INVOICE"
        assert theme["CreatedDateUTC"].startswith("/Date(")
    one = xero.get(f"/BrandingThemes/{themes[1]['BrandingThemeID']}")
    assert one.status == 200
    assert one.json["BrandingThemes"] == [themes[1]]
    missing = xero.get(f"/BrandingThemes/{MISSING}")
    assert missing.status == 404
    assert missing.text == "The resource you're looking for cannot be found"


def test_sales_invoice_takes_the_default_theme(xero: XeroHttp) -> None:
    standard = _themes(xero)[0]["BrandingThemeID"]
    sale = xero.put("/Invoices", _invoice()).json["Invoices"][0]
    assert sale["BrandingThemeID"] == standard
    bill = xero.put("/Invoices", _invoice(Type="ACCPAY")).json["Invoices"][0]
    assert "BrandingThemeID" not in bill


def test_a_named_theme_is_kept_and_can_change(xero: XeroHttp) -> None:
    standard, special = (t["BrandingThemeID"] for t in _themes(xero))
    made = xero.put("/Invoices", _invoice(BrandingThemeID=special.upper())).json["Invoices"][0]
    assert made["BrandingThemeID"] == special
    fetched = xero.get(f"/Invoices/{made['InvoiceID']}").json["Invoices"][0]
    assert fetched["BrandingThemeID"] == special
    xero.post(f"/Invoices/{made['InvoiceID']}", {"Reference": "no theme named"})
    kept = xero.get(f"/Invoices/{made['InvoiceID']}").json["Invoices"][0]
    assert kept["BrandingThemeID"] == special
    changed = xero.post(f"/Invoices/{made['InvoiceID']}", {"BrandingThemeID": standard})
    assert changed.json["Invoices"][0]["BrandingThemeID"] == standard


def test_unknown_theme_is_refused(xero: XeroHttp) -> None:
    reply = xero.put("/Invoices", _invoice(BrandingThemeID=MISSING))
    assert reply.status == 400
    assert reply.json["Message"] == "A validation exception occurred"
    assert _messages(reply) == [f"Branding Theme with ID {MISSING} doesn't exist."]
    note = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactNumber": "CUST-001"},
        "BrandingThemeID": "not-a-theme",
        "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 5}],
    }
    refused = xero.put("/CreditNotes", note)
    assert refused.status == 400
    assert _messages(refused) == ["Branding Theme with ID not-a-theme doesn't exist."]


def test_credit_note_takes_the_default_theme(xero: XeroHttp) -> None:
    standard = _themes(xero)[0]["BrandingThemeID"]
    note = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactNumber": "CUST-001"},
        "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 5}],
    }
    made = xero.put("/CreditNotes", note).json["CreditNotes"][0]
    assert made["BrandingThemeID"] == standard


def test_payment_services_need_their_scope(xero: XeroHttp) -> None:
    theme = _themes(xero)[0]["BrandingThemeID"]
    for path in ("/PaymentServices", f"/BrandingThemes/{theme}/PaymentServices"):
        reply = xero.get(path)
        assert reply.status == 401, path
        assert reply.json["Detail"] == "AuthorizationUnsuccessful"


def test_create_payment_service_and_apply_it_to_a_theme(xero: XeroHttp, pay: XeroHttp) -> None:
    theme = _themes(xero)[1]["BrandingThemeID"]
    service = {
        "PaymentServiceName": "PayUpNow",
        "PaymentServiceUrl": "https://www.payupnow.example/?invoiceno=[INVOICENUMBER]",
        "PayNowText": "Time To Pay",
    }
    made = pay.put("/PaymentServices", {"PaymentServices": [service]})
    assert made.status == 200
    created = made.json["PaymentServices"][0]
    assert created["PaymentServiceType"] == "Custom"
    assert created["PayNowText"] == "Time To Pay"
    assert pay.get("/PaymentServices").json["PaymentServices"] == [created]
    path = f"/BrandingThemes/{theme}/PaymentServices"
    assert pay.get(path).json["PaymentServices"] == []
    applied = pay.post(
        path, {"PaymentServices": [{"PaymentServiceID": created["PaymentServiceID"]}]}
    )
    assert applied.status == 200
    assert applied.json["PaymentServices"] == [created]
    again = pay.post(path, {"PaymentServiceID": created["PaymentServiceID"]})
    assert again.status == 200
    assert pay.get(path).json["PaymentServices"] == [created]
    standard = _themes(xero)[0]["BrandingThemeID"]
    assert pay.get(f"/BrandingThemes/{standard}/PaymentServices").json["PaymentServices"] == []


def test_payment_service_rules(xero: XeroHttp, pay: XeroHttp) -> None:
    empty = pay.put("/PaymentServices", {"PaymentServices": [{"PayNowText": "Pay"}]})
    assert empty.status == 400
    assert _messages(empty) == ["PaymentServiceName is required.", "PaymentServiceUrl is required."]
    relative = {"PaymentServiceName": "Local", "PaymentServiceUrl": "pay/here"}
    assert _messages(pay.put("/PaymentServices", relative)) == [
        "PaymentServiceUrl must be a valid absolute URL (http or https)."
    ]
    theme = _themes(xero)[0]["BrandingThemeID"]
    unknown = pay.post(
        f"/BrandingThemes/{theme}/PaymentServices",
        {"PaymentServices": [{"PaymentServiceID": MISSING}]},
    )
    assert unknown.status == 400
    assert _messages(unknown) == ["Payment service could not be found"]
    no_theme = pay.get(f"/BrandingThemes/{MISSING}/PaymentServices")
    assert no_theme.status == 404
