"""The two naive scripts ``bench/run.py`` sets beside the engine, and the documents all three
send.

1. *one by one*: per invoice, look its contact up by name (``GET Contacts?where=Name=="X"``)
   and PUT that one invoice with the ContactID found: what a first integration does.
2. *batches of 30*: PUT Invoices thirty at a time, contacts inline by name, as fast as the
   network allows: what a hurried one does.

Neither knows Xero's limits: each sends until Xero answers 429, sleeps its ``Retry-After`` and
sends the same request again (``xero_side.OrgHttp``). Both run in the benchmark's own process
so their CPU is read the same way as the engine's.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bench.xero_side import Org, OrgHttp

from ledgerlink.demo.documents import CLIENTS, invoice

START = date(2026, 3, 1)
BATCH = 30
Doc = dict[str, Any]


@dataclass
class Outcome:
    """What one run cost: as each column of the table reads it."""

    documents: int
    calls: int
    cpu_seconds: float
    wall_seconds: float
    refused_429: int
    waited_seconds: float
    egress_bytes: int
    paced_seconds: float = 0.0  # from the first request Xero received to the last


def invoices(count: int, prefix: str, *, new_contacts: bool = False, seed: int = 5) -> list[Doc]:
    """``count`` sales invoices numbered ``PREFIX-00001``...; for the demo's clients, or each
    for a client nobody has seen before (``new_contacts``)."""
    rng = random.Random(seed)
    return [
        invoice(
            rng,
            n,
            START,
            client=f"{prefix} Client {n:05d}" if new_contacts else CLIENTS[n % len(CLIENTS)],
            prefix=prefix,
        )
        for n in range(1, count + 1)
    ]


def warmup_invoices(prefix: str) -> list[Doc]:
    """One invoice per demo client: once sent, every client the measured run uses exists."""
    rng = random.Random(3)
    return [invoice(rng, n, START, client=name, prefix=prefix) for n, name in enumerate(CLIENTS, 1)]


def xero_invoice(doc: Doc, contact: dict[str, str]) -> Doc:
    """The Xero invoice a script would write for a demo document (account 200 by default)."""
    return {
        "Type": "ACCREC",
        "Contact": contact,
        "InvoiceNumber": doc["number"],
        "Reference": doc["reference"],
        "Date": doc["issue_date"],
        "DueDate": doc["due_date"],
        "Status": "AUTHORISED" if doc["status"] == "sent" else "DRAFT",
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "Description": line["description"],
                "Quantity": Decimal(line["quantity"]),
                "UnitAmount": Decimal(line["unit_amount"]),
                "AccountCode": line.get("account_code") or "200",
            }
            for line in doc["lines"]
        ],
    }


def make_contacts(url: str, org: Org) -> None:
    """Every demo client in the organisation, before a baseline's measured run (one that is
    there already is refused alone: ``summarizeErrors=false``)."""
    client = OrgHttp(url, org)
    try:
        client.call(
            "PUT",
            "/Contacts",
            body={"Contacts": [{"Name": n} for n in CLIENTS]},
            params={"summarizeErrors": "false"},
        )
    finally:
        client.close()


def _measure(client: OrgHttp, documents: int, send: Any) -> Outcome:
    cpu, wall = time.process_time(), time.perf_counter()
    send()
    return Outcome(
        documents,
        client.calls,
        time.process_time() - cpu,
        time.perf_counter() - wall,
        client.refused,
        client.waited,
        client.egress,
    )


def one_by_one(url: str, org: Org, docs: list[Doc]) -> Outcome:
    """A contact look-up and a PUT per invoice."""
    client = OrgHttp(url, org)

    def send() -> None:
        for doc in docs:
            name = doc["contact"]["name"].replace('"', '\\"')
            found = client.call("GET", "/Contacts", params={"where": f'Name=="{name}"'})
            contacts = found["Contacts"]
            contact = {"ContactID": contacts[0]["ContactID"]} if contacts else {"Name": name}
            client.call("PUT", "/Invoices", body={"Invoices": [xero_invoice(doc, contact)]})

    try:
        return _measure(client, len(docs), send)
    finally:
        client.close()


def batches_of_30(url: str, org: Org, docs: list[Doc]) -> Outcome:
    """PUT Invoices thirty at a time, contacts by name, no pause between batches."""
    client = OrgHttp(url, org)

    def send() -> None:
        for start in range(0, len(docs), BATCH):
            chunk = docs[start : start + BATCH]
            body = [xero_invoice(d, {"Name": d["contact"]["name"]}) for d in chunk]
            client.call(
                "PUT", "/Invoices", body={"Invoices": body}, params={"summarizeErrors": "false"}
            )

    try:
        return _measure(client, len(docs), send)
    finally:
        client.close()
