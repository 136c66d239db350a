"""How the seeded year's invoices and bills are settled: voids, credit notes, payments.

Each customer pays in its own way (prompt, typical, slow, or a bad payer who often never pays),
so the aged receivables have a tail; the organisation pays its bills around their due date. A few
sales invoices are voided, a few get credit notes (allocated, then the rest is paid), one credit
note is refunded and one left open, and one payment bounces (deleted, then paid again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xero_sandbox import wire
from xero_sandbox import year_data as data
from xero_sandbox.state import Record
from xero_sandbox.year import Seeder
from xero_sandbox.year_docs import CENT, Parties, Planned, bills, sales_invoices

LAGS = {"prompt": (-7, 2), "typical": (-3, 12), "slow": (10, 50), "bad": (30, 90)}
REASONS = ("pricing error", "returned goods", "service credit", "duplicate charge")


@dataclass
class Doc:
    """An invoice or bill as the API made it, and how it is to be settled."""

    planned: Planned
    record: Record
    owed: Decimal
    credit: dict[str, Any] | None = None
    pays: list[tuple[date, Decimal | None]] = field(default_factory=list)

    @property
    def due(self) -> date:
        return wire.parse_date(self.record["DueDate"], "DueDate")


def money_documents(seeder: Seeder, parties: Parties) -> None:
    sales = sales_invoices(seeder, parties)
    purchases = bills(seeder, parties)
    made = seeder.write("PUT", "/Invoices", "Invoices", [p.element for p in sales], "invoices")
    sold = [Doc(p, r, r["Total"]) for p, r in zip(sales, made, strict=True)]
    made = seeder.write("PUT", "/Invoices", "Invoices", [p.element for p in purchases], "bills")
    bought = [Doc(p, r, r["Total"]) for p, r in zip(purchases, made, strict=True)]
    voided, bounced = _plan_sales(seeder, sold)
    _plan_bills(seeder, bought)
    if voided:
        changes = [{"InvoiceID": d.record["InvoiceID"], "Status": "VOIDED"} for d in voided]
        seeder.write("POST", "/Invoices", "Invoices", changes, "invoices_voided")
    _credit(seeder, [d for d in sold + bought if d.credit is not None])
    _stray_credits(seeder, parties)
    _pay(seeder, sold + bought, bounced)
    drafts = [d for d in sold if d.record["Status"] == "DRAFT"]
    if len(drafts) > 1:
        deleted = {"InvoiceID": drafts[0].record["InvoiceID"], "Status": "DELETED"}
        seeder.write("POST", "/Invoices", "Invoices", [deleted], "invoices_deleted")


def _plan_sales(seeder: Seeder, docs: list[Doc]) -> tuple[list[Doc], Doc | None]:
    rng = seeder.rng
    voided: list[Doc] = []
    bounced: Doc | None = None
    for doc in docs:
        if doc.record["Status"] != "AUTHORISED" or doc.planned.customer is None:
            continue
        issued = doc.planned.day
        roll = rng.random()
        if roll < 0.02:
            voided.append(doc)
            continue
        if roll < 0.07 and (seeder.today - issued).days > 10:
            doc.credit = _credit_note(seeder, doc, issued + timedelta(days=rng.randint(2, 10)))
        behaviour = doc.planned.customer.behaviour
        if behaviour == "bad" and rng.random() < 0.5:
            continue
        low, high = LAGS[behaviour]
        when = max(issued, doc.due + timedelta(days=rng.randint(low, high)))
        _schedule(seeder, doc, when, part=0.07)
        age = (seeder.today - when).days
        if bounced is None and doc.pays == [(when, None)] and age > 30 and rng.random() < 0.1:
            bounced = doc
    if not voided:
        # Every year has one: an invoice raised for the wrong customer, cancelled unpaid.
        wrong = [d for d in docs if d.record["Status"] == "AUTHORISED" and d is not bounced]
        if wrong:
            chosen = rng.choice(wrong)
            chosen.credit, chosen.pays = None, []
            voided.append(chosen)
    return voided, bounced


def _plan_bills(seeder: Seeder, docs: list[Doc]) -> None:
    rng = seeder.rng
    for doc in docs:
        if doc.record["Status"] != "AUTHORISED":
            continue
        issued = doc.planned.day
        equipment = doc.planned.supply is data.EQUIPMENT
        if rng.random() < 0.03 and not equipment and (seeder.today - issued).days > 10:
            doc.credit = _credit_note(seeder, doc, issued + timedelta(days=rng.randint(1, 6)))
        when = max(issued, doc.due + timedelta(days=rng.randint(-6, 1)))
        _schedule(seeder, doc, when, part=0.03)


def _schedule(seeder: Seeder, doc: Doc, when: date, *, part: float) -> None:
    """Pay in full on ``when``, or (``part`` of the time) a share then maybe the rest later."""
    rng = seeder.rng
    if rng.random() < part:
        share = Decimal(str(round(rng.uniform(0.3, 0.7), 2)))
        doc.pays = [(when, share)]
        if rng.random() < 0.5:
            doc.pays.append((when + timedelta(days=rng.randint(14, 45)), None))
    else:
        doc.pays = [(when, None)]
    doc.pays = [(day, share) for day, share in doc.pays if day <= seeder.today]


def _credit_note(seeder: Seeder, doc: Doc, when: date) -> dict[str, Any]:
    """A credit note for part (or all) of a document's first line, on the same account."""
    rng = seeder.rng
    record = doc.record
    line = record["LineItems"][0]
    sales = record["Type"] == "ACCREC"
    portion = Decimal(str(rng.choice((0.1, 0.2, 0.25, 0.5, 1.0) if sales else (0.1, 0.2, 0.3))))
    amount = max((line["LineAmount"] * portion).quantize(CENT), CENT)
    credit_line: dict[str, Any] = {
        "Description": f"Credit: {rng.choice(REASONS)} ({line['Description']})",
        "Quantity": Decimal(1),
        "UnitAmount": amount,
        "AccountCode": line["AccountCode"],
        "TaxType": line["TaxType"],
    }
    if line.get("Tracking"):
        credit_line["Tracking"] = [
            {"Name": t["Name"], "Option": t["Option"]} for t in line["Tracking"]
        ]
    element: dict[str, Any] = {
        "Type": "ACCRECCREDIT" if sales else "ACCPAYCREDIT",
        "Contact": {"ContactID": record["Contact"]["ContactID"]},
        "Date": min(when, seeder.today),
        "Status": "AUTHORISED",
        "LineAmountTypes": record["LineAmountTypes"],
        "Reference": f"Credit against {record['InvoiceNumber']}",
        "LineItems": [credit_line],
    }
    if not sales:
        element["CreditNoteNumber"] = f"{record['InvoiceNumber']}-CR"
    return element


