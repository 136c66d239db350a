"""Repeating invoice templates over plain HTTP: creating, deleting, listing and Xero's refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import XeroHttp
from xero_sandbox.resources import repeating_build

LINE = {"Description": "Monthly support", "Quantity": 1, "UnitAmount": "200.00"}
SCHEDULE = {
    "Period": 1,
    "Unit": "MONTHLY",
    "DueDate": 20,
    "DueDateType": "OFFOLLOWINGMONTH",
    "StartDate": "2026-04-01",
}


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _template(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactNumber": "CUST-001"},
        "Schedule": dict(SCHEDULE),
        "LineItems": [{**LINE, "AccountCode": "200"}],
        "Reference": "[Month]",
    }
    body.update(extra)
    return body


def _create(xero: XeroHttp, **extra: Any) -> dict[str, Any]:
    return xero.made("RepeatingInvoices", _template(**extra))


def test_create_prices_and_schedules(xero: XeroHttp) -> None:
    made = _create(xero, Status="AUTHORISED", Schedule={**SCHEDULE, "EndDate": "2026-12-01"})
    assert made["ID"] == made["RepeatingInvoiceID"]
    assert made["Status"] == "AUTHORISED"
    assert made["Contact"]["Name"] == "Bayside Club"
    assert (made["SubTotal"], made["TotalTax"], made["Total"]) == (
        Decimal("200.00"),
        Decimal("20.00"),
        Decimal("220.00"),
    )
    schedule = made["Schedule"]
    assert schedule["StartDate"] == schedule["NextScheduledDate"] == "/Date(1775001600000+0000)/"
    assert (schedule["Period"], schedule["Unit"], schedule["DueDate"]) == (1, "MONTHLY", 20)
    assert "EndDate" in schedule
    assert made["MarkAsSent"] is False and made["HasAttachments"] is False
    bill = _create(
        xero,
        Type="ACCPAY",
        Contact={"ContactNumber": "SUPP-001"},
        LineItems=[{**LINE, "AccountCode": "453"}],
    )
    assert bill["Type"] == "ACCPAY" and "Reference" not in bill
    assert bill["LineItems"][0]["TaxType"] == "INPUT"


def test_type_status_and_contact_are_checked(xero: XeroHttp) -> None:
    reply = xero.put("/RepeatingInvoices", _template(Type="SPEND"))
    assert reply.status == 400
    assert _messages(reply) == [repeating_build.TYPE_NEEDED]
    reply = xero.put("/RepeatingInvoices", _template(Status="DELETED"))
    assert _messages(reply) == ["A repeating invoice cannot be created with a status of DELETED."]
    body = _template()
    del body["Contact"]
    reply = xero.put("/RepeatingInvoices", body)
    assert _messages(reply) == [
        "The Contact must contain at least 1 of the following elements to identify the contact: "
        "Name, ContactID, ContactNumber"
    ]


def test_schedule_and_lines_are_checked(xero: XeroHttp) -> None:
    body = _template()
    del body["Schedule"]
    assert _messages(xero.put("/RepeatingInvoices", body)) == [repeating_build.SCHEDULE_NEEDED]
    bad = {"Period": 0, "Unit": "DAILY", "DueDateType": "SOON", "EndDate": "2026-01-01"}
    reply = xero.put("/RepeatingInvoices", _template(Schedule=bad))
    assert _messages(reply) == [
        "Schedule Period must be a whole number of 1 or more.",
        "Schedule Unit must be WEEKLY or MONTHLY.",
        "Schedule DueDate must be a whole number of 0 or more.",
        "Schedule DueDateType must be one of " + ", ".join(repeating_build.DUE_DATE_TYPES) + ".",
        "Schedule StartDate must be specified.",
    ]
    late_end = {**SCHEDULE, "EndDate": "2026-03-01"}
    reply = xero.put("/RepeatingInvoices", _template(Schedule=late_end))
    assert _messages(reply) == ["Schedule EndDate must be on or after its StartDate."]
    reply = xero.put("/RepeatingInvoices", _template(LineItems=[]))
    assert _messages(reply) == [repeating_build.NO_LINES]
    reply = xero.put("/RepeatingInvoices", _template(Status="AUTHORISED", LineItems=[LINE]))
    assert reply.status == 400
    assert _messages(reply) == ["Account code must be specified on every line item."]


def test_post_deletes_and_never_edits(xero: XeroHttp) -> None:
    made = _create(xero)
    path = f"/RepeatingInvoices/{made['RepeatingInvoiceID']}"
    reply = xero.post(path, {"RepeatingInvoices": [{"Reference": "Changed"}]})
    assert reply.status == 400
    assert _messages(reply) == [repeating_build.ONLY_DELETE]
    reply = xero.post(path, {"RepeatingInvoices": [{"Status": "DELETED"}]})
    assert reply.json["RepeatingInvoices"][0]["Status"] == "DELETED"
    reply = xero.post(
        "/RepeatingInvoices",
        {"RepeatingInvoices": [{"RepeatingInvoiceID": made["ID"], "Status": "DELETED"}]},
    )
    assert _messages(reply) == [repeating_build.ALREADY_DELETED]
    unknown = "5b2c3f00-3333-4bd2-9a6c-8e3d3c4e5f60"
    reply = xero.post("/RepeatingInvoices", {"RepeatingInvoiceID": unknown, "Status": "DELETED"})
    assert _messages(reply) == [f"Repeating invoice with ID '{unknown}' could not be found."]
    assert xero.post(f"/RepeatingInvoices/{unknown}", {"Status": "DELETED"}).status == 404
    assert xero.get(f"/RepeatingInvoices/{unknown}").status == 404
    created = xero.post("/RepeatingInvoices", {"RepeatingInvoices": [_template()]})
    assert created.json["RepeatingInvoices"][0]["Status"] == "DRAFT"


def test_list_where_and_order(xero: XeroHttp) -> None:
    first = _create(xero, Reference="A")
    _create(xero, Reference="B", Status="AUTHORISED")
    reply = xero.get("/RepeatingInvoices", params={"where": 'Status=="AUTHORISED"'})
    assert [t["Reference"] for t in reply.json["RepeatingInvoices"]] == ["B"]
    reply = xero.get("/RepeatingInvoices", params={"order": "Reference DESC"})
    assert [t["Reference"] for t in reply.json["RepeatingInvoices"]] == ["B", "A"]
    one = xero.get(f"/RepeatingInvoices/{first['RepeatingInvoiceID']}")
    assert one.json["RepeatingInvoices"][0]["Reference"] == "A"
