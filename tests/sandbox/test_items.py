from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def test_seeded_items_ordered_by_code(xero: XeroHttp) -> None:
    reply = xero.get("/Items")
    assert reply.status == 200
    items = reply.json["Items"]
    assert [i["Code"] for i in items] == ["CONSULT", "INSTALL", "WIDGET-BLUE"]
    widget = items[2]
    assert widget["IsTrackedAsInventory"] is True
    assert widget["QuantityOnHand"] == Decimal("20.0000")
    assert widget["TotalCostPool"] == Decimal("250.00")


def test_get_by_code_or_id_and_where(xero: XeroHttp) -> None:
    by_code = xero.get("/Items/WIDGET-BLUE")
    assert by_code.status == 200
    item_id = by_code.json["Items"][0]["ItemID"]
    assert xero.get(f"/Items/{item_id}").json["Items"][0]["Code"] == "WIDGET-BLUE"
    assert xero.get("/Items/NOPE").status == 404
    tracked = xero.get("/Items", params={"where": "IsTrackedAsInventory==true"})
    assert [i["Code"] for i in tracked.json["Items"]] == ["WIDGET-BLUE"]


def test_create_and_duplicate_code(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Items",
        {
            "Items": [
                {
                    "Code": "abc",
                    "Name": "Thing",
                    "SalesDetails": {"UnitPrice": 10.125, "AccountCode": "200"},
                },
                {"Code": "CONSULT", "Name": "Again"},
            ]
        },
        params={"summarizeErrors": "false"},
    )
    assert reply.status == 200
    first, second = reply.json["Items"]
    assert first["StatusAttributeString"] == "OK"
    assert first["SalesDetails"]["UnitPrice"] == Decimal("10.13")
    assert first["IsTrackedAsInventory"] is False
    assert second["StatusAttributeString"] == "ERROR"
    assert second["ValidationErrors"] == [
        {"Message": "Price List Item with Code ''CONSULT'' already exists"}
    ]


def test_unitdp_four_keeps_four_places(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Items",
        {"Code": "FINE", "SalesDetails": {"UnitPrice": "1.23456"}},
        params={"unitdp": "4"},
    )
    assert reply.json["Items"][0]["SalesDetails"]["UnitPrice"] == Decimal("1.2346")
    shown = xero.get("/Items/FINE")
    assert shown.json["Items"][0]["SalesDetails"]["UnitPrice"] == Decimal("1.23")


def test_field_rules(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Items",
        {
            "Code": "C" * 31,
            "Name": "N" * 51,
            "SalesDetails": {"AccountCode": "999"},
            "InventoryAssetAccountCode": "200",
        },
    )
    assert reply.status == 400
    assert _messages(reply) == [
        "Code must not be more than 30 characters long.",
        "Name must not be more than 50 characters long.",
        "Account code '999' is not a valid code for this document.",
        "The InventoryAssetAccountCode must be an account of type INVENTORY.",
        "A COGSAccountCode in PurchaseDetails is required for a tracked item.",
    ]
    missing = xero.put("/Items", {"Name": "No code"})
    assert _messages(missing) == ["Item Code is required."]


def test_create_tracked_item_is_read_only_derived(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Items",
        {
            "Code": "GADGET",
            "InventoryAssetAccountCode": "630",
            "PurchaseDetails": {"COGSAccountCode": "310", "UnitPrice": 5},
            "IsTrackedAsInventory": False,
            "QuantityOnHand": 99,
        },
    )
    assert reply.status == 200
    item = reply.json["Items"][0]
    assert item["IsTrackedAsInventory"] is True
    assert item["QuantityOnHand"] == 0
    assert item["TotalCostPool"] == 0


def test_post_upserts_by_code_and_is_sold_false_clears_sales(xero: XeroHttp) -> None:
    reply = xero.post("/Items", {"Code": "install", "Name": "Install v2", "IsSold": False})
    assert reply.status == 200
    item = reply.json["Items"][0]
    assert item["Code"] == "install"
    assert item["Name"] == "Install v2"
    assert "SalesDetails" not in item and "Description" not in item
    assert len(xero.get("/Items").json["Items"]) == 3


def test_post_by_path_renames_code(xero: XeroHttp) -> None:
    consult = xero.get("/Items/CONSULT").json["Items"][0]
    reply = xero.post(f"/Items/{consult['ItemID']}", {"Code": "ADVICE"})
    assert reply.json["Items"][0]["Code"] == "ADVICE"
    clash = xero.post(f"/Items/{consult['ItemID']}", {"Code": "INSTALL"})
    assert clash.status == 400
    assert _messages(clash) == ["Price List Item with Code ''INSTALL'' already exists"]


def test_tracked_item_with_stock_cannot_be_untracked(xero: XeroHttp) -> None:
    reply = xero.post("/Items/WIDGET-BLUE", {"InventoryAssetAccountCode": ""})
    assert reply.status == 400
    assert _messages(reply) == [
        "COGSAccountCode can only be set on a tracked item, which needs an "
        "InventoryAssetAccountCode.",
        "A tracked item with stock on hand cannot be made untracked.",
    ]


