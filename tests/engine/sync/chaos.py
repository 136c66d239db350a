"""Chaos: ``ledgerlink worker`` processes SIGKILLed at random while documents pour in and Xero
misbehaves; afterwards the sandbox's own records are judged. Shared by ``test_chaos.py`` (small,
for CI) and ``bench/chaos.py`` (bigger, prints figures).

One run:

1. a fresh PostgreSQL schema made by the real migrations; a sandbox on loopback whose limits are
   enforced but far above what the run spends, on a one-second "minute" (so a 429 burst's
   Retry-After is a second, and the workers' limiter runs on the same minute); a custom
   connection to its demo organisation;
2. ``workers`` processes of the real ``python -m ledgerlink.cli worker`` with short leases;
3. a seeded plan of waves pushed through intake (``upsert_documents``, as a source app's bulk
   upload lands): new invoices and expenses; changes to documents, mostly ones created a few
   seconds before (so the update often races an unresolved create); changes back to an earlier
   content (v1 -> v2 -> v1); the same content again (must be "unchanged"); contacts new in the
   wave and shared by several of its documents, contacts introduced a few seconds before (their
   create may be unresolved), older ones, ones Xero already had (some named in other letter
   case), and a few "aliases" (another key, the same name in other case);
4. meanwhile, on a seeded schedule, a worker (mostly the one holding the connection's lease) is
   SIGKILLed and started again, some new lives armed to stop at a pause point (intent written,
   reply received, reply applied) where they are killed; the sandbox injects faults on invoices
   and contacts, PUT and POST (5xx, lost replies, 429 bursts, and slow replies longer than the
   lease, which a living worker's lease heartbeat must outlast); the organisation goes offline
   once for a few seconds (an outage);
5. back-offs are compressed: every queued item's ``not_before`` is pulled in to at most
   ``backoff_cap`` seconds away (the engine's back-off runs 5 s, 10 s, ... up to 15 minutes and
   cannot be shortened from outside, unlike Xero's minute), which stands for a run many times
   longer, so an outage of seconds tries items as often as one of many minutes would; it only
   moves when an item is next looked at, never what becomes of it (rows a worker has locked are
   skipped);
6. the chaos stops (faults cleared, no more kills, the organisation online, every worker
   running); the workers run until the queue table holds nothing queued or in flight; they are
   stopped; then the sandbox's records are read back and judged (see ``RULES``).

What is judged never depends on timing; timing only decides when kills and faults land.
"""

from __future__ import annotations

import contextlib
import random
import re
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine, make_session_factory, transaction
from ledgerlink.store.models import (
    ApiCall,
    ContactLink,
    Document,
    DocumentVersion,
    Lease,
    Link,
    QueueItem,
    SendIntent,
)
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth
from ledgerlink.sync.intake import upsert_documents
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, TEST_KEY, postgres_schema_url
from tests.engine.sync.conftest import DEFAULTS, FAST_APP_MINUTE, FAST_MINUTE, PUBLIC_URL
from tests.engine.sync.worker_process import WorkerProcess
from xero_sandbox import SandboxConfig
from xero_sandbox.config import Limits
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

Say = Callable[[str], None]
Record = dict[str, Any]

