"""What the run left behind, read back once it is over: the sandbox's invoices, bills, purchase
orders, credit notes (with their allocations), payments and contacts (the only truth about "in
Xero exactly once") next to the engine's documents, versions, queue items, send intents and
links, and the evidence a person needs when a document went wrong.

Each Xero record is tied to its document as the engine ties it: an invoice or a bill by the
engine's marker in its Url; a purchase order or a credit note by its number (the document's own,
or its source_id when it has none); a payment by its reference (each payment of a run has its
own). ``expected_of`` and ``held_of`` bring a version's body and a Xero record to one shape, so
``differences`` can say what does not match; ``payment_of`` does the same for a payment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ledgerlink.store.models import (
    ApiCall,
    ContactLink,
    Document,
    DocumentVersion,
    Link,
    QueueItem,
    SendIntent,
)
from tests.engine.sync.chaos.documents import KINDS
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox.seed import DEMO_TENANT

Record = dict[str, Any]

# What ties a Xero invoice to its document: the engine's marker in the invoice's Url.
MARKER = re.compile(
    r"(?:ledgerlink=|/documents/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
# Each kind's Xero collection (the sandbox organisation's attribute), id and number fields.
RESOURCES: dict[str, tuple[str, str, str | None]] = {
    "invoice": ("invoices", "InvoiceID", "InvoiceNumber"),
    "expense": ("invoices", "InvoiceID", "InvoiceNumber"),
    "purchase_order": ("purchase_orders", "PurchaseOrderID", "PurchaseOrderNumber"),
    "credit_note": ("credit_notes", "CreditNoteID", "CreditNoteNumber"),
    "payment": ("payments", "PaymentID", None),
}
INVOICE_TYPES = {"ACCREC": "invoice", "ACCPAY": "expense"}
# The Xero status each source status asks for, per kind (lists: what may be there).
STATUSES = {
    "invoice": {"draft": "DRAFT", "sent": "AUTHORISED"},
    "expense": {"draft": "DRAFT", "approved": "SUBMITTED"},
    "purchase_order": {"draft": "DRAFT", "approved": "SUBMITTED"},
    "credit_note": {"draft": "DRAFT", "sent": "AUTHORISED"},
}


def _norm(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _id(value: Any) -> str:
    return str(value or "").lower()


def live(record: Record) -> bool:
    return record.get("Status") != "DELETED"


def number_of(kind: str, body: Record) -> str | None:
    """The number the Xero record carries: the document's own; for a purchase order or a
    credit note without one, its source_id (what finds it again after a lost reply)."""
    if kind in ("purchase_order", "credit_note"):
        return str(body.get("number") or body.get("source_id"))
    if kind == "expense":
        return body.get("reference") or body.get("number")
    return body.get("number")


def expected_of(kind: str, body: Record, earlier: Iterable[Record] = ()) -> Record:
    """What the Xero record must hold for this version body (``earlier``: the document's
    versions before it).

    A purchase order that is draft may still be SUBMITTED when an earlier version was approved:
    once Xero holds a purchase order past Draft it never takes it back (whether that earlier
    version reached Xero before it was superseded is timing, so both are right).
    """
    who = body.get("supplier") if kind in ("expense", "purchase_order") else body.get("contact")
    source = body.get("status", "draft")
    statuses = [STATUSES[kind][source]]
    was_approved = any(b.get("status", "draft") == "approved" for b in earlier)
    if kind == "purchase_order" and source == "draft" and was_approved:
        statuses.append("SUBMITTED")
    reference = None if kind == "expense" else body.get("reference")
    return {
        "status": tuple(statuses),
        "number": number_of(kind, body),
        "reference": reference,
        "contact": _norm((who or {}).get("name")),
        "lines": [
            (line.get("description"), _dec(line.get("quantity", "1")), _dec(line["unit_amount"]))
            for line in body["lines"]
        ],
    }


def held_of(org: Any, kind: str, record: Record) -> Record:
    """The same shape, read from the sandbox's record."""
    # a purchase order keeps its contact's id on itself, the others in a Contact
    contact_id = (record.get("Contact") or {}).get("ContactID") or record.get("ContactID")
    contact = org.contacts.get(contact_id) or record.get("Contact") or {}
    number_field = RESOURCES[kind][2] or ""
    return {
        "status": record.get("Status"),
        "number": record.get(number_field) or None,
        "reference": record.get("Reference") or None,
        "contact": _norm(contact.get("Name")),
        "lines": [
            (line.get("Description"), _dec(line.get("Quantity")), _dec(line.get("UnitAmount")))
            for line in record.get("LineItems") or []
        ],
    }