def _credit(seeder: Seeder, docs: list[Doc]) -> None:
    """Make the credit notes and allocate each to its document."""
    if not docs:
        return
    elements = [d.credit for d in docs if d.credit is not None]
    notes = seeder.write("PUT", "/CreditNotes", "CreditNotes", elements, "credit_notes")
    for doc, note in zip(docs, notes, strict=True):
        amount = min(note["Total"], doc.owed)
        allocation = {
            "Invoice": {"InvoiceID": doc.record["InvoiceID"]},
            "Amount": amount,
            "Date": wire.parse_date(note["Date"], "Date"),
        }
        path = f"/CreditNotes/{note['CreditNoteID']}/Allocations"
        seeder.write("PUT", path, "Allocations", [allocation], "allocations")
        doc.owed -= amount


def _stray_credits(seeder: Seeder, parties: Parties) -> None:
    """A credit note refunded to the customer, and one still open for a future invoice."""
    rng = seeder.rng
    account = seeder.account("200", "REVENUE")
    bank = seeder.main_bank()
    if account is None:
        return
    span = (seeder.today - seeder.first_day).days
    refund_day = seeder.first_day + timedelta(days=span // 3 + rng.randint(0, 30))
    open_day = seeder.today - timedelta(days=rng.randint(20, 45))
    plans = [
        (refund_day, "Refund: cancelled staff training workshop", Decimal("950.00")),
        (max(open_day, seeder.first_day), "Credit: goodwill for delayed installation", None),
    ]
    elements = []
    for when, description, amount in plans:
        customer = rng.choice(parties.customers)
        line = {
            "Description": description,
            "Quantity": Decimal(1),
            "UnitAmount": amount or Decimal(rng.randint(120, 400)),
            "AccountCode": account["Code"],
        }
        elements.append(
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": customer.contact_id},
                "Date": min(when, seeder.today),
                "Status": "AUTHORISED",
                "LineAmountTypes": "Exclusive",
                "LineItems": [line],
            }
        )
    notes = seeder.write("PUT", "/CreditNotes", "CreditNotes", elements, "credit_notes")
    if bank is None:
        return
    refund = notes[0]
    paid = min(wire.parse_date(refund["Date"], "Date") + timedelta(days=4), seeder.today)
    element = {
        "CreditNote": {"CreditNoteID": refund["CreditNoteID"]},
        "Account": {"Code": bank["Code"]},
        "Date": paid,
        "Amount": refund["Total"],
        "Reference": "Refund by EFT",
        "IsReconciled": (seeder.today - paid).days > 20,
    }
    seeder.write("PUT", "/Payments", "Payments", [element], "payments")


def _pay(seeder: Seeder, docs: list[Doc], bounced: Doc | None) -> None:
    """Every planned payment, in date order; then the bounced one deleted and paid again."""
    rng = seeder.rng
    bank = seeder.main_bank()
    if bank is None:
        return
    entries = sorted(
        ((when, index, share) for index, d in enumerate(docs) for when, share in d.pays),
        key=lambda e: (e[0], e[1]),
    )
    left = [d.owed for d in docs]
    elements: list[dict[str, Any]] = []
    owners: list[int] = []
    for when, index, share in entries:
        doc = docs[index]
        if left[index] <= 0:
            continue
        amount = left[index] if share is None else (doc.owed * share).quantize(CENT)
        amount = min(amount, left[index])
        left[index] -= amount
        sales = doc.record["Type"] == "ACCREC"
        reconciled = doc is not bounced and (seeder.today - when).days > 20 and rng.random() < 0.95
        elements.append(
            {
                "Invoice": {"InvoiceID": doc.record["InvoiceID"]},
                "Account": {"Code": bank["Code"]},
                "Date": when,
                "Amount": amount,
                "Reference": (f"Remittance {rng.randint(100000, 999999)}" if sales else "BPAY"),
                "IsReconciled": reconciled,
            }
        )
        owners.append(index)
    made = seeder.write("PUT", "/Payments", "Payments", elements, "payments")
    if bounced is None:
        return
    position = owners.index(docs.index(bounced))
    payment = made[position]
    seeder.call("POST", f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    seeder.count("payments_deleted")
    again = wire.parse_date(payment["Date"], "Date") + timedelta(days=rng.randint(7, 14))
    if again <= seeder.today:
        element = dict(elements[position])
        element.update({"Date": again, "Reference": "Paid again after dishonour"})
        seeder.write("PUT", "/Payments", "Payments", [element], "payments")
