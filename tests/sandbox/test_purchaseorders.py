from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import XeroHttp

LINE = {"Description": "Paper", "Quantity": 2, "UnitAmount": "10.00", "AccountCode": "453"}


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _po(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Contact": {"ContactNumber": "SUPP-001"},
        "Date": "2026-01-10",
        "LineItems": [dict(LINE)],
    }
    body.update(extra)
    return body


def _create(xero: XeroHttp, **extra: Any) -> dict[str, Any]:
    reply = xero.put("/PurchaseOrders", {"PurchaseOrders": [_po(**extra)]})
    assert reply.status == 200, reply.text
    return reply.json["PurchaseOrders"][0]


def test_create_numbers_and_totals(xero: XeroHttp) -> None:
    first = _create(xero)
    assert first["PurchaseOrderNumber"] == "PO-0001"
    assert first["Status"] == "DRAFT"
    assert first["Contact"]["Name"] == "Office Supplies Co"
    assert (first["SubTotal"], first["TotalTax"], first["Total"]) == (
        Decimal("20.00"),
        Decimal("2.00"),
        Decimal("22.00"),
    )
    assert first["LineItems"][0]["TaxType"] == "INPUT"
    second = _create(xero, LineAmountTypes="Inclusive")
    assert second["PurchaseOrderNumber"] == "PO-0002"
    assert (second["SubTotal"], second["TotalTax"], second["Total"]) == (
        Decimal("18.18"),
        Decimal("1.82"),
        Decimal("20.00"),
    )


def test_number_must_be_unique(xero: XeroHttp) -> None:
    _create(xero, PurchaseOrderNumber="ORD-9")
    reply = xero.put("/PurchaseOrders", _po(PurchaseOrderNumber="ord-9"))
    assert reply.status == 400
    assert _messages(reply) == ["Order number must be unique"]


def test_contact_must_exist_and_is_never_created(xero: XeroHttp) -> None:
    reply = xero.put("/PurchaseOrders", _po(Contact={"Name": "Nobody Pty Ltd"}))
    assert reply.status == 400
    assert _messages(reply) == ["The contact 'Nobody Pty Ltd' could not be found."]
    names = [c["Name"] for c in xero.get("/Contacts").json["Contacts"]]
    assert "Nobody Pty Ltd" not in names
    missing = xero.put("/PurchaseOrders", _po(Contact={}))
    assert _messages(missing) == [
        "The Contact must contain at least 1 of the following elements to identify the "
        "contact: Name, ContactID, ContactNumber"
    ]


def test_line_accounts_and_delivery_instructions(xero: XeroHttp) -> None:
    bad = dict(LINE, AccountCode="090")
    reply = xero.put("/PurchaseOrders", _po(LineItems=[bad], DeliveryInstructions="x" * 501))
    assert reply.status == 400
    assert _messages(reply) == [
        "DeliveryInstructions must not be more than 500 characters long.",
        "Account code '090' is not a valid code for this document.",
    ]
    no_lines = xero.put("/PurchaseOrders", _po(LineItems=[]))
    assert _messages(no_lines) == ["A purchase order must have at least one line item."]


def test_sent_to_contact_only_on_authorised(xero: XeroHttp) -> None:
    reply = xero.put(
        "/PurchaseOrders", _po(SentToContact=True), params={"summarizeErrors": "false"}
    )
    assert reply.status == 200
    po = reply.json["PurchaseOrders"][0]
    assert po["StatusAttributeString"] == "WARNING"
    assert po["Warnings"] == [
        {"Message": "Only AUTHORISED and BILLED purchase orders may have SentToContact updated."}
    ]
    assert po["SentToContact"] is False
    authorised = _create(xero, Status="AUTHORISED", SentToContact=True)
    assert authorised["SentToContact"] is True


