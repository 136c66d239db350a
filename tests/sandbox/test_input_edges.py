"""Edges found in review: values .NET cannot hold, nested contact data, headers on every reply."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx2

from tests.conftest import RunningSandbox, XeroHttp
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port


def invoice(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-03-02",
        "DueDate": "2026-03-16",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
        ],
    }
    body.update(changes)
    return body


def test_a_date_beyond_any_calendar_is_post_data_invalid(xero: XeroHttp) -> None:
    for value in ("/Date(99999999999999999999)/", "/Date(-99999999999999+0000)/"):
        reply = xero.put("/Invoices", {"Invoices": [invoice(Date=value)]})
        assert reply.status == 400, reply.text
        assert reply.json["Type"] == "PostDataInvalidException"
        assert reply.json["ErrorNumber"] == 14
        assert "Could not convert string to DateTime" in reply.json["Message"]


def test_a_number_beyond_a_dotnet_decimal_is_post_data_invalid(xero: XeroHttp) -> None:
    raw = (
        b'{"Invoices":[{"Type":"ACCREC","Contact":{"Name":"Bayside Club"},'
        b'"LineItems":[{"Description":"x","Quantity":1E+999999999,"UnitAmount":1,'
        b'"AccountCode":"200"}]}]}'
    )
    reply = xero.put("/Invoices", raw=raw)
    assert reply.status == 400, reply.text
    assert reply.json["Type"] == "PostDataInvalidException"
    assert "too large or too small for a Decimal" in reply.json["Message"]
    assert "Quantity" in reply.json["Message"]


def test_payment_terms_are_checked_and_then_give_the_due_date(xero: XeroHttp) -> None:
    bad = xero.put(
        "/Contacts",
        {
            "Contacts": [
                {
                    "Name": "Terms Ltd",
                    "PaymentTerms": {"Sales": {"Day": 45, "Type": "OFFOLLOWINGMONTH"}},
                }
            ]
        },
    )
    assert bad.status == 400
    message = bad.json["Elements"][0]["ValidationErrors"][0]["Message"]
    assert message == (
        "PaymentTerms.Sales.Day must be a whole number from 1 to 31 for OFFOLLOWINGMONTH."
    )
    wrong_type = xero.put(
        "/Contacts",
        {"Contacts": [{"Name": "Terms Ltd", "PaymentTerms": {"Sales": {"Day": "x", "Type": 5}}}]},
    )
    assert wrong_type.status == 400 and wrong_type.json["Type"] == "PostDataInvalidException"
    good = xero.put(
        "/Contacts",
        {
            "Contacts": [
                {
                    "Name": "Terms Ltd",
                    "PaymentTerms": {"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}},
                }
            ]
        },
    )
    assert good.status == 200, good.text
    created = xero.put(
        "/Invoices",
        {"Invoices": [invoice(Contact={"Name": "Terms Ltd"}, Status="AUTHORISED", DueDate=None)]},
    )
    assert created.status == 200, created.text
    assert created.json["Invoices"][0]["DueDateString"].startswith("2026-04-20")


def test_a_contact_name_that_is_not_text_is_post_data_invalid(xero: XeroHttp) -> None:
    reply = xero.put("/Invoices", {"Invoices": [invoice(Contact={"Name": ["a"]})]})
    assert reply.status == 400
    assert reply.json["Type"] == "PostDataInvalidException"
    assert "Contact.Name" in reply.json["Message"]
    names = [c["Name"] for c in xero.get("/Contacts").json["Contacts"]]
    assert "['a']" not in names


def test_unknown_paths_and_methods_carry_the_limit_headers(xero: XeroHttp) -> None:
    missing = xero.get("/Nope")
    assert missing.status == 404
    assert missing.headers["X-MinLimit-Remaining"] == "59"
    wrong = xero.delete("/Organisation")
    assert wrong.status == 405
    assert wrong.headers["X-MinLimit-Remaining"] == "58"
    assert "X-DayLimit-Remaining" in wrong.headers and "X-AppMinLimit-Remaining" in wrong.headers


def test_idempotency_key_is_not_applied_to_deletes(xero: XeroHttp) -> None:
    item = xero.put("/Items", {"Items": [{"Code": "TMP-1", "Name": "Temporary"}]})
    other = xero.put("/Items", {"Items": [{"Code": "TMP-2", "Name": "Temporary 2"}]})
    first = item.json["Items"][0]["ItemID"]
    second = other.json["Items"][0]["ItemID"]
    key = {"Idempotency-Key": "delete-key-1"}
    assert xero.delete(f"/Items/{first}", headers=key).status == 204
    again = xero.delete(f"/Items/{second}", headers=key)
    assert again.status == 204, again.text
    assert xero.get(f"/Items/{second}").status == 404


def test_a_configured_webhook_url_is_checked_with_intent_to_receive_at_start() -> None:
    nobody = f"http://127.0.0.1:{free_port()}/webhooks"
    with SandboxServer(SandboxConfig(webhook_url=nobody)) as server:
        status: dict[str, Any] = {}
        for _ in range(400):  # the check runs in the background right after start
            status = httpx2.get(server.url + "/_sandbox/webhooks", timeout=10).json()
            if status["status"] != "PENDING":
                break
            time.sleep(0.025)
        assert status["status"] == "FAILED"
        assert "Intent to Receive failed: payload 1 of 4" in status["reason"]


def test_default_webhook_retries_last_a_day_like_xero(sandbox: RunningSandbox) -> None:
    retries = sandbox.config.webhook_retry_seconds
    assert retries[0] == 0
    assert sum(Decimal(str(s)) for s in retries) >= 24 * 3600


def test_four_place_unit_amounts_show_to_two_places_unless_asked(xero: XeroHttp) -> None:
    line = {"Description": "Ink", "Quantity": 3, "UnitAmount": "1.2346", "AccountCode": "200"}
    made = xero.put("/Invoices", {"Invoices": [invoice(LineItems=[line])]}, params={"unitdp": 4})
    assert made.status == 200, made.text
    created = made.json["Invoices"][0]
    assert created["LineItems"][0]["UnitAmount"] == Decimal("1.2346")
    assert created["SubTotal"] == Decimal("3.70")
    plain = xero.get(f"/Invoices/{created['InvoiceID']}").json["Invoices"][0]
    assert plain["LineItems"][0]["UnitAmount"] == Decimal("1.23")
    assert plain["SubTotal"] == Decimal("3.70")
    four = xero.get(f"/Invoices/{created['InvoiceID']}", params={"unitdp": 4})
    assert four.json["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("1.2346")