def differences(held: Record, wanted: Record) -> list[str]:
    found = []
    for name in ("status", "number", "reference", "contact", "lines"):
        if name == "number" and wanted["number"] is None:
            continue  # Xero numbered it
        if name == "reference" and wanted["reference"] is None:
            continue
        if name == "status":
            if held["status"] not in wanted["status"]:
                found.append(f"status: Xero {held['status']!r} != {_shown(wanted['status'])}")
        elif held[name] != wanted[name]:
            found.append(f"{name}: Xero {_shown(held[name])} != {_shown(wanted[name])}")
    return found


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(f"{q} x {u}" for _, q, u in value) + "]"
    if isinstance(value, tuple):
        return " or ".join(repr(v) for v in value)
    return repr(value)


def _brief(shape: Record) -> str:
    return (
        f"{_shown(shape['status'])} ref/number={shape['reference'] or shape['number']!r} "
        f"lines={_shown(shape['lines'])}"
    )


def payment_of(body: Record) -> Record:
    """What a payment version asks of Xero: a live payment of its amount on its invoice, or
    (deleted) none."""
    return {
        "deleted": body.get("status") == "deleted",
        "amount": Decimal(str(body["amount"])),
        "reference": body.get("reference"),
        "invoice": (body.get("document") or {}).get("source_id"),
    }


def allocations_of(body: Record) -> list[tuple[str, Decimal]]:
    """A credit note version's allocations: (invoice source_id, amount)."""
    return [(a["document"], Decimal(str(a["amount"]))) for a in body.get("allocations") or []]


@dataclass(frozen=True)
class IntentRow:
    id: str
    state: str
    method: str
    path: str
    entries: tuple[str, ...]  # document ids, or "contact:<key>\x1f<key>..." for contacts
    created_at: datetime
    finished_at: datetime | None

    def shown(self, since: datetime) -> str:
        made = (self.created_at - since).total_seconds()
        ended = (
            f"-{(self.finished_at - since).total_seconds():.1f}s"
            if self.finished_at is not None
            else " (open)"
        )
        return f"{self.method} {self.path.split('?')[0]} {self.state} {made:.1f}s{ended}"


