"""Plan (dry run): what a sync would do in Xero, without a single write to Xero.

For the connection's queue, or for documents handed in (validated, not stored), each one gets
what the worker would decide now: ``create`` or ``update`` (with the status it would go with),
``void``, ``unchanged`` (Xero holds this version already), ``held`` with the error's code, field
and fix, or ``waits`` (for a document it needs in Xero first, or for a send to settle). Whether
its contact is already in Xero or would be created is said too. The same status policy,
dependencies and preflight the worker applies decide it (``checks.judge``), from the cached
reference data; a list older than the worker would accept is read again first (reads only).
Nothing in the queue changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.documents import ValidationFailed, content_hash
from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, Link, QueueItem
from ledgerlink.sync import currencies, payroll
from ledgerlink.sync.checks import Ready, judge
from ledgerlink.sync.claims import CORE_REFERENCE, catalogues_needed, work_rows
from ledgerlink.sync.contacts import Finder, links_for
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.lifecycle import Outcome
from ledgerlink.sync.reference import refresh_reference, stale_reference
from ledgerlink.sync.worker import Worker

MAX_DOCUMENTS = 5000


@dataclass
class Planned:
    kind: str
    source_id: str
    action: str  # create | update | void | unchanged | held | waits | generate (a pay run)
    status: str | None = None  # the Xero status it would go with
    contact: str | None = None  # existing | new (created in Xero first) | None
    xero_id: str | None = None
    error: dict[str, Any] | None = None
    note: str | None = None


@dataclass
class PlanReport:
    connection_id: str
    counts: dict[str, int] = field(default_factory=dict)
    documents: list[Planned] = field(default_factory=list)
    contacts_to_create: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "connection_id": self.connection_id,
            "counts": self.counts,
            "contacts_to_create": self.contacts_to_create,
            "documents": [asdict(p) for p in self.documents],
        }


def works_of_queue(
    session: Session, connection_id: str, limit: int
) -> tuple[list[Work], list[Planned]]:
    """The connection's queued items as the worker would load them (none is claimed); a
    stored body that no longer passes its schema is planned as held already."""
    rows = session.execute(
        work_rows()
        .where(QueueItem.connection_id == connection_id, QueueItem.state == "queued")
        .order_by(QueueItem.created_at, QueueItem.id)
        .limit(limit)
    )
    works = [Work(*row) for row in rows]
    return _attach(session, works)


def works_of_documents(
    session: Session, workspace_id: str, kind: str, raw: Sequence[Any]
) -> tuple[list[Work], list[Planned]]:
    """Documents handed in, as works against what is stored and linked for their source ids
    (nothing stored); those that fail validation are planned as held already."""
    spec = kinds.get(kind)
    works: list[Work] = []
    refused: list[Planned] = []
    for index, body in enumerate(raw):
        try:
            document = kinds.validate_document(kind, body)
        except ValidationFailed as exc:
            source = body.get("source_id") if isinstance(body, Mapping) else None
            first = exc.errors[0] if exc.errors else exc
            refused.append(Planned(kind, str(source or f"#{index}"), "held", error=_error(first)))
            continue
        works.append(
            Work(f"plan-{index}", "", spec.name, 1, 1, content_hash(document), {}, None, 0)
        )
        works[-1].document = document
    known = dict(
        session.execute(
            select(Document.source_id, Document.id).where(
                Document.workspace_id == workspace_id,
                Document.kind == spec.name,
                one_of(Document.source_id, [w.document.source_id for w in works]),
            )
        ).all()
    )
    for work in works:
        work.document_id = known.get(work.document.source_id, f"new:{work.item_id}")
    works, unreadable = _attach(session, works)
    return works, refused + unreadable


def _attach(session: Session, works: list[Work]) -> tuple[list[Work], list[Planned]]:
    ids = [w.document_id for w in works]
    links = {
        link.document_id: link
        for link in session.scalars(select(Link).where(one_of(Link.document_id, ids)))
    }
    kept: list[Work] = []
    refused: list[Planned] = []
    for work in works:
        work.link = links.get(work.document_id)
        if work.document is None:
            try:
                work.document = kinds.stored_document(work.kind, work.content_hash, work.body)
            except ValidationFailed as exc:
                source = str(work.body.get("source_id") or work.document_id)
                refused.append(Planned(work.kind, source, "held", error=_error(exc)))
                continue
        kept.append(work)
    return kept, refused


def plan(session: Session, run: Run, works: list[Work], refused: list[Planned]) -> PlanReport:
    """Each work's verdict, as a report (``refused``: already planned as held)."""
    report = PlanReport(run.connection.id)
    report.documents.extend(refused)
    report.documents.extend(_generated(session, run, [w for w in works if _generates(w)]))
    works = [w for w in works if not _generates(w)]
    verdicts = judge(session, run, works)
    contacts = _contacts(
        session, run, [w for w, v in zip(works, verdicts, strict=True) if isinstance(v, Ready)]
    )
    new_contacts: set[str] = set()
    for work, verdict in zip(works, verdicts, strict=True):
        kind = kinds.get(work.kind)
        entry = Planned(kind.name, str(work.document.source_id), "held")
        entry.xero_id = work.link.xero_id if work.link is not None else None
        if work.intent_id:
            entry.action, entry.note = "waits", "an earlier send of it is settled first"
        elif work.link is not None and work.link.pushed_hash == work.content_hash:
            entry.action = "unchanged"
        elif isinstance(verdict, Ready):
            if verdict.follow_up_only:
                entry.action, entry.note = "update", "what follows it in Xero (allocations)"
            else:
                entry.action = (
                    "void" if verdict.gone else ("update" if verdict.update else "create")
                )
            entry.status, entry.note = verdict.status, entry.note or verdict.note
            ref = kind.contact(work.document)
            if ref is not None and not verdict.gone:
                entry.contact = contacts.get(ref.key, "new")
                if entry.contact == "new":
                    new_contacts.add(ref.key)
                elif entry.action == "create" and _updates_only(kind):
                    # a customer whose contact an invoice already made: it updates that one
                    entry.action = "update"
        else:
            _outcome(entry, verdict)
        report.documents.append(entry)
    report.contacts_to_create = len(new_contacts)
    for entry in report.documents:
        report.counts[entry.action] = report.counts.get(entry.action, 0) + 1
    return report


