"""History and notes over plain HTTP: what Xero writes as a record changes, and notes."""

from __future__ import annotations

from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.bad_input_targets import Made, doc
from tests.sandbox.replay_people import scoped_xero
from xero_sandbox.resources import all_routes


def _history(xero: XeroHttp, path: str) -> list[dict[str, Any]]:
    reply = xero.get(f"{path}/History")
    assert reply.status == 200, reply.text
    return list(reply.json["HistoryRecords"])


def _changes(xero: XeroHttp, path: str) -> list[str]:
    return [h["Changes"] for h in _history(xero, path)]


def _invoice(xero: XeroHttp, status: str = "DRAFT") -> str:
    reply = xero.put("/Invoices", {"Invoices": [{**doc("invoice"), "Status": status}]})
    assert reply.status == 200, reply.text
    return str(reply.json["Invoices"][0]["InvoiceID"])


def _pay(xero: XeroHttp, invoice_id: str, amount: float) -> dict[str, Any]:
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2026-07-20",
        "Amount": amount,
    }
    reply = xero.put("/Payments", {"Payments": [payment]})
    assert reply.status == 200, reply.text
    return dict(reply.json["Payments"][0])


def test_invoice_history_through_create_edit_approve_pay(xero: XeroHttp) -> None:
    invoice_id = _invoice(xero)
    path = f"/Invoices/{invoice_id}"
    first = _history(xero, path)
    assert [h["Changes"] for h in first] == ["Created"]
    assert first[0]["User"] == "System Generated"
    assert first[0]["Details"] == "INV-0001 to Bayside Club for 23.10."
    assert first[0]["DateUTCString"].startswith("20")
    assert first[0]["DateUTC"].startswith("/Date(")

    assert xero.post(path, {"Invoices": [{"Reference": "Changed"}]}).status == 200
    assert _changes(xero, path) == ["Edited", "Created"]
    assert xero.post(path, {"Invoices": [{"Status": "AUTHORISED"}]}).status == 200
    assert _changes(xero, path) == ["Approved", "Edited", "Created"]

    _pay(xero, invoice_id, 10)
    _pay(xero, invoice_id, 13.10)
    newest = _history(xero, path)
    assert [h["Changes"] for h in newest] == ["Paid", "Paid", "Approved", "Edited", "Created"]
    assert newest[0]["Details"] == "Payment received from Bayside Club on July 20, 2026 for 13.10."
    assert xero.get(path).json["Invoices"][0]["Status"] == "PAID"


def test_voided_invoice_and_deleted_payment(xero: XeroHttp) -> None:
    invoice_id = _invoice(xero, "AUTHORISED")
    path = f"/Invoices/{invoice_id}"
    assert _changes(xero, path) == ["Approved", "Created"]
    payment = _pay(xero, invoice_id, 5)
    payment_path = f"/Payments/{payment['PaymentID']}"
    assert xero.post(payment_path, {"Status": "DELETED"}).status == 200
    assert _changes(xero, payment_path) == ["Deleted", "Created"]
    assert _changes(xero, path)[:2] == ["Payment Removed", "Paid"]
    assert xero.post(path, {"Invoices": [{"Status": "VOIDED"}]}).status == 200
    assert _changes(xero, path)[0] == "Voided"


def test_sent_and_credit_applied(xero: XeroHttp) -> None:
    invoice_id = _invoice(xero, "AUTHORISED")
    path = f"/Invoices/{invoice_id}"
    assert xero.post(path, {"Invoices": [{"SentToContact": True}]}).status == 200
    assert _changes(xero, path)[0] == "Sent"
    credit = {**doc("credit"), "Status": "AUTHORISED"}
    reply = xero.put("/CreditNotes", {"CreditNotes": [credit]})
    credit_id = reply.json["CreditNotes"][0]["CreditNoteID"]
    allocation = {"Invoice": {"InvoiceID": invoice_id}, "Amount": 5, "Date": "2026-07-20"}
    reply = xero.put(f"/CreditNotes/{credit_id}/Allocations", {"Allocations": [allocation]})
    assert reply.status == 200, reply.text
    assert _history(xero, path)[0]["Changes"] == "Credit Applied"
    assert _history(xero, f"/CreditNotes/{credit_id}")[0]["Changes"] == "Credit Applied"


