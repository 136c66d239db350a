"""What the run left behind, read back once it is over, one ``Seen`` per organisation: its
invoices, bills, purchase orders, credit notes (with their allocations), payments and contacts
in the sandbox (the only truth about "in Xero exactly once") next to the engine's documents,
versions, queue items, send intents and links of its connection, and the evidence a person needs
when a document went wrong.

Each Xero record is tied to its document as the engine ties it: an invoice or a bill by the
engine's marker in its Url; a purchase order or a credit note by its number (the document's own,
or its source_id when it has none); a payment by its reference (each payment of a run has its
own). Records are tied against every organisation's documents, so one that belongs to a
document of another organisation is found (``elsewhere``), not taken for a stray. ``shapes``
brings a version's body and a Xero record to one shape, to say what does not match.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from tests.engine.sync.chaos.orgs import Org
from tests.engine.sync.chaos.shapes import (
    INVOICE_TYPES,
    MARKER,
    RESOURCES,
    Record,
    allocations_of,
    brief,
    differences,
    expected_of,
    held_of,
    live,
    lower_id,
    norm,
    number_of,
    payment_of,
)
from tests.engine.sync.conftest import SyncHarness


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
    key: str = "demo"  # the organisation's
    others: list[Document] = field(default_factory=list)  # the other organisations' documents
    # live records here that belong to a document of another organisation
    elsewhere: list[tuple[str, Record, Document]] = field(default_factory=list)

    @classmethod
    def read_all(cls, harness: SyncHarness, calm_from: int, orgs: list[Org]) -> dict[str, Seen]:
        """What the run left in each organisation, by its key; ``calm_from``: how many calls
        the sandbox's request log held when the chaos stopped (the rest were the drain's)."""
        with harness.factory() as session:
            documents = list(
                session.scalars(
                    select(Document).where(Document.workspace_id == harness.workspace_id)
                )
            )
            bodies: dict[str, dict[int, Record]] = {}
            for version in session.scalars(select(DocumentVersion)):
                bodies.setdefault(version.document_id, {})[version.version] = version.body
            intents: dict[str, dict[str, IntentRow]] = {}
            for i in session.scalars(select(SendIntent)):
                intents.setdefault(i.connection_id, {})[i.id] = IntentRow(
                    i.id,
                    i.state,
                    i.method,
                    i.path,
                    tuple(str(e) for e in i.document_ids or ()),
                    i.created_at,
                    i.finished_at,
                )
            contact_links: dict[str, dict[str, str]] = {}
            for link in session.scalars(select(ContactLink)):
                contact_links.setdefault(link.connection_id, {})[link.contact_key] = (
                    link.xero_contact_id
                )
            engine_calls = Counter(
                dict(
                    session.execute(
                        select(ApiCall.connection_id, func.count()).group_by(ApiCall.connection_id)
                    ).all()
                )
            )
        items: dict[str, dict[str, list[QueueItem]]] = {}
        for item in harness.items():
            items.setdefault(item.connection_id, {}).setdefault(item.document_id, []).append(item)
        links = harness.links()
        log = list(harness.server.state.request_log)
        since = min((d.created_at for d in documents), default=datetime.now(UTC))
        found: dict[str, Seen] = {}
        for org in orgs:
            box = harness.server.state.orgs[org.tenant_id]
            records: dict[str, list[Record]] = {kind: [] for kind in KINDS}
            for record in list(box.invoices.values()):
                records[INVOICE_TYPES.get(str(record.get("Type")), "invoice")].append(dict(record))
            for kind in ("purchase_order", "credit_note", "payment"):
                records[kind] = [dict(r) for r in list(getattr(box, RESOURCES[kind][0]).values())]
            calls, writes = _calls(log, org.tenant_id, calm_from)
            mine = org.connection_id
            seen = cls(
                box,
                records,
                [dict(c) for c in list(box.contacts.values())],
                [d for d in documents if d.connection_id == mine],
                bodies,
                items.get(mine, {}),
                intents.get(mine, {}),
                links,
                contact_links.get(mine, {}),
                int(engine_calls[mine]),
                calls,
                writes,
                since,
                key=org.key,
                others=[d for d in documents if d.connection_id != mine],
            )
            seen._tie()
            found[org.key] = seen
        return found

    def _tie(self) -> None:
        """Each Xero record to its document, as the engine ties them (see the module's doc)."""
        self.by_source = {(d.kind, d.source_id): d for d in self.documents}
        everyone = {d.id: d for d in self.documents + self.others}
        mine = {d.id for d in self.documents}
        keys: dict[tuple[str, str], str] = {}
        for document in everyone.values():
            newest = self.bodies.get(document.id, {}).get(document.current_version) or {}
            if document.kind in ("purchase_order", "credit_note"):
                keys[(document.kind, lower_id(number_of(document.kind, newest)))] = document.id
            elif document.kind == "payment":
                keys[("payment", str(newest.get("reference")))] = document.id
        for kind, found in self.records.items():
            for record in found:
                if kind in ("invoice", "expense"):
                    marker = MARKER.search(str(record.get("Url") or ""))
                    owner = marker.group(1) if marker and marker.group(1) in everyone else None
                elif kind == "payment":
                    owner = keys.get((kind, str(record.get("Reference"))))
                else:
                    owner = keys.get((kind, lower_id(record.get(RESOURCES[kind][2] or ""))))
                if owner is None:
                    if live(record):
                        self.strays.append((kind, record))
                    continue
                if owner not in mine:
                    if live(record):
                        self.elsewhere.append((kind, record, everyone[owner]))
                    continue
                into = self.by_doc if live(record) else self.gone_by_doc
                into.setdefault(owner, []).append(record)
        by_id = {d.id: d for d in self.documents}
        for owner, found in self.by_doc.items():
            for record in found:
                kind = by_id[owner].kind
                self.by_xero_id[lower_id(record.get(RESOURCES[kind][1]))] = by_id[owner]

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
        return [lower_id(r.get(RESOURCES[kind][1])) for r in found]

    def name_of(self, xero_id: Any) -> str:
        """The document a Xero id belongs to, for a person."""
        document = self.by_xero_id.get(lower_id(xero_id))
        return document.source_id if document is not None else "no document"

    def live_payments(self, invoice_id: str) -> list[Record]:
        return [
            r for r in self.records["payment"] if live(r) and lower_id(r["_document"]) == invoice_id
        ]

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
            by_name.setdefault(norm(contact.get("Name")), []).append(contact)
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
        line = f"Xero {ident} {record.get('Status')} total={record.get('Total')} {brief(shape)}"
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
            ident = lower_id(record.get("InvoiceID"))
            for payment in self.records["payment"]:
                if lower_id(payment.get("_document")) == ident:
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
        line = brief(expected_of(document.kind, body, self.earlier(document, number)))
        allocated = allocations_of(body)
        if allocated:
            line += " allocations=" + ", ".join(f"{a} to {s}" for s, a in allocated)
        return line

    def _contact_evidence(self, newest: Record) -> list[str]:
        who = newest.get("contact") or newest.get("supplier") or {}
        key, name = str(who.get("key", "")), str(who.get("name", ""))
        lines = [f"contact {key!r} {name!r}: linked to {self.contact_links.get(key, 'nothing')}"]
        for contact in self.contacts:
            if contact.get("ContactNumber") == key or norm(contact.get("Name")) == norm(name):
                lines.append(f"  in Xero: {self.contact_line(contact)}")
        for intent in sorted(self.intents.values(), key=lambda i: i.created_at):
            keys = {k for e in intent.entries for k in e.removeprefix("contact:").split("\x1f")}
            if intent.path.startswith("/Contacts") and key in keys:
                lines.append(f"  create: {intent.shown(self.since)}")
        return lines


def _calls(
    log: list[Record], tenant_id: str, calm_from: int
) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """One organisation's calls in the sandbox's request log, by method and collection, and
    its writes by collection under the chaos and in the drain."""
    calls: Counter[str] = Counter()
    writes: dict[str, Counter[str]] = {}
    for number, entry in enumerate(log):
        if entry.get("tenant") != tenant_id:
            continue
        parts = str(entry["path"]).strip("/").split("/")
        what = parts[0] + ("/Allocations" if "Allocations" in parts else "")
        calls[f"{entry['method']} {what}"] += 1
        if entry["method"] != "GET":
            when = "chaos" if number < calm_from else "drain"
            writes.setdefault(what, Counter())[when] += 1
    return calls, writes
