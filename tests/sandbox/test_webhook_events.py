"""Each change Xero sends a webhook for reaches the receiver as a signed delivery.

Xero announces invoices, credit notes and contacts (xero-facts section 8), including the
changes money makes: a payment applied or deleted, a credit note allocated or taken back, a
refund. Each step below is done over the Accounting API and then flushed, and what the receiver
got is compared with the events Xero would send for it, payload fields included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.test_webhooks import Receiver, flush, subscribe
from xero_sandbox import SandboxConfig

PATHS = {"INVOICE": "Invoices", "CREDITNOTE": "CreditNotes", "CONTACT": "Contacts"}
EVENT_KEYS = {
    "resourceUrl",
    "resourceId",
    "tenantId",
    "tenantType",
    "eventCategory",
    "eventType",
    "eventDateUtc",
}
Seen = tuple[str, str, str, dict[str, str] | None]


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # only an explicit flush batches, so nothing depends on the dispatcher's timer
    return SandboxConfig(webhook_batch_seconds=3600, webhook_retry_seconds=[10, 20])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    try:
        yield running
    finally:
        running.stop()


class Watch:
    """What the receiver got since the last look, one delivery per flush."""

    def __init__(self, sandbox: RunningSandbox, receiver: Receiver) -> None:
        self.admin = httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30)
        self.receiver = receiver
        self.seen = 0
        subscribe(self.admin, receiver.url)

    def new(self) -> list[Seen]:
        flush(self.admin)
        deliveries = self.receiver.events()[self.seen :]
        self.seen += len(deliveries)
        found: list[Seen] = []
        for delivery in deliveries:
            assert delivery.valid and delivery.answered == 200
            for event in delivery.json["events"]:
                found.append(_checked(event))
        return found


def _checked(event: dict[str, Any]) -> Seen:
    category = event["eventCategory"]
    assert set(event) == EVENT_KEYS | ({"data"} if category == "CREDITNOTE" else set())
    path = PATHS[category]
    assert event["resourceUrl"] == f"https://api.xero.com/api.xro/2.0/{path}/{event['resourceId']}"
    assert (event["tenantId"], event["tenantType"]) == (DEMO_TENANT, "ORGANISATION")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", event["eventDateUtc"])
    return (category, event["eventType"], event["resourceId"], event.get("data"))


@pytest.fixture
def watch(sandbox: RunningSandbox, receiver: Receiver) -> Iterator[Watch]:
    made = Watch(sandbox, receiver)
    try:
        yield made
    finally:
        made.admin.close()


def made(reply: Any, key: str) -> dict[str, Any]:
    assert reply.status == 200, reply.text
    record: dict[str, Any] = reply.json[key][0]
    return record


def document(xero: XeroHttp, path: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "AUTHORISED",
        "LineItems": [
            {"Description": "Job", "Quantity": 1, "UnitAmount": "100", "AccountCode": "200"}
        ],
    }
    body.update(fields)
    return made(xero.put(path, body), path.strip("/"))


def money(target: dict[str, str], amount: str) -> dict[str, Any]:
    return {"Account": {"Code": "090"}, "Date": "2026-01-20", "Amount": amount, **target}


def test_payments_on_an_invoice_are_announced(xero: XeroHttp, watch: Watch) -> None:
    invoice = document(xero, "/Invoices", Type="ACCREC", Contact={"Name": "Webhook Pty"})
    invoice_id, contact_id = invoice["InvoiceID"], invoice["Contact"]["ContactID"]
    assert watch.new() == [
        ("CONTACT", "CREATE", contact_id, None),
        ("INVOICE", "CREATE", invoice_id, None),
    ]
    target = {"Invoice": {"InvoiceID": invoice_id}}
    first = made(xero.put("/Payments", {"Payments": [money(target, "40")]}), "Payments")
    assert watch.new() == [("INVOICE", "UPDATE", invoice_id, None)]
    # the single-payment POST pays the rest: the invoice goes to PAID, and that is announced
    made(xero.post("/Payments", money(target, "70")), "Payments")
    assert watch.new() == [("INVOICE", "UPDATE", invoice_id, None)]
    deleted = xero.post(f"/Payments/{first['PaymentID']}", {"Status": "DELETED"})
    assert deleted.status == 200, deleted.text
    assert watch.new() == [("INVOICE", "UPDATE", invoice_id, None)]
    # a refused payment changes nothing, so nothing is announced
    assert xero.put("/Payments", money(target, "500")).status == 400
    assert watch.new() == []


def test_status_changes_are_announced(xero: XeroHttp, watch: Watch) -> None:
    approved = document(xero, "/Invoices", Type="ACCREC")["InvoiceID"]
    draft = document(xero, "/Invoices", Type="ACCREC", Status="DRAFT")["InvoiceID"]
    watch.new()
    voided = xero.post(f"/Invoices/{approved}", {"Status": "VOIDED"})
    assert voided.status == 200, voided.text
    dropped = xero.post("/Invoices", {"InvoiceID": draft, "Status": "DELETED"})
    assert dropped.status == 200, dropped.text
    assert watch.new() == [
        ("INVOICE", "UPDATE", approved, None),
        ("INVOICE", "UPDATE", draft, None),
    ]


def test_allocations_and_refunds_are_announced_on_both_sides(xero: XeroHttp, watch: Watch) -> None:
    invoice_id = document(xero, "/Invoices", Type="ACCREC")["InvoiceID"]
    note = document(xero, "/CreditNotes", Type="ACCRECCREDIT")
    note_id = note["CreditNoteID"]
    assert watch.new() == [
        ("INVOICE", "CREATE", invoice_id, None),
        ("CREDITNOTE", "CREATE", note_id, {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}),
    ]
    allocation = {"Invoice": {"InvoiceID": invoice_id}, "Amount": "110", "Date": "2026-01-15"}
    put = xero.put(f"/CreditNotes/{note_id}/Allocations", {"Allocations": [allocation]})
    allocation_id = made(put, "Allocations")["AllocationID"]
    assert watch.new() == [
        ("INVOICE", "UPDATE", invoice_id, None),
        ("CREDITNOTE", "UPDATE", note_id, {"Type": "ACCRECCREDIT", "Status": "PAID"}),
    ]
    taken_back = xero.delete(f"/CreditNotes/{note_id}/Allocations/{allocation_id}")
    assert taken_back.status == 200, taken_back.text
    assert watch.new() == [
        ("INVOICE", "UPDATE", invoice_id, None),
        ("CREDITNOTE", "UPDATE", note_id, {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}),
    ]
    refund = money({"CreditNote": {"CreditNoteID": note_id}}, "110")
    made(xero.put("/Payments", {"Payments": [refund]}), "Payments")
    assert watch.new() == [
        ("CREDITNOTE", "UPDATE", note_id, {"Type": "ACCRECCREDIT", "Status": "PAID"}),
    ]


def test_contact_changes_and_archiving_are_announced(xero: XeroHttp, watch: Watch) -> None:
    contact_id = made(xero.put("/Contacts", {"Name": "Hook Ltd"}), "Contacts")["ContactID"]
    renamed = xero.post(f"/Contacts/{contact_id}", {"Name": "Hook Limited"})
    assert renamed.status == 200, renamed.text
    archived = xero.post(f"/Contacts/{contact_id}", {"ContactStatus": "ARCHIVED"})
    assert archived.status == 200, archived.text
    assert watch.new() == [
        ("CONTACT", "CREATE", contact_id, None),
        ("CONTACT", "UPDATE", contact_id, None),
        ("CONTACT", "UPDATE", contact_id, None),
    ]
