"""What the run left behind, read back once it is over: the sandbox's invoices and contacts (the
only truth about "in Xero exactly once") next to the engine's documents, versions, queue items,
send intents and links, and the evidence a person needs when a document went wrong.

``expected_of`` and ``held_of`` bring a version's body and a Xero record to one shape, so
``differences`` can say what does not match.
"""

from __future__ import annotations

import re
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
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox.seed import DEMO_TENANT

Record = dict[str, Any]

# What ties a Xero invoice to its document: the engine's marker in the invoice's Url.
MARKER = re.compile(
    r"(?:ledgerlink=|/documents/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


def _norm(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def expected_of(kind: str, body: Record) -> Record:
    """What the Xero invoice must hold for this version body."""
    who = body.get("contact") if kind == "invoice" else body.get("supplier")
    if kind == "invoice":
        status = {"draft": "DRAFT", "sent": "AUTHORISED"}[body.get("status", "draft")]
        number, reference = body.get("number"), body.get("reference")
    else:
        status = {"draft": "DRAFT", "approved": "SUBMITTED"}[body.get("status", "draft")]
        number, reference = body.get("reference") or body.get("number"), None
    return {
        "status": status,
        "number": number,
        "reference": reference,
        "contact": _norm((who or {}).get("name")),
        "lines": [
            (line.get("description"), _dec(line.get("quantity", "1")), _dec(line["unit_amount"]))
            for line in body["lines"]
        ],
    }


def held_of(org: Any, record: Record) -> Record:
    """The same shape, read from the sandbox's record."""
    contact_id = (record.get("Contact") or {}).get("ContactID")
    contact = org.contacts.get(contact_id) or record.get("Contact") or {}
    return {
        "status": record.get("Status"),
        "number": record.get("InvoiceNumber") or None,
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
        if held[name] != wanted[name]:
            found.append(f"{name}: Xero {_shown(held[name])} != {_shown(wanted[name])}")
    return found


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(f"{q} x {u}" for _, q, u in value) + "]"
    return repr(value)


def _brief(shape: Record) -> str:
    return f"ref/number={shape['reference'] or shape['number']!r} lines={_shown(shape['lines'])}"


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
    records: list[Record]
    contacts: list[Record]
    documents: list[Document]
    bodies: dict[str, dict[int, Record]]
    items: dict[str, list[QueueItem]]
    intents: dict[str, IntentRow]
    links: dict[str, Link]
    contact_links: dict[str, str]
    engine_calls: int
    since: datetime
    by_doc: dict[str, list[Record]] = field(default_factory=dict)
    strays: list[Record] = field(default_factory=list)

    @classmethod
    def read(cls, harness: SyncHarness) -> Seen:
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
        seen = cls(
            org,
            harness.invoices(),
            [dict(c) for c in list(org.contacts.values())],
            documents,
            bodies,
            items,
            intents,
            harness.links(),
            contact_links,
            engine_calls,
            min((d.created_at for d in documents), default=datetime.now(UTC)),
        )
        known = {d.id for d in documents}
        for record in seen.records:
            found = MARKER.search(str(record.get("Url") or ""))
            if found is None or record.get("Status") == "DELETED":
                continue
            if found.group(1) in known:
                seen.by_doc.setdefault(found.group(1), []).append(record)
            else:
                seen.strays.append(record)
        return seen

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
            if not differences(shape, expected_of(document.kind, body))
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
            lines.append(f"v{number}: {_brief(expected_of(document.kind, body))}")
        for item in self.items.get(document.id, []):
            intent = self.intents.get(item.intent_id or "")
            lines.append(
                f"queue v{item.version}: {item.state}, attempts {item.attempts}, waits "
                f"{item.waits}, {item.error_code or 'no error'}, intent "
                f"{intent.shown(self.since) if intent else '-'}"
            )
        sends = [i for i in self.intents.values() if document.id in i.entries]
        for intent in sorted(sends, key=lambda i: i.created_at):
            lines.append(f"send: {intent.shown(self.since)}")
        link = self.links.get(document.id)
        if link is not None:
            lines.append(
                f"link: {link.xero_id} pushed v{link.pushed_version} {link.xero_status} "
                f"total {link.total}"
            )
        for record in self.by_doc.get(document.id, []):
            shape = held_of(self.org, record)
            lines.append(
                f"Xero {record.get('InvoiceID')} {record.get('Status')} "
                f"number={shape['number']!r} total={record.get('Total')} {_brief(shape)} "
                f"updated {record.get('UpdatedDateUTC')}"
            )
        newest = versions.get(document.current_version) or {}
        who = newest.get("contact") or newest.get("supplier") or {}
        key, name = str(who.get("key", "")), str(who.get("name", ""))
        lines.append(
            f"contact {key!r} {name!r}: linked to {self.contact_links.get(key, 'nothing')}"
        )
        for contact in self.contacts:
            if contact.get("ContactNumber") == key or _norm(contact.get("Name")) == _norm(name):
                lines.append(f"  in Xero: {self.contact_line(contact)}")
        for intent in sorted(self.intents.values(), key=lambda i: i.created_at):
            keys = {k for e in intent.entries for k in e.removeprefix("contact:").split("\x1f")}
            if intent.path.startswith("/Contacts") and key in keys:
                lines.append(f"  create: {intent.shown(self.since)}")
        return lines