RULES = {
    "once": "every accepted document is exactly one live Xero invoice",
    "newest": "each Xero invoice carries its document's newest version",
    "contacts": "no Xero contact twice (name, case and spaces aside)",
    "queue": "nothing held or failed that only needed to wait (newest versions done)",
    "idle": "the queue went idle once the chaos stopped",
    "intake": "intake answered created / updated / unchanged as planned",
}
SEED_CLIENTS = ("Bayside Club", "City Limousines", "Ridgeway University")
SEED_SUPPLIERS = ("Office Supplies Co", "PowerDirect")
PAUSE_POINTS = ("intent_written", "reply_received", "reply_applied")
MARKER = re.compile(
    r"(?:ledgerlink=|/documents/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
# Enforced, never reached; 50 concurrent slots so the limiter's slots a killed worker leaves
# held (they free themselves after 90 s) never make the survivors wait.
CONCURRENT = 50
MINUTE_SECONDS = 1.0
HURRY_EVERY = 0.25
FINAL = ("superseded", "done")  # what an older version's queue item may end as
HOLDER_WAIT = 3.0
TICK = 0.05
# Documents and contacts of the last few waves (about three seconds, a worker's round or two)
# are "recent": their creates may still be unresolved when they are changed or reused.
RECENT_WAVES = 4


@dataclass(frozen=True)
class ChaosConfig:
    """The size and pace of a run; the defaults are the CI test's."""

    seed: int = 20260302
    workers: int = 3
    lease_seconds: float = 2.0
    waves: int = 45
    wave_gap: tuple[float, float] = (0.5, 1.1)
    new_invoices: int = 4  # per wave
    new_expenses: int = 2
    changes: int = 3
    reverts: int = 2
    repeats: int = 1
    kill_gap: tuple[float, float] = (3.0, 6.0)
    restart_delay: tuple[float, float] = (0.1, 0.8)
    holder_share: float = 0.85  # kills aimed at the worker holding the lease
    pause_share: float = 0.5  # new lives armed to stop at a pause point
    fault_rate: float = 2.0  # scales every fault probability
    slow_seconds: float = 2.5  # longer than the lease: a live worker's heartbeat must keep it
    # The workers' Xero read timeout (LEDGERLINK_XERO_READ_TIMEOUT), above the slowest reply: a
    # dead worker's send is settled only once it has passed, so Xero's 60 s would stall a run.
    read_timeout: float = 6.0
    outage_seconds: float = 10.0
    tail_seconds: float = 4.0  # chaos after the last wave
    backoff_cap: float = 0.3
    drain_seconds: float = 60.0
    stop_seconds: float = 20.0
    detail_limit: int = 8  # documents shown in full per rule


# the plan ---------------------------------------------------------------------------------


@dataclass
class Contact:
    key: str
    name: str
    born: int  # the wave that introduced it; -1 for contacts Xero already had


@dataclass
class Doc:
    kind: str  # invoice | expense
    n: int
    contact: dict[str, str]
    born: int
    numbered: bool
    url: str | None
    variants: list[int] = field(default_factory=list)  # one per accepted version, in order

    @property
    def source_id(self) -> str:
        return f"chaos-{self.kind[:3]}-{self.n}"

    def body(self, variant: int) -> Record:
        """The document's content for ``variant``: equal variants give equal content."""
        lines = []
        for i in range(1 + (self.n + variant) % 3):
            unit = Decimal(100 + (self.n * 7) % 90 + 13 * variant + i) + Decimal("0.50")
            if (variant + i) % 4 == 3:
                unit += Decimal("0.0025")  # four decimal places: sent with unitdp=4
            lines.append(
                {
                    "description": f"Chaos work {i + 1}, revision {variant}",
                    "quantity": str(1 + (self.n + i + variant) % 4),
                    "unit_amount": str(unit),
                }
            )
        data: Record = {"source_id": self.source_id, "lines": lines}
        if self.url:
            data["url"] = self.url
        if self.kind == "invoice":
            data.update(
                contact=dict(self.contact),
                issue_date="2026-03-02",
                due_date="2026-04-01",
                status="sent" if self.n % 2 else "draft",
                reference=f"Job {self.n} rev {variant}",
            )
            if self.numbered:
                data["number"] = f"CH-{self.n:05d}"
        else:
            data.update(
                supplier=dict(self.contact),
                date="2026-03-05",
                due_date="2026-04-05",
                status="approved" if self.n % 2 else "draft",
                reference=f"BILL-{self.n}-r{variant}",
            )
        return data


@dataclass
class Push:
    doc: Doc
    variant: int
    why: str  # new | change | revert | repeat
    expect: str  # created | updated | unchanged


@dataclass
class Wave:
    at: float  # seconds after the chaos starts
    pushes: list[Push]


@dataclass(frozen=True)
class KillPlan:
    at: float
    holder: bool  # aim at the lease holder (when there is one)
    pick: float  # otherwise which running worker, as a fraction of them
    restart_after: float
    pause_at: str | None  # the next life stops there ("intent_written:2"), to be killed
    pause_kill_after: float
    jitter: float  # from the moment a lease holder is seen to its kill


class Planner:
    """Every document, version and contact of a run, decided from the seed before it starts."""

    def __init__(self, config: ChaosConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.docs: list[Doc] = []
        self.numbers: Counter[str] = Counter()
        self.contacts: dict[str, list[Contact]] = {
            "invoice": [Contact(f"seed-client-{i}", n, -1) for i, n in enumerate(SEED_CLIENTS)],
            "expense": [Contact(f"seed-supplier-{i}", n, -1) for i, n in enumerate(SEED_SUPPLIERS)],
        }

    def waves(self) -> list[Wave]:
        found: list[Wave] = []
        at = 0.5
        for number in range(self.config.waves):
            found.append(Wave(at, self._wave(number)))
            at += self.rng.uniform(*self.config.wave_gap)
        return found

    def kills(self, until: float) -> tuple[list[KillPlan], float]:
        """The kill schedule up to ``until`` and when the outage starts (its own generator)."""
        rng = random.Random(f"{self.config.seed}-kills")
        cfg = self.config
        plans: list[KillPlan] = []
        at = rng.uniform(*cfg.kill_gap)
        while at < until:
            armed = rng.random() < cfg.pause_share
            point = f"{rng.choice(PAUSE_POINTS)}:{rng.randint(1, 3)}"
            plans.append(
                KillPlan(
                    at,
                    rng.random() < cfg.holder_share,
                    rng.random(),
                    rng.uniform(*cfg.restart_delay),
                    point if armed else None,
                    rng.uniform(0.0, 0.3),
                    rng.uniform(0.0, 1.5),
                )
            )
            at += rng.uniform(*cfg.kill_gap)
        return plans, rng.uniform(0.35, 0.55) * until

    def _new_contact(self, kind: str, wave: int) -> Contact:
        self.numbers[f"contact-{kind}"] += 1
        k = self.numbers[f"contact-{kind}"]
        if kind == "invoice":
            return Contact(f"chaos-client-{k}", f"Chaos Client {k} Pty Ltd", wave)
        return Contact(f"chaos-supplier-{k}", f"Chaos Supplier {k}", wave)

    def _contact_for(self, kind: str, wave: int) -> dict[str, str]:
        pool = self.contacts[kind]
        made = [c for c in pool if c.born >= 0]
        recent = [c for c in made if c.born >= wave - RECENT_WAVES]
        seeded = [c for c in pool if c.born < 0]
        roll = self.rng.random()
        if roll < 0.45 and recent:
            chosen = self.rng.choice(recent)
            return {"key": chosen.key, "name": chosen.name}
        if roll < 0.75 and made:
            chosen = self.rng.choice(made)
            return {"key": chosen.key, "name": chosen.name}
        if roll < 0.92 or not made:
            chosen = self.rng.choice(seeded)
            name = chosen.name if self.rng.random() < 0.5 else chosen.name.upper()
            return {"key": chosen.key, "name": name}
        chosen = self.rng.choice(recent or made)
        return {"key": f"{chosen.key}-alias", "name": chosen.name.lower()}

    def _new_doc(self, kind: str, contact: dict[str, str], wave: int) -> Doc:
        self.numbers[kind] += 1
        n = self.numbers[kind]
        url = f"https://jobs.example/{kind}/{n}" if self.rng.random() < 0.25 else None
        doc = Doc(kind, n, contact, wave, numbered=self.rng.random() < 0.6, url=url)
        doc.variants.append(0)
        self.docs.append(doc)
        return doc

    def _pick(self, candidates: list[Doc], count: int, wave: int, touched: set[str]) -> list[Doc]:
        """Up to ``count`` untouched documents, mostly from the last few waves."""
        free = [d for d in candidates if d.source_id not in touched]
        recent = [d for d in free if d.born >= wave - RECENT_WAVES]
        older = [d for d in free if d.born < wave - RECENT_WAVES]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        chosen: list[Doc] = []
        while len(chosen) < count and (recent or older):
            source = recent if recent and (not older or self.rng.random() < 0.65) else older
            chosen.append(source.pop())
        touched.update(d.source_id for d in chosen)
        return chosen

    def _wave(self, wave: int) -> list[Push]:
        cfg = self.config
        pushes: list[Push] = []
        touched: set[str] = set()
        existing = list(self.docs)
        for kind, count in (("invoice", cfg.new_invoices), ("expense", cfg.new_expenses)):
            fresh = [self._new_contact(kind, wave) for _ in range(max(1, count // 3))]
            for i in range(count):
                if i < len(fresh):
                    chosen = fresh[i]
                    contact = {"key": chosen.key, "name": chosen.name}
                elif self.rng.random() < 0.3:
                    chosen = self.rng.choice(fresh)  # a new contact shared in its first wave
                    contact = {"key": chosen.key, "name": chosen.name}
                else:
                    contact = self._contact_for(kind, wave)
                doc = self._new_doc(kind, contact, wave)
                touched.add(doc.source_id)
                pushes.append(Push(doc, 0, "new", "created"))
            self.contacts[kind].extend(fresh)
        for doc in self._pick(existing, cfg.changes, wave, touched):
            variant = max(doc.variants) + 1
            doc.variants.append(variant)
            pushes.append(Push(doc, variant, "change", "updated"))
        movable = [d for d in existing if len(set(d.variants)) > 1]
        for doc in self._pick(movable, cfg.reverts, wave, touched):
            current = doc.variants[-1]
            earlier = next(v for v in reversed(doc.variants) if v != current)
            doc.variants.append(earlier)
            pushes.append(Push(doc, earlier, "revert", "updated"))
        for doc in self._pick(existing, cfg.repeats, wave, touched):
            pushes.append(Push(doc, doc.variants[-1], "repeat", "unchanged"))
        return pushes


# the database -----------------------------------------------------------------------------


@contextlib.contextmanager
def chaos_database() -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A fresh migrated PostgreSQL schema (dropped afterwards); skips when PostgreSQL is down."""
    for url in postgres_schema_url():
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            yield url, make_session_factory(engine)
        finally:
            engine.dispose()


# what Xero should hold --------------------------------------------------------------------


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


# what was read back -----------------------------------------------------------------------


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
    def read(cls, server: SandboxServer, factory: sessionmaker[Session], workspace: str) -> Seen:
        org = server.state.orgs[DEMO_TENANT]
        with factory() as session:
            documents = list(
                session.scalars(select(Document).where(Document.workspace_id == workspace))
            )
            bodies: dict[str, dict[int, Record]] = {}
            for version in session.scalars(select(DocumentVersion)):
                bodies.setdefault(version.document_id, {})[version.version] = version.body
            items: dict[str, list[QueueItem]] = {}
            for item in session.scalars(select(QueueItem).order_by(QueueItem.created_at)):
                items.setdefault(item.document_id, []).append(item)
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
            seen = cls(
                org,
                [dict(r) for r in list(org.invoices.values())],
                [dict(c) for c in list(org.contacts.values())],
                documents,
                bodies,
                items,
                intents,
                {link.document_id: link for link in session.scalars(select(Link))},
                dict(
                    session.execute(
                        select(ContactLink.contact_key, ContactLink.xero_contact_id)
                    ).all()
                ),
                int(session.scalar(select(func.count()).select_from(ApiCall)) or 0),
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
                f"{getattr(item, 'waits', '?')}, {item.error_code or 'no error'}, intent "
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


# the run ----------------------------------------------------------------------------------


@dataclass
class Kill:
    at: float
    worker: str
    pid: int
    holder: bool
    point: str  # "anywhere", a pause point, or "drain" (an armed life stopped for the drain)


@dataclass
class Violation:
    rule: str
    summary: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Report:
    config: ChaosConfig
    figures: list[tuple[str, str]]
    violations: list[Violation]
    notes: list[str]
    folder: Path

    def failed(self, rule: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule]

    def render(self) -> str:
        out = [f"chaos run (seed {self.config.seed}, {self.config.workers} workers)"]
        width = max(len(name) for name, _ in self.figures)
        out += [f"  {name.ljust(width)}  {value}" for name, value in self.figures]
        out.append("rules:")
        shown: set[str] = set()
        for rule, words in RULES.items():
            found = self.failed(rule)
            verdict = f"FAIL ({len(found)})" if found else "ok"
            out.append(f"  [{verdict}] {rule}: {words}")
        for rule in RULES:
            found = self.failed(rule)
            if not found:
                continue
            out.append(f"{rule}: {len(found)} violation(s)")
            for violation in found[: self.config.detail_limit]:
                out.append(f"  - {violation.summary}")
                if violation.evidence and violation.evidence[0] in shown:
                    out.append("      (evidence above)")
                    continue
                shown.add(violation.evidence[0] if violation.evidence else "")
                out += [f"      {line}" for line in violation.evidence]
            if len(found) > self.config.detail_limit:
                rest = [v.summary for v in found[self.config.detail_limit :]]
                out.append(f"  ... and {len(rest)} more: " + "; ".join(rest)[:2000])
        if self.notes:
            out.append("notes:")
            out += [f"  {note}" for note in self.notes]
        out.append(f"worker logs: {self.folder}")
        return "\n".join(out)


class ChaosRun:
    def __init__(
        self,
        config: ChaosConfig,
        server: SandboxServer,
        url: str,
        factory: sessionmaker[Session],
        folder: Path,
    ) -> None:
        self.config = config
        self.server = server
        self.url = url
        self.factory = factory
        self.folder = folder
        planner = Planner(config)
        self.waves = planner.waves()
        self.chaos_seconds = self.waves[-1].at + config.tail_seconds
        self.kill_plans, self.outage_at = planner.kills(self.chaos_seconds)
        self.docs = planner.docs
        self.settings = replace(
            Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(server.url),
            xero_read_timeout=config.read_timeout,
        )
        self.workers: list[WorkerProcess] = []
        self.kills: list[Kill] = []
        self.notes: list[str] = []
        self.violations: list[Violation] = []
        self.outcomes: Counter[str] = Counter()
        self.intake_retries = 0
        self.fired: list[Record] = []
        self.offline_refusals = 0
        self.armed: dict[str, str | None] = {}
        self.paused_seen: dict[str, float] = {}
        self.restart_at: dict[str, tuple[float, str | None]] = {}
        self.self_exits = 0
        self.seconds: dict[str, float] = {}
        self.started = time.monotonic()
        self.workspace_id = ""
        self.connection_id = ""
        self.target: WorkerProcess | None = None
        self.target_at = 0.0
        self.aim_until = 0.0
        self.aiming: KillPlan | None = None

    # sandbox admin ------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        reply = httpx2.request(method, self.server.url + path, json=body, timeout=30)
        if reply.status_code >= 300:
            raise AssertionError(f"sandbox admin {method} {path}: {reply.text}")
        return reply.json()

    def faults(self) -> list[Record]:
        """Probabilistic faults on every write of invoices and contacts (seeded in the sandbox)."""
        kinds: list[tuple[float, Record]] = [
            (0.06, {"kind": "error", "status": 500}),
            (0.05, {"kind": "error", "status": 503}),
            (0.03, {"kind": "error", "status": 502}),
            (0.12, {"kind": "lost_reply"}),
            (0.06, {"kind": "slow", "delay_seconds": self.config.slow_seconds}),
            (0.05, {"kind": "rate_limit", "problem": "minute"}),
        ]
        return [
            {**rule, "endpoint": endpoint, "method": method, "probability": p}
            for endpoint in ("invoices", "contacts")
            for method in ("PUT", "POST")
            for share, rule in kinds
            if (p := min(1.0, share * self.config.fault_rate)) > 0
        ]

    def offline(self, flag: bool) -> None:
        self.admin("POST", "/_sandbox/orgs/demo", {"offline": flag})

    # set-up -------------------------------------------------------------------------------

    def connect(self) -> None:
        self.admin("POST", "/_sandbox/reset", {"seed": self.config.seed})
        with transaction(self.factory) as session:
            workspace, _ = create_workspace(session, "Chaos")
            connection = oauth.connect_custom(
                session, workspace.id, CUSTOM_CLIENT, CUSTOM_SECRET, settings=self.settings
            )
            conns.update_settings(session, workspace.id, connection.id, DEFAULTS)
            self.workspace_id, self.connection_id = workspace.id, connection.id
        env = {
            "LEDGERLINK_XERO_MINUTE_LIMIT": str(FAST_MINUTE),
            "LEDGERLINK_XERO_APP_MINUTE_LIMIT": str(FAST_APP_MINUTE),
            "LEDGERLINK_XERO_CONCURRENT_LIMIT": str(CONCURRENT),
            "LEDGERLINK_XERO_MINUTE_SECONDS": str(MINUTE_SECONDS),
        }
        self.workers = [
            WorkerProcess(
                self.settings,
                self.folder,
                PUBLIC_URL,
                self.config.lease_seconds,
                env,
                once=False,
                name=f"w{i}",
            )
            for i in range(self.config.workers)
        ]

    # workers ------------------------------------------------------------------------------

    @staticmethod
    def alive(worker: WorkerProcess) -> bool:
        return worker.process is not None and worker.process.poll() is None

    def start(self, worker: WorkerProcess, pause_at: str | None = None) -> None:
        worker.start(pause_at=pause_at)
        self.armed[worker.name] = pause_at
        self.paused_seen.pop(worker.name, None)

    def sigkill(self, worker: WorkerProcess) -> int:
        assert worker.process is not None
        pid = worker.process.pid
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGKILL)
            worker.process.wait(timeout=30)
        return pid

    def paused_at(self, worker: WorkerProcess) -> str | None:
        if worker.pause_file is None or not worker.pause_file.exists():
            return None
        return worker.pause_file.read_text().strip() or None

    def holder(self) -> WorkerProcess | None:
        """The running worker whose lease on the connection is live, if any."""
        with self.factory() as session:
            owner = session.scalar(
                select(Lease.owner).where(
                    Lease.connection_id == self.connection_id,
                    Lease.expires_at >= datetime.now(UTC),
                )
            )
        if not owner:
            return None
        pid = owner.rsplit(":", 2)[-2]
        for worker in self.workers:
            if self.alive(worker) and str(worker.process.pid) == pid:  # type: ignore[union-attr]
                return worker
        return None

    def reap(self, now: float, *, restart_delay: float = 0.5) -> None:
        """Workers that ended by themselves are noted (with their log's end) and restarted."""
        for worker in self.workers:
            if worker.process is None or self.alive(worker) or worker.name in self.restart_at:
                continue
            self.self_exits += 1
            tail = " | ".join(worker.log().strip().splitlines()[-3:])[-600:]
            self.notes.append(
                f"{worker.name} life {worker.lives} ended by itself (exit "
                f"{worker.process.returncode}) at {now:.1f} s: {tail}"
            )
            self.restart_at[worker.name] = (now + restart_delay, None)

    def restarts(self, now: float) -> None:
        for worker in self.workers:
            due = self.restart_at.get(worker.name)
            if due is not None and now >= due[0]:
                del self.restart_at[worker.name]
                self.start(worker, due[1])

    def kill_paused(self, now: float, plan_delay: float) -> None:
        for worker in self.workers:
            if not self.alive(worker) or worker.name in self.restart_at:
                continue
            point = self.paused_at(worker)
            if point is None:
                continue
            seen = self.paused_seen.setdefault(worker.name, now)
            if now < seen + plan_delay:
                continue
            pid = self.sigkill(worker)
            self.kills.append(Kill(now, worker.name, pid, True, point))
            self.restart_at[worker.name] = (now + 0.2, None)

    def aim(self, plan: KillPlan, now: float) -> bool:
        """Kill as planned once the moment comes; False while still waiting for it.

        A kill aimed at the lease holder waits (up to ``HOLDER_WAIT``) until a worker holds the
        lease, then ``plan.jitter`` more, so it lands inside a run rather than between runs;
        when none takes the lease in time, a running worker is killed instead.
        """
        if plan.holder and self.target is None and now < self.aim_until:
            holder = self.holder()
            if holder is None:
                return False
            self.target, self.target_at = holder, now + plan.jitter
        if self.target is not None and now < self.target_at:
            return False
        running = [w for w in self.workers if self.alive(w) and w.name not in self.restart_at]
        target = self.target if self.target in running else None
        if target is None and running:
            target = running[int(plan.pick * len(running))]
        self.target = None
        if target is None:
            self.notes.append(f"kill at {now:.1f} s skipped: no worker running")
            return True
        held = self.holder() is target
        pid = self.sigkill(target)
        self.kills.append(Kill(now, target.name, pid, held, "anywhere"))
        self.restart_at[target.name] = (now + plan.restart_after, plan.pause_at)
        return True

    # the queue ----------------------------------------------------------------------------

    def hurry(self, cap: float) -> None:
        """Pull every queued item's back-off in to at most ``cap`` seconds (rows a worker has
        locked are skipped, so this never waits on, nor deadlocks with, a worker)."""
        until = datetime.now(UTC) + timedelta(seconds=cap)
        waiting = (
            select(QueueItem.id)
            .where(QueueItem.state == "queued", QueueItem.not_before > until)
            .with_for_update(skip_locked=True)
        )
        with transaction(self.factory) as session:
            session.execute(
                update(QueueItem)
                .where(QueueItem.id.in_(waiting.scalar_subquery()))
                .where(QueueItem.state == "queued", QueueItem.not_before > until)
                .values(not_before=until)
                .execution_options(synchronize_session=False)
            )

    def open_items(self) -> int:
        with self.factory() as session:
            query = select(func.count()).where(QueueItem.state.in_(("queued", "in_flight")))
            return int(session.scalar(query) or 0)

    def push(self, wave: Wave, number: int) -> None:
        for kind in ("invoice", "expense"):
            pushes = [p for p in wave.pushes if p.doc.kind == kind]
            if not pushes:
                continue
            items = [p.doc.body(p.variant) for p in pushes]
            for attempt in range(5):
                try:
                    results = upsert_documents(
                        self.factory, self.workspace_id, self.connection_id, kind, items
                    )  # type: ignore[arg-type]
                    break
                except DBAPIError as exc:  # a deadlock with a worker: the upload is retried
                    self.intake_retries += 1
                    if attempt == 4:
                        raise
                    self.notes.append(f"wave {number} intake retried: {str(exc)[:160]}")
            for push, result in zip(pushes, results, strict=True):
                self.outcomes[f"{push.why}:{result.outcome}"] += 1
                if result.outcome != push.expect:
                    errors = "; ".join(e.message for e in result.errors)[:300]
                    self.violations.append(
                        Violation(
                            "intake",
                            f"wave {number} {push.why} of {push.doc.source_id} (variant "
                            f"{push.variant}): intake said {result.outcome}, expected "
                            f"{push.expect} {errors}",
                        )
                    )

    # phases -------------------------------------------------------------------------------

    def chaos(self) -> None:
        cfg = self.config
        self.admin("POST", "/_sandbox/faults", self.faults())
        for worker in self.workers:
            self.start(worker)
        waves = deque(enumerate(self.waves))
        plans = deque(self.kill_plans)
        outage_end = self.outage_at + cfg.outage_seconds
        outage = "before"
        log_mark = 0
        last_plan_delay = 0.1
        next_hurry = 0.0
        start = time.monotonic()
        while (now := time.monotonic() - start) < self.chaos_seconds:
            if waves and now >= waves[0][1].at:
                number, wave = waves.popleft()
                self.push(wave, number)
            if outage == "before" and now >= self.outage_at and cfg.outage_seconds > 0:
                log_mark = int(self.admin("GET", "/_sandbox/stats")["request_log"])
                self.offline(True)
                outage = "on"
            elif outage == "on" and now >= outage_end:
                self.offline(False)
                logged = self.admin("GET", "/_sandbox/requests")["requests"][log_mark:]
                self.offline_refusals = sum(1 for r in logged if r["status"] == 503)
                outage = "after"
            self.reap(now)
            self.kill_paused(now, last_plan_delay)
            if plans and now >= plans[0].at:
                if self.aiming is not plans[0]:
                    self.aiming, self.aim_until = plans[0], now + HOLDER_WAIT
                if self.aim(plans[0], now):
                    last_plan_delay = plans.popleft().pause_kill_after
            self.restarts(now)
            if now >= next_hurry:
                self.hurry(cfg.backoff_cap)
                next_hurry = now + HURRY_EVERY
            time.sleep(TICK)
        if outage == "on":
            self.offline(False)
        self.seconds["chaos"] = time.monotonic() - start
        self.fired = list(self.admin("GET", "/_sandbox/faults")["fired"])
        self.admin("DELETE", "/_sandbox/faults")

    def drain(self) -> None:
        """No more faults or kills: every worker runs, until nothing is queued or in flight."""
        cfg = self.config
        start = time.monotonic()
        self.offline(False)
        for worker in self.workers:
            if self.alive(worker) and self.armed.get(worker.name):
                # a life armed to stop at a pause point would stop there during the drain
                point = self.paused_at(worker) or "drain"
                pid = self.sigkill(worker)
                self.kills.append(Kill(self.chaos_seconds, worker.name, pid, False, point))
        self.restart_at.clear()
        for worker in self.workers:
            if not self.alive(worker):
                self.start(worker)
        idle = False
        deadline = start + cfg.drain_seconds
        while time.monotonic() < deadline:
            self.hurry(0.0)
            self.reap(time.monotonic() - start, restart_delay=0.0)
            self.restarts(time.monotonic() - start)
            in_xero = self.admin("GET", "/_sandbox/stats")["rate_limits"]["in_flight"]
            if self.open_items() == 0 and not in_xero:
                idle = True
                break
            time.sleep(0.25)
        self.seconds["drain"] = time.monotonic() - start
        if not idle:
            with self.factory() as session:
                stuck = Counter(
                    f"{state} ({code or 'no code'})"
                    for state, code in session.execute(
                        select(QueueItem.state, QueueItem.error_code).where(
                            QueueItem.state.in_(("queued", "in_flight"))
                        )
                    )
                )
            self.violations.append(
                Violation(
                    "idle",
                    f"after {cfg.drain_seconds:.0f} s without faults or kills the queue still "
                    f"holds {dict(stuck)}",
                )
            )

    def stop_workers(self) -> dict[str, int | None]:
        """SIGTERM every worker, SIGKILL what has not ended in time; exit codes by name."""
        codes: dict[str, int | None] = {}
        for worker in self.workers:
            if self.alive(worker):
                assert worker.process is not None
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.config.stop_seconds
        for worker in self.workers:
            if worker.process is None:
                continue
            with contextlib.suppress(Exception):
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=30)
                self.notes.append(f"{worker.name} did not stop on SIGTERM; killed")
            codes[worker.name] = worker.process.returncode
        return codes

    def kill_all(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.stop()

    # the verdict --------------------------------------------------------------------------

    def judge(self, exit_codes: dict[str, int | None]) -> Report:
        seen = Seen.read(self.server, self.factory, self.workspace_id)
        duplicates = 0
        for document in sorted(seen.documents, key=lambda d: d.source_id):
            held = seen.by_doc.get(document.id, [])
            evidence = seen.evidence(document)
            if len(held) != 1:
                duplicates += max(0, len(held) - 1)
                what = "no live Xero invoice" if not held else f"{len(held)} live Xero invoices"
                state = seen.newest_item_state(document)
                self.violations.append(
                    Violation("once", f"{document.source_id}: {what} ({state})", evidence)
                )
            versions = seen.bodies.get(document.id, {})
            newest = versions.get(document.current_version)
            for record in held if newest is not None else []:
                shape = held_of(seen.org, record)
                diff = differences(shape, expected_of(document.kind, newest or {}))
                if diff:
                    self.violations.append(
                        Violation(
                            "newest",
                            f"{document.source_id}: Xero {record.get('InvoiceID')} holds "
                            f"{seen.matching(document, shape)}, newest is "
                            f"v{document.current_version} ({'; '.join(diff)[:400]})",
                            evidence,
                        )
                    )
            wrong = []
            for item in seen.items.get(document.id, []):
                fine = ("done",) if item.version == document.current_version else FINAL
                if item.state not in fine:
                    wrong.append(
                        f"v{item.version} {item.state} {item.error_code or '(no code)'}: "
                        f"{(item.error_message or '')[:160]}"
                    )
            if wrong:
                self.violations.append(
                    Violation("queue", f"{document.source_id}: " + " | ".join(wrong), evidence)
                )
        for record in seen.strays:
            self.notes.append(
                f"Xero invoice {record.get('InvoiceID')} carries a marker of no document: "
                f"{record.get('Url')}"
            )
        twice = seen.contacts_twice()
        for name, found in sorted(twice.items()):
            self.violations.append(
                Violation(
                    "contacts",
                    f"{len(found)} Xero contacts named {name!r}",
                    [seen.contact_line(c) for c in found],
                )
            )
        figures = self.figures(seen, duplicates, sum(len(f) - 1 for f in twice.values()))
        for name, code in exit_codes.items():
            if code not in (0, None, -signal.SIGTERM):  # -SIGTERM: stopped while starting
                self.notes.append(f"{name} exited {code} on SIGTERM")
        self.notes += self.tracebacks()
        return Report(self.config, figures, self.violations, self.notes, self.folder)

    def figures(self, seen: Seen, duplicates: int, contacts_twice: int) -> list[tuple[str, str]]:
        documents, records = seen.documents, seen.records
        kinds = Counter(d.kind for d in documents)
        versions = sum(len(v) for v in seen.bodies.values())
        whys = Counter(key.split(":")[0] for key in self.outcomes.elements())
        states = Counter(i.state for found in seen.items.values() for i in found)
        fired = Counter(f"{f['kind']} {f['endpoint']} {f['method']}" for f in self.fired)
        by_kind = Counter(f["kind"] for f in self.fired)
        stats = self.admin("GET", "/_sandbox/stats")
        calls = stats["api_calls"]["by_org"].get("demo", 0)
        holders = sum(1 for k in self.kills if k.holder)
        points = Counter(k.point for k in self.kills)
        lives = sum(w.lives for w in self.workers)
        total = time.monotonic() - self.started
        return [
            (
                "documents",
                f"{len(documents)} ({kinds['invoice']} invoices, {kinds['expense']} expenses), "
                f"{versions} versions",
            ),
            (
                "pushes",
                ", ".join(f"{n} {why}" for why, n in sorted(whys.items()))
                + f" (intake retries {self.intake_retries})",
            ),
            (
                "kills",
                f"{len(self.kills)} SIGKILL ({holders} of the lease holder; "
                + ", ".join(f"{n} {p}" for p, n in sorted(points.items()))
                + f"), {lives} worker lives, {self.self_exits} ended by themselves",
            ),
            (
                "faults fired",
                f"{len(self.fired)} ("
                + ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
                + f"); outage {self.config.outage_seconds:.0f} s offline, "
                f"{self.offline_refusals} calls refused",
            ),
            ("faults by call", ", ".join(f"{n} {k}" for k, n in sorted(fired.items()))),
            (
                "calls",
                f"sandbox {calls}, engine recorded {seen.engine_calls}, 429s "
                f"{stats['rate_limits']['refused_total']}, idempotent replays "
                f"{stats['idempotent_replays']}",
            ),
            (
                "Xero holds",
                f"{sum(1 for r in records if r.get('Status') != 'DELETED')} live invoices, "
                f"{len(seen.contact_links)} contact links",
            ),
            (
                "duplicates",
                f"{duplicates} invoices, {contacts_twice} contacts",
            ),
            ("queue", ", ".join(f"{n} {s}" for s, n in sorted(states.items()))),
            (
                "wall time",
                f"chaos {self.seconds.get('chaos', 0):.1f} s, drain "
                f"{self.seconds.get('drain', 0):.1f} s, total {total:.1f} s",
            ),
        ]

    def tracebacks(self) -> list[str]:
        """How many tracebacks the worker logs hold, and the last line of the first few."""
        found: list[str] = []
        count = 0
        for path in sorted(self.folder.glob("w*-*.log")):
            text = path.read_text(errors="replace")
            for block in text.split("Traceback (most recent call last):")[1:]:
                count += 1
                if len(found) < 5:
                    last = next(
                        (ln for ln in block.strip().splitlines() if not ln.startswith(" ")), ""
                    )
                    tail = [ln for ln in block.strip().splitlines() if ln.strip()]
                    found.append(f"{path.name}: {tail[-1][:300] if tail else last}")
        return ([f"worker logs hold {count} tracebacks, first ones:"] + found) if count else []


def run_chaos(
    config: ChaosConfig,
    url: str,
    factory: sessionmaker[Session],
    folder: Path,
    say: Say = print,
) -> Report:
    """One whole run; every worker process is gone when it returns, whatever happened."""
    limits = Limits(
        tenant_per_minute=FAST_MINUTE,
        app_per_minute=FAST_APP_MINUTE,
        tenant_concurrent=CONCURRENT,
        minute_seconds=MINUTE_SECONDS,
    )
    folder.mkdir(parents=True, exist_ok=True)
    with SandboxServer(SandboxConfig(limits=limits)) as server:
        run = ChaosRun(config, server, url, factory, folder)
        try:
            run.connect()
            say(
                f"chaos: {len(run.docs)} documents in {len(run.waves)} waves over "
                f"{run.chaos_seconds:.0f} s, {len(run.kill_plans)} kills planned, "
                f"{config.workers} workers"
            )
            run.chaos()
            say(f"chaos over after {run.seconds['chaos']:.1f} s; draining")
            run.drain()
            codes = run.stop_workers()
        finally:
            run.kill_all()
        return run.judge(codes)