def test_status_changes(xero: XeroHttp) -> None:
    po = _create(xero, Status="SUBMITTED")
    path = f"/PurchaseOrders/{po['PurchaseOrderID']}"
    back = xero.post(path, {"Status": "DRAFT"})
    assert back.status == 400
    assert _messages(back) == [
        "The purchase order status cannot be changed from SUBMITTED to DRAFT."
    ]
    assert xero.post(path, {"Status": "AUTHORISED"}).json["PurchaseOrders"][0]["Status"] == (
        "AUTHORISED"
    )
    billed = xero.post(path, {"Status": "BILLED"})
    assert billed.json["PurchaseOrders"][0]["Status"] == "BILLED"
    edit = xero.post(path, {"Reference": "changed"})
    assert _messages(edit) == ["A billed purchase order cannot be edited."]
    assert xero.post(path, {"Status": "AUTHORISED"}).status == 200
    assert xero.post(path, {"Status": "DELETED"}).json["PurchaseOrders"][0]["Status"] == "DELETED"
    dead = xero.post(path, {"Status": "AUTHORISED"})
    assert _messages(dead) == ["A deleted purchase order cannot be modified."]
    created_billed = xero.put("/PurchaseOrders", _po(Status="BILLED"))
    assert _messages(created_billed) == [
        "A purchase order cannot be created with a status of BILLED."
    ]


def test_get_by_id_number_filters_and_enforced_paging(xero: XeroHttp) -> None:
    a = _create(xero, Date="2026-01-05")
    _create(xero, Date="2026-02-05", Status="AUTHORISED")
    by_number = xero.get(f"/PurchaseOrders/{a['PurchaseOrderNumber']}")
    assert by_number.json["PurchaseOrders"][0]["PurchaseOrderID"] == a["PurchaseOrderID"]
    assert xero.get("/PurchaseOrders/PO-9999").status == 404
    listed = xero.get("/PurchaseOrders")
    assert listed.json["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 1, "itemCount": 2}
    authorised = xero.get("/PurchaseOrders", params={"Status": "AUTHORISED"})
    assert [p["Status"] for p in authorised.json["PurchaseOrders"]] == ["AUTHORISED"]
    january = xero.get("/PurchaseOrders", params={"DateFrom": "2026-01-01", "DateTo": "2026-01-31"})
    assert [p["PurchaseOrderID"] for p in january.json["PurchaseOrders"]] == [a["PurchaseOrderID"]]
    page2 = xero.get("/PurchaseOrders", params={"page": 2, "pageSize": 1, "order": "Date DESC"})
    assert page2.json["PurchaseOrders"][0]["PurchaseOrderID"] == a["PurchaseOrderID"]


def test_post_updates_by_number_and_replaces_lines(xero: XeroHttp) -> None:
    po = _create(xero)
    reply = xero.post(
        "/PurchaseOrders",
        {
            "PurchaseOrderNumber": po["PurchaseOrderNumber"],
            "LineItems": [
                {"Description": "Toner", "Quantity": 1, "UnitAmount": 50, "AccountCode": "453"}
            ],
        },
    )
    assert reply.status == 200
    updated = reply.json["PurchaseOrders"][0]
    assert updated["PurchaseOrderID"] == po["PurchaseOrderID"]
    assert [line["Description"] for line in updated["LineItems"]] == ["Toner"]
    assert updated["Total"] == Decimal("55.00")


def test_unknown_status_and_bad_date(xero: XeroHttp) -> None:
    reply = xero.put("/PurchaseOrders", _po(Status="PAID"))
    assert _messages(reply) == ["Purchase order Status 'PAID' is not valid."]
    bad = xero.put("/PurchaseOrders", _po(Date="not a date"))
    assert bad.status == 400
    assert bad.json["Type"] == "PostDataInvalidException"


def test_currency_rules(xero: XeroHttp) -> None:
    reply = xero.put("/PurchaseOrders", _po(CurrencyCode="JPY", CurrencyRate=0))
    assert reply.status == 400
    assert _messages(reply) == [
        "Organisation is not subscribed to currency JPY",
        "CurrencyRate must be greater than zero.",
    ]
    usd = _create(xero, CurrencyCode="usd", CurrencyRate="0.65")
    assert (usd["CurrencyCode"], usd["CurrencyRate"]) == ("USD", Decimal("0.65"))