def test_delete_unused_item_and_refuse_used_tracked(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    consult = xero.get("/Items/CONSULT").json["Items"][0]
    reply = xero.delete(f"/Items/{consult['ItemID']}")
    assert reply.status == 204
    assert reply.text == ""
    assert xero.get("/Items/CONSULT").status == 404
    org = sandbox.state.org_by_key("demo")
    assert org is not None
    org.invoices["x"] = {"LineItems": [{"ItemCode": "WIDGET-BLUE", "Quantity": 1}]}
    widget = xero.get("/Items/WIDGET-BLUE").json["Items"][0]
    refused = xero.delete(f"/Items/{widget['ItemID']}")
    assert refused.status == 400
    assert _messages(refused) == [
        "The item 'WIDGET-BLUE' is a tracked inventory item that has been used in transactions "
        "and cannot be deleted."
    ]


def test_if_modified_since(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.clock.advance(2)
    xero.post("/Items/INSTALL", {"Name": "Changed"})
    reply = xero.get("/Items", headers={"If-Modified-Since": since})
    assert [i["Code"] for i in reply.json["Items"]] == ["INSTALL"]


def _invoice(kind: str, quantity: int, status: str = "AUTHORISED") -> dict[str, Any]:
    return {
        "Type": kind,
        "Contact": {"ContactNumber": "SUPP-001"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": status,
        "LineItems": [{"ItemCode": "WIDGET-BLUE", "Quantity": quantity}],
    }


def _stock(xero: XeroHttp) -> tuple[Decimal, Decimal]:
    item = xero.get("/Items/WIDGET-BLUE").json["Items"][0]
    return item["QuantityOnHand"], item["TotalCostPool"]


def test_tracked_stock_moves_with_bills_and_sales(xero: XeroHttp) -> None:
    bill = xero.put("/Invoices", _invoice("ACCPAY", 10))
    assert bill.status == 200, bill.text
    line = bill.json["Invoices"][0]["LineItems"][0]
    assert line["AccountCode"] == "630"
    assert line["UnitAmount"] == Decimal("12.50")
    assert _stock(xero) == (Decimal("30.0000"), Decimal("375.00"))
    sale = xero.put("/Invoices", _invoice("ACCREC", 6))
    assert sale.status == 200, sale.text
    assert sale.json["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("25.00")
    assert _stock(xero) == (Decimal("24.0000"), Decimal("300.00"))
    invoice_id = sale.json["Invoices"][0]["InvoiceID"]
    voided = xero.post(f"/Invoices/{invoice_id}", {"Status": "VOIDED"})
    assert voided.status == 200, voided.text
    assert _stock(xero) == (Decimal("30.0000"), Decimal("375.00"))


def test_selling_beyond_stock_needs_allow_backorders(xero: XeroHttp) -> None:
    refused = xero.put("/Invoices", _invoice("ACCREC", 21))
    assert refused.status == 400
    assert _messages(refused) == [
        "The quantity on hand for item 'WIDGET-BLUE' is insufficient: 20.0000 on hand, 21.0000 "
        "required. Use allowBackorders to sell more than is on hand."
    ]
    assert _stock(xero) == (Decimal("20.0000"), Decimal("250.00"))
    draft = xero.put("/Invoices", _invoice("ACCREC", 21, status="DRAFT"))
    assert draft.status == 200
    allowed = xero.put("/Invoices", _invoice("ACCREC", 21), params={"allowBackorders": "true"})
    assert allowed.status == 200, allowed.text
    assert _stock(xero) == (Decimal("-1.0000"), Decimal("0.00"))


def test_huge_unit_price_is_refused(xero: XeroHttp) -> None:
    reply = xero.put("/Items", {"Code": "BIG", "SalesDetails": {"UnitPrice": "1e20"}})
    assert reply.status == 400
    assert _messages(reply) == ["SalesDetails.UnitPrice must be less than 1,000,000,000,000."]


def test_a_tracked_item_goes_untracked_only_while_unused(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    """Xero converts a tracked item back only if no transaction used it (Inventory_Convert)."""
    for code in ("FRESH", "SOLD"):
        body = {
            "Code": code,
            "InventoryAssetAccountCode": "630",
            "PurchaseDetails": {"COGSAccountCode": "310"},
        }
        assert xero.put("/Items", body).json["Items"][0]["IsTrackedAsInventory"] is True
    org = sandbox.state.org_by_key("demo")
    assert org is not None
    org.invoices["x"] = {"LineItems": [{"ItemCode": "SOLD", "Quantity": 0}]}
    untrack = {"InventoryAssetAccountCode": "", "PurchaseDetails": {"UnitPrice": 1}}
    fresh = xero.post("/Items/FRESH", untrack)
    assert fresh.status == 200, fresh.text
    assert fresh.json["Items"][0]["IsTrackedAsInventory"] is False
    sold = xero.post("/Items/SOLD", untrack)
    assert sold.status == 400
    assert _messages(sold) == ["A tracked item used in transactions cannot be made untracked."]
