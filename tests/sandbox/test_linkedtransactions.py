"""Linked transactions (billable expenses) over plain HTTP: the life of a link and its refusals."""

from __future__ import annotations

from typing import Any

from tests.conftest import XeroHttp
from xero_sandbox.resources import linked_rules as lr

UNKNOWN = "6c1d3f00-4444-4bd2-9a6c-8e3d3c4e5f60"


def _messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for m in reply.json["Elements"][0]["ValidationErrors"]]


def _invoice(xero: XeroHttp, kind: str, contact: str, status: str = "DRAFT") -> dict[str, Any]:
    code = "453" if kind == "ACCPAY" else "200"
    body = {
        "Type": kind,
        "Contact": {"ContactNumber": contact},
        "Status": status,
        "DueDate": "2026-12-30",
        "LineItems": [
            {"Description": "Freight", "Quantity": 1, "UnitAmount": 80, "AccountCode": code}
        ],
    }
    reply = xero.put("/Invoices", body)
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json["Invoices"][0]
    return made


def _bill(xero: XeroHttp, status: str = "AUTHORISED") -> dict[str, Any]:
    return _invoice(xero, "ACCPAY", "SUPP-001", status)


def _sale(xero: XeroHttp) -> dict[str, Any]:
    return _invoice(xero, "ACCREC", "CUST-001")


def _line(document: dict[str, Any]) -> str:
    line_id: str = document["LineItems"][0]["LineItemID"]
    return line_id


def _link(xero: XeroHttp, bill: dict[str, Any], **extra: Any) -> Any:
    body = {"SourceTransactionID": bill["InvoiceID"], "SourceLineItemID": _line(bill), **extra}
    return xero.put("/LinkedTransactions", body)


def _update(xero: XeroHttp, link: dict[str, Any], **fields: Any) -> Any:
    path = f"/LinkedTransactions/{link['LinkedTransactionID']}"
    return xero.post(path, {"LinkedTransactions": [fields]})


def test_a_link_goes_from_draft_to_billed(xero: XeroHttp) -> None:
    bill = _bill(xero)
    made = _link(xero, bill)
    assert made.status == 200, made.text
    link = made.json["LinkedTransactions"][0]
    assert (link["Status"], link["Type"], link["SourceTransactionTypeCode"]) == (
        "DRAFT",
        "BILLABLEEXPENSE",
        "ACCPAY",
    )
    sale = _sale(xero)
    customer = sale["Contact"]["ContactID"]
    assert _update(xero, link, ContactID=customer).json["LinkedTransactions"][0]["Status"] == (
        "APPROVED"
    )
    target = {"TargetTransactionID": sale["InvoiceID"], "TargetLineItemID": _line(sale)}
    assert _update(xero, link, **target).json["LinkedTransactions"][0]["Status"] == "ONDRAFT"
    approve = {"Status": "AUTHORISED"}
    assert xero.post(f"/Invoices/{sale['InvoiceID']}", approve).status == 200
    shown = xero.get(f"/LinkedTransactions/{link['LinkedTransactionID']}")
    assert shown.json["LinkedTransactions"][0]["Status"] == "BILLED"
    assert _messages(_update(xero, link, ContactID=customer)) == [lr.BILLED_FIXED]
    reply = xero.delete(f"/LinkedTransactions/{link['LinkedTransactionID']}")
    assert _messages(reply) == [lr.BILLED_DELETE]


def test_draft_source_and_voided_source(xero: XeroHttp) -> None:
    draft_bill = _bill(xero, "DRAFT")
    customer = _sale(xero)["Contact"]["ContactID"]
    link = _link(xero, draft_bill, ContactID=customer).json["LinkedTransactions"][0]
    assert link["Status"] == "DRAFT"
    bill = _bill(xero)
    approved = _link(xero, bill, ContactID=customer).json["LinkedTransactions"][0]
    assert approved["Status"] == "APPROVED"
    assert xero.post(f"/Invoices/{bill['InvoiceID']}", {"Status": "VOIDED"}).status == 200
    shown = xero.get(f"/LinkedTransactions/{approved['LinkedTransactionID']}")
    assert shown.json["LinkedTransactions"][0]["Status"] == "VOIDED"
    assert _messages(_update(xero, approved, ContactID=customer)) == [lr.VOIDED_FIXED]


