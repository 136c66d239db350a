"""The judge of the chaos run with issue 12's kinds: what the sandbox's organisation holds once
the run is over, against the plan's newest versions (``kinds_plan``). Each rule returns its
violations as sentences naming the document and what Xero holds; an empty list is a pass.

- ``contacts``: one contact per customer or supplier key (its ContactNumber) carrying its newest
  e-mail, one per contact named only by invoices and orders, no name twice;
- ``items``: one item per product code (each pushed product's newest description; each code
  only orders name, made once);
- ``invoices``: each invoice, bill and order one live record carrying its newest version (no Url
  marker twice); each order's payment once when its newest version is paid, none otherwise; its
  refund one credit note, applied to its invoice once (unpaid) or paid back once (paid);
- ``journals``: one live POSTED journal per stock movement, balanced, at its newest value;
- ``pay_run``: each pay run's bills once per payee, at its last version's totals (by hand);
- ``strangers``: nothing new in the organisation that none of the run's documents explains;
- ``held``: every queue item done or superseded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerlink.store.models import Document
from tests.engine.kinds.conftest import live, org
from tests.engine.kinds.inventory import journal_of, journals, postings
from tests.engine.kinds.store_docs import order_total
from tests.engine.payroll.fixture import FUND, INSURER, TAX_OFFICE, UNION, expected_bills
from tests.engine.sync.chaos.kinds_plan import REFUND, Doc, KindsPlan, final_bills
from tests.engine.sync.conftest import SyncHarness

GONE = ("DELETED", "VOIDED")
Record = dict[str, Any]


@dataclass(frozen=True)
class Before:
    """What the organisation held before the run (the seed's records and the setup's)."""

    contacts: frozenset[str]
    items: frozenset[str]
    invoices: frozenset[str]
    credit_notes: frozenset[str]
    payments: frozenset[str]
    journals: frozenset[str]

    @classmethod
    def of(cls, harness: SyncHarness) -> Before:
        held = org(harness)
        return cls(
            frozenset(held.contacts),
            frozenset(held.items),
            frozenset(held.invoices),
            frozenset(held.credit_notes),
            frozenset(held.payments),
            frozenset(held.manual_journals),
        )


def _new(records: Any, before: frozenset[str]) -> list[Record]:
    return [dict(r) for key, r in list(records.items()) if key not in before]


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


class KindsJudge:
    def __init__(self, harness: SyncHarness, plan: KindsPlan, before: Before) -> None:
        self.harness = harness
        self.plan = plan
        self.before = before
        self.org = org(harness)
        self.violations: list[str] = []
        with harness.factory() as session:
            self.ids = {(d.kind, d.source_id): d.id for d in session.scalars(select(Document))}
        self.invoices = [
            r for r in _new(self.org.invoices, before.invoices) if r.get("Status") not in GONE
        ]

    def fail(self, rule: str, sentence: str) -> None:
        self.violations.append(f"[{rule}] {sentence}")

    def run(self) -> list[str]:
        self.contacts()
        self.items()
        self.sales_and_bills()
        self.orders()
        self.movements()
        self.pay_run()
        self.strangers()
        self.held()
        return self.violations

    # contacts -------------------------------------------------------------------------------

    def contacts(self) -> None:
        made = _new(self.org.contacts, self.before.contacts)
        for doc in self.plan.of("customer") + self.plan.of("supplier"):
            found = [c for c in made if c.get("ContactNumber") == doc.source_id]
            if len(found) != 1:
                self.fail("contacts", f"{doc.source_id}: {len(found)} contacts carry its key")
            elif found[0].get("EmailAddress") != doc.newest["email"]:
                self.fail(
                    "contacts",
                    f"{doc.source_id}: e-mail {found[0].get('EmailAddress')!r}, newest "
                    f"{doc.newest['email']!r}",
                )
        names = Counter(str(c.get("Name", "")).strip().casefold() for c in made)
        for name, count in names.items():
            if count > 1:
                self.fail("contacts", f"{count} contacts named {name!r}")

    # items ----------------------------------------------------------------------------------

    def items(self) -> None:
        codes = Counter(str(i.get("Code")) for i in _new(self.org.items, self.before.items))
        by_code = {str(i.get("Code")): dict(i) for i in list(self.org.items.values())}
        for code in self.codes():
            if codes[code] != 1:
                self.fail("items", f"{code}: {codes[code]} items carry it")
        for doc in self.plan.of("product"):
            held = by_code.get(doc.source_id, {}).get("Description")
            if held != doc.newest["description"]:
                self.fail(
                    "items", f"{doc.source_id}: {held!r}, newest {doc.newest['description']!r}"
                )

    def codes(self) -> set[str]:
        """Every code the run's products and orders name."""
        found = {d.source_id for d in self.plan.of("product")}
        for doc in self.plan.of("order"):
            found |= {str(line["item_code"]) for v in doc.versions for line in v["lines"]}
        return found

    # invoices, bills, orders ----------------------------------------------------------------

    def of_doc(self, doc: Doc) -> list[Record]:
        """The live invoices carrying ``doc``'s Url marker."""
        doc_id = self.ids.get((doc.kind, doc.source_id))
        return [r for r in self.invoices if str(r.get("Url", "")).endswith(f"/documents/{doc_id}")]

    def one(self, doc: Doc) -> Record | None:
        found = self.of_doc(doc)
        if len(found) != 1:
            self.fail("invoices", f"{doc.kind} {doc.source_id}: {len(found)} live records")
            return None
        return found[0]

    def sales_and_bills(self) -> None:
        markers = Counter(str(r.get("Url")) for r in self.invoices)
        for url, count in markers.items():
            if count > 1:
                self.fail("invoices", f"{count} live records carry {url}")
        for doc in self.plan.of("invoice"):
            record = self.one(doc)
            if record is not None and record.get("Reference") != doc.newest["reference"]:
                self.fail(
                    "invoices",
                    f"{doc.source_id}: reference {record.get('Reference')!r}, newest "
                    f"{doc.newest['reference']!r}",
                )
        for doc in self.plan.of("expense"):
            record = self.one(doc)
            want = _money(doc.newest["lines"][0]["unit_amount"])
            if record is not None and _money(record["LineItems"][0]["UnitAmount"]) != want:
                self.fail("invoices", f"{doc.source_id}: {record['LineItems'][0]}, newest {want}")

    def orders(self) -> None:
        payments = [p for p in live(self.org.payments) if p.get("Status") not in GONE]
        notes = [n for n in live(self.org.credit_notes) if n.get("Status") not in GONE]
        for doc in self.plan.of("order"):
            record = self.one(doc)
            if record is None:
                continue
            state = doc.path[-1]
            paid = [
                _money(p["Amount"]) for p in payments if p.get("_document") == record["InvoiceID"]
            ]
            want = [order_total(doc.newest)] if state in ("paid", "paid_refunded") else []
            if paid != want:
                self.fail("invoices", f"{doc.source_id} ({state}): payments {paid}, want {want}")
            refunds = [n for n in notes if n.get("CreditNoteNumber") == f"{doc.source_id}/refund-1"]
            refunded = state in ("refunded", "paid_refunded")
            if len(refunds) != (1 if refunded else 0):
                self.fail("invoices", f"{doc.source_id} ({state}): {len(refunds)} refund notes")
                continue
            if state == "refunded":
                applied = [
                    (a["Invoice"]["InvoiceID"], _money(a["Amount"]))
                    for a in refunds[0].get("Allocations") or []
                ]
                if applied != [(record["InvoiceID"], _money(REFUND))]:
                    self.fail("invoices", f"{doc.source_id}: refund applied {applied}")
            elif state == "paid_refunded":
                back = [
                    _money(p["Amount"])
                    for p in payments
                    if p.get("_document") == refunds[0]["CreditNoteID"]
                ]
                if back != [_money(REFUND)]:
                    self.fail("invoices", f"{doc.source_id}: refund paid back {back}")

    # journals -------------------------------------------------------------------------------

    def movements(self) -> None:
        docs = self.plan.of("stock_movement")
        for doc in docs:
            found = journal_of(self.harness, doc.source_id)
            if len(found) != 1:
                self.fail("journals", f"{doc.source_id}: {len(found)} live journals")
                continue
            amounts = postings(found[0])
            debit = sum((a for a in amounts.values() if a > 0), Decimal(0))
            if found[0].get("Status") != "POSTED" or sum(amounts.values()) != 0:
                self.fail("journals", f"{doc.source_id}: {found[0].get('Status')} {amounts}")
            elif debit != _money(doc.newest["value"]):
                self.fail("journals", f"{doc.source_id}: {debit}, newest {doc.newest['value']}")

    # the pay runs ---------------------------------------------------------------------------

    def pay_run(self) -> None:
        for run in self.plan.of("pay_run"):
            expected = final_bills(run.newest)
            held: dict[str, list[tuple[dict[str, str], str]]] = {}
            for bill in self.invoices:
                if (
                    bill.get("Type") != "ACCPAY"
                    or bill.get("InvoiceNumber") != run.newest["reference"]
                ):
                    continue
                name = str(self.org.contacts[bill["Contact"]["ContactID"]]["Name"])
                lines = {
                    str(x["AccountCode"]): str(_money(x["LineAmount"])) for x in bill["LineItems"]
                }
                held.setdefault(name, []).append((lines, str(_money(bill["Total"]))))
            for name in sorted(set(expected) | set(held)):
                want = [expected[name]] if name in expected else []
                if held.get(name, []) != want:
                    self.fail(
                        "pay_run", f"{run.source_id} {name}: bills {held.get(name)}, want {want}"
                    )

    # what nothing explains, what was held ---------------------------------------------------

    def strangers(self) -> None:
        ours = {f"/documents/{i}" for i in self.ids.values()}
        for record in self.invoices:
            url = str(record.get("Url", ""))
            if not any(url.endswith(marker) for marker in ours):
                self.fail("strangers", f"invoice {record.get('InvoiceID')} ({url!r}) is no one's")
        names = {str(d.newest["name"]).casefold() for d in self.plan.of("customer")}
        names |= {str(d.newest["name"]).casefold() for d in self.plan.of("supplier")}
        for doc in self.plan.of("invoice") + self.plan.of("order"):
            contact = doc.newest.get("contact") or doc.newest.get("customer")
            names.add(str(contact["name"]).casefold())
        for doc in self.plan.of("expense"):
            names.add(str(doc.newest["supplier"]["name"]).casefold())
        names |= {n.casefold() for n in expected_bills()} | {
            n.casefold() for n in (TAX_OFFICE, FUND, UNION, INSURER)
        }
        for contact in _new(self.org.contacts, self.before.contacts):
            if str(contact.get("Name", "")).strip().casefold() not in names:
                self.fail("strangers", f"contact {contact.get('Name')!r} is no one's")
        codes = self.codes()
        for item in _new(self.org.items, self.before.items):
            if str(item.get("Code")) not in codes:
                self.fail("strangers", f"item {item.get('Code')!r} is no one's")
        refunds = {f"{d.source_id}/refund-1" for d in self.plan.of("order")}
        for note in _new(self.org.credit_notes, self.before.credit_notes):
            if note.get("Status") not in GONE and note.get("CreditNoteNumber") not in refunds:
                self.fail("strangers", f"credit note {note.get('CreditNoteNumber')!r}")
        ids = {r["InvoiceID"] for r in self.invoices} | {
            n["CreditNoteID"] for n in _new(self.org.credit_notes, self.before.credit_notes)
        }
        for payment in _new(self.org.payments, self.before.payments):
            if payment.get("Status") not in GONE and payment.get("_document") not in ids:
                self.fail("strangers", f"payment {payment.get('PaymentID')} on no one's record")
        wanted = len(self.plan.of("stock_movement"))
        made = [
            j for j in journals(self.harness) if j["ManualJournalID"] not in self.before.journals
        ]
        if len(made) != wanted:
            self.fail("strangers", f"{len(made)} live journals, {wanted} movements")

    def held(self) -> None:
        left = Counter(
            f"{i.state} {i.error_code}: {i.error_message}"[:200]
            for i in self.harness.items()
            if i.state not in ("done", "superseded")
        )
        for what, count in left.items():
            self.fail("held", f"{count} queue items {what}")