def test_note_added_and_read_back(xero: XeroHttp) -> None:
    path = f"/Invoices/{_invoice(xero)}"
    reply = xero.put(f"{path}/History", {"HistoryRecords": [{"Details": "Called the customer"}]})
    assert reply.status == 200, reply.text
    answered = reply.json["HistoryRecords"][0]
    assert answered["Details"] == "Called the customer"
    assert answered["DateUTC"].startswith("/Date(")
    note = _history(xero, path)[0]
    assert (note["Changes"], note["User"], note["Details"]) == (
        "Note",
        "System Generated",
        "Called the customer",
    )


def test_note_without_details_or_too_long_is_refused(xero: XeroHttp) -> None:
    path = f"/Invoices/{_invoice(xero)}/History"
    reply = xero.put(path, {"HistoryRecords": [{"Details": " "}]})
    assert reply.status == 400
    assert (reply.json["ErrorNumber"], reply.json["Type"]) == (10, "ValidationException")
    errors = reply.json["Elements"][0]["ValidationErrors"]
    assert [e["Message"] for e in errors] == ["Details is required to add a note."]
    reply = xero.put(path, {"HistoryRecords": [{"Details": "x" * 251}]})
    assert reply.status == 400
    errors = reply.json["Elements"][0]["ValidationErrors"]
    assert [e["Message"] for e in errors] == ["Details must not be more than 250 characters long."]
    assert xero.put(path, {"HistoryRecords": [{"Details": "x" * 250}]}).status == 200


def test_unknown_id(xero: XeroHttp) -> None:
    unknown = "/Invoices/00000000-0000-0000-0000-000000000001/History"
    assert xero.get(unknown).status == 404
    reply = xero.put(unknown, {"HistoryRecords": [{"Details": "Hello"}]})
    assert reply.status == 400
    assert reply.json["ErrorNumber"] == 10
    assert reply.json["Message"] == (
        "The document with the supplied id was not found for this endpoint."
    )


def test_every_history_route_reads_and_takes_a_note(xero: XeroHttp) -> None:
    made = Made(xero)
    routes = [r for r in all_routes() if r.pattern.endswith("/History")]
    patterns = {r.pattern for r in routes if r.method == "GET"}
    assert patterns == {r.pattern for r in routes if r.method == "PUT"}
    assert len(patterns) == 13
    for pattern in sorted(patterns):
        resource, id_field = pattern.strip("/").split("/")[:2]
        path = f"/{resource}/{made.path_value(id_field[1:-1])}"
        assert _changes(xero, path)[-1] == "Created", pattern
        reply = xero.put(f"{path}/History", {"HistoryRecords": [{"Details": f"On {resource}"}]})
        assert reply.status == 200, (pattern, reply.text)
        assert _history(xero, path)[0]["Details"] == f"On {resource}", pattern


def test_other_resources_record_their_moves(xero: XeroHttp) -> None:
    reply = xero.put("/Contacts", {"Contacts": [{"Name": "History Ltd"}]})
    contact = f"/Contacts/{reply.json['Contacts'][0]['ContactID']}"
    assert xero.post(contact, {"Contacts": [{"EmailAddress": "a@history.example"}]}).status == 200
    assert xero.post(contact, {"Contacts": [{"ContactStatus": "ARCHIVED"}]}).status == 200
    assert _changes(xero, contact) == ["Archived", "Edited", "Created"]

    made = Made(xero)
    journal = f"/ManualJournals/{made.path_value('ManualJournalID')}"
    assert xero.post(journal, {"ManualJournals": [{"Status": "POSTED"}]}).status == 200
    assert _changes(xero, journal) == ["Posted", "Created"]

    quote = f"/Quotes/{made.path_value('QuoteID')}"
    assert xero.post(quote, {"Quotes": [{**doc("quote"), "Status": "SENT"}]}).status == 200
    assert _changes(xero, quote)[0] == "Sent"


def test_history_follows_the_resource_scope(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    invoice = f"/Invoices/{_invoice(xero)}/History"
    reply = xero.put("/Contacts", {"Contacts": [{"Name": "Scoped History"}]})
    contact = f"/Contacts/{reply.json['Contacts'][0]['ContactID']}/History"
    reader = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.contacts.read")
    try:
        assert reader.get(contact).status == 200
        refused = [reader.get(invoice), reader.put(contact, {"Details": "Not mine to add"})]
        for reply in refused:
            assert reply.status == 401, reply.text
            assert "insufficient_scope" in reply.headers.get("www-authenticate", "")
    finally:
        reader.close()