def test_source_rules(xero: XeroHttp) -> None:
    bill, sale = _bill(xero), _sale(xero)
    assert _messages(xero.put("/LinkedTransactions", {"SourceLineItemID": _line(bill)})) == [
        lr.SOURCE_NEEDED
    ]
    reply = xero.put("/LinkedTransactions", {"SourceTransactionID": bill["InvoiceID"]})
    assert _messages(reply) == [lr.SOURCE_LINE_NEEDED]
    reply = xero.put(
        "/LinkedTransactions", {"SourceTransactionID": UNKNOWN, "SourceLineItemID": _line(bill)}
    )
    assert _messages(reply) == [lr.SOURCE_NOT_FOUND]
    assert _messages(_link(xero, sale)) == [lr.SOURCE_TYPE]
    wrong_line = {"SourceTransactionID": bill["InvoiceID"], "SourceLineItemID": _line(sale)}
    assert _messages(xero.put("/LinkedTransactions", wrong_line)) == [lr.LINE_MISMATCH]
    first = _link(xero, bill).json["LinkedTransactions"][0]
    assert _messages(_link(xero, bill)) == [lr.LINE_TAKEN]
    other = _bill(xero)
    moved = {"SourceTransactionID": other["InvoiceID"], "SourceLineItemID": _line(other)}
    assert _messages(_update(xero, first, **moved)) == [lr.SOURCE_FIXED]


def test_target_and_contact_rules(xero: XeroHttp) -> None:
    bill, sale = _bill(xero), _sale(xero)
    link = _link(xero, bill).json["LinkedTransactions"][0]
    assert _messages(_update(xero, link, ContactID=UNKNOWN)) == [lr.CONTACT_NOT_FOUND]
    supplier = bill["Contact"]["ContactID"]
    target = {"TargetTransactionID": sale["InvoiceID"], "TargetLineItemID": _line(sale)}
    reply = _update(xero, link, ContactID=supplier, **target)
    assert _messages(reply) == [lr.CONTACT_MISMATCH]
    half = {"TargetTransactionID": sale["InvoiceID"]}
    assert _messages(_update(xero, link, **half)) == [lr.TARGET_PAIR]
    missing = {"TargetTransactionID": UNKNOWN, "TargetLineItemID": _line(sale)}
    assert _messages(_update(xero, link, **missing)) == [lr.TARGET_NOT_FOUND]
    to_bill = {"TargetTransactionID": bill["InvoiceID"], "TargetLineItemID": _line(bill)}
    assert _messages(_update(xero, link, **to_bill)) == [lr.TARGET_TYPE]
    wrong_line = {"TargetTransactionID": sale["InvoiceID"], "TargetLineItemID": _line(bill)}
    assert _messages(_update(xero, link, **wrong_line)) == [lr.TARGET_LINE_MISMATCH]
    linked = _update(xero, link, **target).json["LinkedTransactions"][0]
    assert linked["ContactID"] == sale["Contact"]["ContactID"]
    assert _messages(_update(xero, link, ContactID=supplier)) == [lr.CONTACT_MISMATCH]
    deleted = _sale(xero)
    assert xero.post(f"/Invoices/{deleted['InvoiceID']}", {"Status": "DELETED"}).status == 200
    closed = {"TargetTransactionID": deleted["InvoiceID"], "TargetLineItemID": _line(deleted)}
    assert _messages(_update(xero, link, **closed)) == [lr.TARGET_CLOSED]


def test_list_filters_delete_and_unknown_ids(xero: XeroHttp) -> None:
    bill, second_bill, sale = _bill(xero), _bill(xero), _sale(xero)
    customer = sale["Contact"]["ContactID"]
    target = {"TargetTransactionID": sale["InvoiceID"], "TargetLineItemID": _line(sale)}
    billed = _link(xero, bill, **target).json["LinkedTransactions"][0]
    plain = _link(xero, second_bill, ContactID=customer).json["LinkedTransactions"][0]

    def ids(**params: Any) -> set[str]:
        reply = xero.get("/LinkedTransactions", params=params)
        assert reply.status == 200, reply.text
        return {t["LinkedTransactionID"] for t in reply.json["LinkedTransactions"]}

    both = {billed["LinkedTransactionID"], plain["LinkedTransactionID"]}
    assert ids() == both
    assert ids(SourceTransactionID=bill["InvoiceID"]) == {billed["LinkedTransactionID"]}
    assert ids(TargetTransactionID=sale["InvoiceID"]) == {billed["LinkedTransactionID"]}
    assert ids(ContactID=customer) == both
    assert ids(ContactID=customer, Status="APPROVED") == {plain["LinkedTransactionID"]}
    assert ids(LinkedTransactionID=plain["LinkedTransactionID"]) == {plain["LinkedTransactionID"]}
    reply = xero.get("/LinkedTransactions", params={"page": 1})
    assert reply.json["pagination"]["itemCount"] == 2
    reply = xero.get("/LinkedTransactions", params={"SourceTransactionID": "nope"})
    assert (reply.status, reply.text) == (
        400,
        "Supplied parameter 'SourceTransactionID' cannot be parsed.",
    )
    assert xero.delete(f"/LinkedTransactions/{plain['LinkedTransactionID']}").status == 204
    assert xero.get(f"/LinkedTransactions/{plain['LinkedTransactionID']}").status == 404
    assert xero.delete(f"/LinkedTransactions/{UNKNOWN}").status == 404
    assert xero.post(f"/LinkedTransactions/{UNKNOWN}", {"ContactID": customer}).status == 404
    again = _link(xero, second_bill)
    assert again.status == 200, "a deleted link frees its bill line"