def _generates(work: Work) -> bool:
    return kinds.get(work.kind).generates


def _generated(session: Session, run: Run, works: list[Work]) -> list[Planned]:
    """A pay run is not sent itself: ``generate`` and the bills it would make, or held."""
    found = []
    for work in works:
        entry = Planned(work.kind, str(work.document.source_id), "generate")
        try:
            entry.note = payroll.preview(session, run.connection.id, work.document)
        except LedgerlinkError as exc:
            entry.action, entry.error = "held", _error(exc)
        found.append(entry)
    return found


def _updates_only(kind: DocumentKind) -> bool:
    """Whether the kind's write is always an update (a customer or supplier: its contact is
    found or made first, then updated)."""
    return kind.write_target(False, False, 2, None)[0] == "POST"


def _outcome(entry: Planned, verdict: Outcome) -> None:
    if verdict.state == "done":
        entry.action = "unchanged"
    elif verdict.state == "queued":
        entry.action = "waits"
        entry.note = verdict.error.message if verdict.error is not None else verdict.note
    else:
        entry.action = "held"
        entry.error = _error(verdict.error) if verdict.error is not None else None


def _error(error: LedgerlinkError) -> dict[str, Any]:
    fix = CATALOGUE.get(error.code, (0, ""))[1]
    return {"code": error.code, "message": error.message, "field": error.field, "fix": fix}


def _contacts(session: Session, run: Run, works: list[Work]) -> dict[str, str]:
    """Source contact key -> "existing" when Xero has it (linked, or found by number, name or
    email in the cached contacts, as the worker would find it)."""
    refs = [r for w in works if (r := kinds.get(w.kind).contact(w.document)) is not None]
    if not refs:
        return {}
    linked = links_for(session, run.connection.id, [r.key for r in refs])
    finder = Finder(session, run.connection.id)
    finder.preload([r for r in refs if r.key not in linked and not r.xero_contact_id])
    return {
        r.key: "existing"
        for r in refs
        if r.xero_contact_id or r.key in linked or finder.find(r) is not None
    }


def run_plan(
    worker: Worker,
    workspace_id: str,
    connection_id: str,
    kind: str | None = None,
    documents: Sequence[Any] | None = None,
) -> PlanReport:
    """Plan the connection's queue, or ``documents`` of ``kind``; reads Xero only for
    reference lists older than the worker accepts."""
    if documents is not None and len(documents) > MAX_DOCUMENTS:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"documents: at most {MAX_DOCUMENTS} in one plan (got {len(documents)}).",
            field="documents",
        )
    with worker.reading(connection_id) as run:
        refused: list[Planned] = []
        with run.factory() as session:
            if documents is None:
                works, refused = works_of_queue(session, connection_id, MAX_DOCUMENTS)
            else:
                works, refused = works_of_documents(session, workspace_id, kind or "", documents)
            currencies.apply_default(works, currencies.stored_default(session, connection_id))
        wanted = CORE_REFERENCE + catalogues_needed(works, run.connection.base_currency)
        _fresh_reference(run, worker.config.reference_max_age_seconds, wanted)
        with run.factory() as session:
            return plan(session, run, works, refused)


def _fresh_reference(run: Run, max_age: float, wanted: tuple[str, ...]) -> None:
    """Reference lists older than the worker accepts are read again (reads only)."""
    oldest = run.now() - timedelta(seconds=max_age)
    stale = stale_reference(run.factory, run.connection.id, wanted, oldest)
    if stale:
        refresh_reference(run.factory, run.client, run.connection.id, stale)