@dataclass
class Seen:
    """The sandbox's records and the engine's tables after the run, and the evidence in them."""

    org: Any
    records: dict[str, list[Record]]  # every Xero record of each kind, live or not
    contacts: list[Record]
    documents: list[Document]
    bodies: dict[str, dict[int, Record]]
    items: dict[str, list[QueueItem]]
    intents: dict[str, IntentRow]
    links: dict[str, Link]
    contact_links: dict[str, str]
    engine_calls: int
    calls: Counter[str]  # the sandbox's calls to the organisation, by method and collection
    # the writes to each collection (Invoices, CreditNotes/Allocations...) under the chaos
    # ("chaos") and once it had stopped ("drain"), replays of a key included
    writes: dict[str, Counter[str]]
    since: datetime
    by_doc: dict[str, list[Record]] = field(default_factory=dict)  # live records
    gone_by_doc: dict[str, list[Record]] = field(default_factory=dict)  # deleted ones
    strays: list[tuple[str, Record]] = field(default_factory=list)
    by_source: dict[tuple[str, str], Document] = field(default_factory=dict)
    by_xero_id: dict[str, Document] = field(default_factory=dict)

    @classmethod
    def read(cls, harness: SyncHarness, calm_from: int) -> Seen:
        """What the run left; ``calm_from``: how many calls the sandbox's request log held when
        the chaos stopped (the rest were the drain's)."""
        org = harness.server.state.orgs[DEMO_TENANT]
        items: dict[str, list[QueueItem]] = {}
        for item in harness.items():
            items.setdefault(item.document_id, []).append(item)
        with harness.factory() as session:
            documents = list(
                session.scalars(
                    select(Document).where(Document.workspace_id == harness.workspace_id)
                )
            )
            bodies: dict[str, dict[int, Record]] = {}
            for version in session.scalars(select(DocumentVersion)):
                bodies.setdefault(version.document_id, {})[version.version] = version.body
            intents = {
                i.id: IntentRow(
                    i.id,
                    i.state,
                    i.method,
                    i.path,
                    tuple(str(e) for e in i.document_ids or ()),
                    i.created_at,
                    i.finished_at,
                )
                for i in session.scalars(select(SendIntent))
            }
            contact_links = dict(
                session.execute(select(ContactLink.contact_key, ContactLink.xero_contact_id)).all()
            )
            engine_calls = int(session.scalar(select(func.count()).select_from(ApiCall)) or 0)
        records: dict[str, list[Record]] = {kind: [] for kind in KINDS}
        for record in harness.invoices():
            records[INVOICE_TYPES.get(str(record.get("Type")), "invoice")].append(record)
        for kind in ("purchase_order", "credit_note", "payment"):
            records[kind] = [dict(r) for r in list(getattr(org, RESOURCES[kind][0]).values())]
        calls: Counter[str] = Counter()
        writes: dict[str, Counter[str]] = {}
        for number, entry in enumerate(list(harness.server.state.request_log)):
            if entry.get("tenant") == org.tenant_id:
                parts = str(entry["path"]).strip("/").split("/")
                what = parts[0] + ("/Allocations" if "Allocations" in parts else "")
                calls[f"{entry['method']} {what}"] += 1
                if entry["method"] != "GET":
                    when = "chaos" if number < calm_from else "drain"
                    writes.setdefault(what, Counter())[when] += 1
        seen = cls(
            org,
            records,
            [dict(c) for c in list(org.contacts.values())],
            documents,
            bodies,
            items,
            intents,
            harness.links(),
            contact_links,
            engine_calls,
            calls,
            writes,
            min((d.created_at for d in documents), default=datetime.now(UTC)),
        )
        seen._tie()
        return seen

    def _tie(self) -> None:
        """Each Xero record to its document, as the engine ties them (see the module's doc)."""
        self.by_source = {(d.kind, d.source_id): d for d in self.documents}
        known = {d.id for d in self.documents}
        keys: dict[tuple[str, str], str] = {}
        for document in self.documents:
            newest = self.bodies.get(document.id, {}).get(document.current_version) or {}
            if document.kind in ("purchase_order", "credit_note"):
                keys[(document.kind, _id(number_of(document.kind, newest)))] = document.id
            elif document.kind == "payment":
                keys[("payment", str(newest.get("reference")))] = document.id
        for kind, found in self.records.items():
            for record in found:
                if kind in ("invoice", "expense"):
                    marker = MARKER.search(str(record.get("Url") or ""))
                    owner = marker.group(1) if marker and marker.group(1) in known else None
                elif kind == "payment":
                    owner = keys.get((kind, str(record.get("Reference"))))
                else:
                    owner = keys.get((kind, _id(record.get(RESOURCES[kind][2] or ""))))
                if owner is None:
                    if live(record):
                        self.strays.append((kind, record))
                    continue
                into = self.by_doc if live(record) else self.gone_by_doc
                into.setdefault(owner, []).append(record)
        by_id = {d.id: d for d in self.documents}
        for owner, found in self.by_doc.items():
            for record in found:
                kind = by_id[owner].kind
                self.by_xero_id[_id(record.get(RESOURCES[kind][1]))] = by_id[owner]

    # reading ------------------------------------------------------------------------------

    def newest(self, document: Document) -> Record:
        return self.bodies.get(document.id, {}).get(document.current_version) or {}

    def earlier(self, document: Document, version: int) -> list[Record]:
        versions = self.bodies.get(document.id, {})
        return [body for number, body in sorted(versions.items()) if number < version]

    def expected(self, document: Document) -> Record:
        return expected_of(
            document.kind,
            self.newest(document),
            self.earlier(document, document.current_version),
        )

    def xero_ids(self, kind: str, source_id: str) -> list[str]:
        """The ids of the live Xero records of a document (lower case)."""
        document = self.by_source.get((kind, source_id))
        found = self.by_doc.get(document.id, []) if document is not None else []
        return [_id(r.get(RESOURCES[kind][1])) for r in found]

    def name_of(self, xero_id: Any) -> str:
        """The document a Xero id belongs to, for a person."""
        document = self.by_xero_id.get(_id(xero_id))
        return document.source_id if document is not None else "no document"

    def live_payments(self, invoice_id: str) -> list[Record]:
        return [r for r in self.records["payment"] if live(r) and _id(r["_document"]) == invoice_id]

    def newest_item_state(self, document: Document) -> str:
        found = [
            i for i in self.items.get(document.id, []) if i.version == document.current_version
        ]
        return ", ".join(f"v{i.version} {i.state} {i.error_code or ''}".strip() for i in found)

    def matching(self, document: Document, shape: Record) -> str:
        versions = self.bodies.get(document.id, {})
        same = [
            f"v{number}"
            for number, body in sorted(versions.items())
            if not differences(
                shape, expected_of(document.kind, body, self.earlier(document, number))
            )
        ]
        return f"the content of {', '.join(same)}" if same else "no version's content"

    def contacts_twice(self) -> dict[str, list[Record]]:
        by_name: dict[str, list[Record]] = {}
        for contact in self.contacts:
            by_name.setdefault(_norm(contact.get("Name")), []).append(contact)
        return {name: found for name, found in by_name.items() if len(found) > 1}

    @staticmethod
    def contact_line(contact: Record) -> str:
        return (
            f"{contact.get('ContactID')} {contact.get('Name')!r} number="
            f"{contact.get('ContactNumber')!r} {contact.get('ContactStatus')} "
            f"updated {contact.get('UpdatedDateUTC')}"
        )

    # evidence -----------------------------------------------------------------------------

    def record_line(self, kind: str, record: Record) -> str:
        """One Xero record as a person reads it."""
        ident = record.get(RESOURCES[kind][1])
        updated = f"updated {record.get('UpdatedDateUTC')}"
        if kind == "payment":
            return (
                f"Xero payment {ident} {record.get('Status')} {record.get('Amount')} "
                f"ref={record.get('Reference')!r} on {record.get('_document')} "
                f"({self.name_of(record.get('_document'))}) {updated}"
            )
        shape = held_of(self.org, kind, record)
        line = f"Xero {ident} {record.get('Status')} total={record.get('Total')} {_brief(shape)}"
        if kind == "invoice":
            line += (
                f" due={record.get('AmountDue')} paid={record.get('AmountPaid')} "
                f"credited={record.get('AmountCredited')}"
            )
        return f"{line} {updated}"

    def record_lines(self, kind: str, record: Record) -> list[str]:
        """A record and what hangs on it: a credit note's allocations, an invoice's payments
        and credit notes."""
        lines = [self.record_line(kind, record)]
        if kind == "credit_note":
            for allocation in record.get("Allocations") or []:
                target = (allocation.get("Invoice") or {}).get("InvoiceID")
                lines.append(
                    f"  allocation {allocation.get('AllocationID')} {allocation.get('Amount')} "
                    f"to {target} ({self.name_of(target)})"
                )
        if kind == "invoice":
            ident = _id(record.get("InvoiceID"))
            for payment in self.records["payment"]:
                if _id(payment.get("_document")) == ident:
                    lines.append(f"  {self.record_line('payment', payment)}")
            for credit in record.get("CreditNotes") or []:
                lines.append(
                    f"  credit note {credit.get('CreditNoteID')} "
                    f"({self.name_of(credit.get('CreditNoteID'))}) applied "
                    f"{credit.get('AppliedAmount')}"
                )
        return lines

    def evidence(self, document: Document) -> list[str]:
        """Everything about one document a person needs to see what went wrong.

        Times are seconds after the first document was accepted.
        """
        versions = self.bodies.get(document.id, {})
        lines = [
            f"{document.kind} {document.source_id} = document {document.id}, "
            f"newest v{document.current_version}"
        ]
        for number, body in sorted(versions.items()):
            lines.append(f"v{number}: {self._version_line(document, number, body)}")
        for item in self.items.get(document.id, []):
            intent = self.intents.get(item.intent_id or "")
            lines.append(
                f"queue v{item.version}: {item.state}, attempts {item.attempts}, waits "
                f"{item.waits}, {item.error_code or 'no error'}"
                f"{': ' + (item.error_message or '')[:200] if item.error_message else ''}, "
                f"intent {intent.shown(self.since) if intent else '-'}"
            )
        sends = [i for i in self.intents.values() if document.id in i.entries]
        for intent in sorted(sends, key=lambda i: i.created_at):
            lines.append(f"send: {intent.shown(self.since)}")
        link = self.links.get(document.id)
        if link is not None:
            lines.append(
                f"link: {link.xero_id} pushed v{link.pushed_version} {link.xero_status} "
                f"total {link.total} details {link.details}"
            )
        for record in self.by_doc.get(document.id, []) + self.gone_by_doc.get(document.id, []):
            lines += self.record_lines(document.kind, record)
        if document.kind == "payment":
            paid = payment_of(self.newest(document))["invoice"]
            invoice = self.by_source.get(("invoice", str(paid)))
            lines.append(f"its invoice {paid}:")
            for record in self.by_doc.get(invoice.id, []) if invoice is not None else []:
                lines += [f"  {line}" for line in self.record_lines("invoice", record)]
            return lines
        lines += self._contact_evidence(self.newest(document))
        return lines

    def _version_line(self, document: Document, number: int, body: Record) -> str:
        if document.kind == "payment":
            wanted = payment_of(body)
            return (
                f"{'deleted' if wanted['deleted'] else 'recorded'} {wanted['amount']} on "
                f"{wanted['invoice']} ref={wanted['reference']!r}"
            )
        line = _brief(expected_of(document.kind, body, self.earlier(document, number)))
        allocated = allocations_of(body)
        if allocated:
            line += " allocations=" + ", ".join(f"{a} to {s}" for s, a in allocated)
        return line

    def _contact_evidence(self, newest: Record) -> list[str]:
        who = newest.get("contact") or newest.get("supplier") or {}
        key, name = str(who.get("key", "")), str(who.get("name", ""))
        lines = [f"contact {key!r} {name!r}: linked to {self.contact_links.get(key, 'nothing')}"]
        for contact in self.contacts:
            if contact.get("ContactNumber") == key or _norm(contact.get("Name")) == _norm(name):
                lines.append(f"  in Xero: {self.contact_line(contact)}")
        for intent in sorted(self.intents.values(), key=lambda i: i.created_at):
            keys = {k for e in intent.entries for k in e.removeprefix("contact:").split("\x1f")}
            if intent.path.startswith("/Contacts") and key in keys:
                lines.append(f"  create: {intent.shown(self.since)}")
        return lines
