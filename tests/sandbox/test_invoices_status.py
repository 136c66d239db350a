"""Invoice status changes, updates, batches with summarizeErrors, and the list GET."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def invoice(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "DRAFT",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": "100", "AccountCode": "200"}
        ],
    }
    base.update(extra)
    return base


def create(xero: XeroHttp, **extra: Any) -> dict[str, Any]:
    reply = xero.put("/Invoices", invoice(**extra))
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json["Invoices"][0]
    return made


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def test_status_transitions(xero: XeroHttp) -> None:
    draft = create(xero)
    path = f"/Invoices/{draft['InvoiceID']}"
    assert xero.post(path, {"Status": "SUBMITTED"}).json["Invoices"][0]["Status"] == "SUBMITTED"
    assert xero.post(path, {"Status": "DRAFT"}).json["Invoices"][0]["Status"] == "DRAFT"
    assert xero.post(path, {"Status": "AUTHORISED"}).json["Invoices"][0]["Status"] == "AUTHORISED"
    for refused in ("DRAFT", "SUBMITTED", "DELETED", "PAID"):
        assert messages(xero.post(path, {"Status": refused})) == [
            "Invoice not of valid status for modification"
        ]
    voided = xero.post(path, {"Status": "VOIDED"}).json["Invoices"][0]
    assert (voided["Status"], voided["AmountDue"]) == ("VOIDED", 0)
    assert messages(xero.post(path, {"Status": "AUTHORISED"})) == [
        "Invoice not of valid status for modification"
    ]
    other = create(xero)
    deleted = xero.post(f"/Invoices/{other['InvoiceID']}", {"Status": "DELETED"})
    assert deleted.json["Invoices"][0]["Status"] == "DELETED"


def test_update_replaces_lines_without_ids(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    made = create(
        xero,
        LineItems=[
            {"Description": "Keep", "Quantity": 1, "UnitAmount": "10", "AccountCode": "200"},
            {"Description": "Drop", "Quantity": 1, "UnitAmount": "20", "AccountCode": "200"},
        ],
    )
    kept_id = made["LineItems"][0]["LineItemID"]
    dropped_id = made["LineItems"][1]["LineItemID"]
    body = {
        "InvoiceID": made["InvoiceID"],
        "LineItems": [
            {"LineItemID": kept_id, "Quantity": 2},
            {"Description": "Drop", "Quantity": 1, "UnitAmount": "20", "AccountCode": "200"},
        ],
    }
    sandbox.state.clock.advance(5)
    updated = xero.post("/Invoices", {"Invoices": [body]}).json["Invoices"][0]
    ids = [li["LineItemID"] for li in updated["LineItems"]]
    assert ids[0] == kept_id and ids[1] != dropped_id
    assert updated["LineItems"][0]["Description"] == "Keep"
    assert updated["Total"] == D("44.00")
    assert updated["UpdatedDateUTC"] != made["UpdatedDateUTC"]
    events = [(e.event_type, e.resource_id) for e in sandbox.state.events]
    assert ("UPDATE", made["InvoiceID"]) in events


def test_post_matches_sales_invoice_by_number(xero: XeroHttp) -> None:
    made = create(xero, InvoiceNumber="JOB-77")
    again = xero.post("/Invoices", invoice(InvoiceNumber="JOB-77", Reference="second"))
    assert again.status == 200
    shown = again.json["Invoices"][0]
    assert (shown["InvoiceID"], shown["Reference"]) == (made["InvoiceID"], "second")
    assert len(xero.get("/Invoices").json["Invoices"]) == 1
    assert (
        xero.post("/Invoices/00000000-0000-0000-0000-000000000009", {"Status": "DELETED"}).status
        == 404
    )
    assert messages(xero.put("/Invoices", invoice(InvoiceID=made["InvoiceID"]))) == [
        f"Invoice with ID '{made['InvoiceID']}' already exists; use POST to update it."
    ]


def test_edits_refused_once_money_is_applied(xero: XeroHttp) -> None:
    made = create(xero, Status="AUTHORISED")
    paid = xero.put(
        "/Payments",
        {
            "Invoice": {"InvoiceID": made["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": "2026-01-20",
            "Amount": 10,
        },
    )
    assert paid.status == 200, paid.text
    path = f"/Invoices/{made['InvoiceID']}"
    refusal = ["This document cannot be edited as it has a payment or credit note allocated to it."]
    assert messages(xero.post(path, {"LineItems": []})) == refusal
    assert messages(xero.post(path, {"Status": "VOIDED"})) == refusal
    assert xero.post(path, {"DueDate": "2026-03-01", "SentToContact": True}).status == 200


def batch(good: int, bad_at: tuple[int, ...]) -> dict[str, Any]:
    items = []
    for index in range(good + len(bad_at)):
        doc = invoice(Reference=f"R{index}")
        if index in bad_at:
            doc["LineItems"][0]["AccountCode"] = "999"
        items.append(doc)
    return {"Invoices": items}


def test_batch_without_summary_reports_each_element(xero: XeroHttp) -> None:
    reply = xero.put("/Invoices", batch(48, (7, 30)), params={"summarizeErrors": "false"})
    assert reply.status == 200
    shown = reply.json["Invoices"]
    assert [s["StatusAttributeString"] for s in shown].count("OK") == 48
    failed = [s for s in shown if s["StatusAttributeString"] == "ERROR"]
    assert [f["Reference"] for f in failed] == ["R7", "R30"]
    assert failed[0]["ValidationErrors"] == [
        {"Message": "Account code '999' is not a valid code for this document."}
    ]


def test_batch_summarised_is_400_with_failed_elements_and_saves_the_rest(xero: XeroHttp) -> None:
    reply = xero.put("/Invoices", batch(48, (7, 30)))
    assert reply.status == 400
    body = reply.json
    assert (body["ErrorNumber"], body["Type"], body["Message"]) == (
        10,
        "ValidationException",
        "A validation exception occurred",
    )
    assert [e["Reference"] for e in body["Elements"]] == ["R7", "R30"]
    assert len(xero.get("/Invoices").json["Invoices"]) == 48


def test_list_get_filters_paging_and_lines(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    first = create(xero, InvoiceNumber="A-1")
    second = create(xero, InvoiceNumber="A-2", Status="AUTHORISED")
    sandbox.state.clock.advance(120)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.clock.advance(5)
    third = create(
        xero,
        Type="ACCPAY",
        Contact={"Name": "PowerDirect"},
        LineItems=[{"Description": "Power", "UnitAmount": 50, "AccountCode": "445"}],
    )
    plain = xero.get("/Invoices").json
    assert "pagination" not in plain and all("LineItems" not in i for i in plain["Invoices"])
    paged = xero.get("/Invoices", params={"page": 1, "pageSize": 2}).json
    assert paged["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert all("LineItems" in i for i in paged["Invoices"])
    ids = {
        i["InvoiceID"]
        for i in xero.get("/Invoices", params={"Statuses": "AUTHORISED"}).json["Invoices"]
    }
    assert ids == {second["InvoiceID"]}
    by_ids = xero.get(
        "/Invoices", params={"IDs": f"{first['InvoiceID']},{third['InvoiceID']}"}
    ).json
    assert {i["InvoiceID"] for i in by_ids["Invoices"]} == {first["InvoiceID"], third["InvoiceID"]}
    by_number = xero.get("/Invoices", params={"InvoiceNumbers": "a-2"}).json["Invoices"]
    assert [i["InvoiceID"] for i in by_number] == [second["InvoiceID"]]
    where = xero.get("/Invoices", params={"where": 'Type=="ACCPAY"'}).json["Invoices"]
    assert [i["InvoiceID"] for i in where] == [third["InvoiceID"]]
    changed = xero.get("/Invoices", headers={"If-Modified-Since": since}).json["Invoices"]
    assert [i["InvoiceID"] for i in changed] == [third["InvoiceID"]]
    one = xero.get("/Invoices/A-1").json["Invoices"][0]
    assert one["InvoiceID"] == first["InvoiceID"] and one["LineItems"]
    assert xero.get("/Invoices/NOPE").status == 404
    summary = xero.get("/Invoices", params={"summaryOnly": "true", "page": 1}).json["Invoices"]
    assert all("LineItems" not in i and "Payments" not in i for i in summary)
    mine = xero.get("/Invoices", params={"createdByMyApp": "true"}).json["Invoices"]
    assert len(mine) == 3
    bad = xero.get("/Invoices", params={"where": 'Type=="ACCPAY'})
    assert bad.status == 400 and bad.json["Type"] == "QueryParseException"
