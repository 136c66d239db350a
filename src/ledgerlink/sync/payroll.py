"""Generating a pay run's bills: the worker's step for kinds that ``generate``.

A pay run arrives like every document (intake: a version, a queue item). When the worker claims
it, the connection's pay-item types (``mapping.pay_items``) turn it into one expense per payee,
each with a source id derived from the run and the payee, and those expenses go through intake
and then the expense pipeline like any other: sent once with an intent and an Idempotency-Key,
a lost reply replayed or looked up, a change sent as an update while Xero allows it. So
generating the same run again changes nothing (same content hash: "unchanged"), and a changed
run updates its bills. A payee who is no longer in the run has their bill voided. Every
generation is recorded (``store.payroll.PayRunGeneration``): what came of it, into which bills.

A pay item no type maps holds the run (PAY_ITEM_UNMAPPED, naming it) before any bill is made;
so does a bill that would be below zero. Changing the pay-item types releases those holds
(``release_held``), and "Generate" (``request_generation``) queues a run to be generated again.
A bill intake refuses (it would move to another organisation) holds the run with intake's
error; the run's other bills are stored and go on, and the record lists which is which.

Intake and the settling of the pay run's item are two transactions: a worker killed between
them leaves the item to be claimed again, and generating again is "unchanged".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping import pay_items
from ledgerlink.mapping.pay_items import PayItemType
from ledgerlink.store import pay_items as store
from ledgerlink.store.connections import get_connection
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Document, DocumentVersion, QueueItem
from ledgerlink.store.payroll import PayRunGeneration
from ledgerlink.sync import directions, lifecycle, pause
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.intake import IntakeResult, upsert_documents

HELD_FOR_MAPPING = (pay_items.UNMAPPED, pay_items.NEGATIVE)
BILL_KIND = "expense"  # what a pay run's bills are: ACCPAY bills, the expense kind's way


def generating_kinds() -> list[str]:
    return [k.name for k in kinds.all_kinds() if k.generates]


def generate_claimed(run: Run, works: list[Work]) -> list[Work]:
    """Generate the bills of the claim's pay runs and settle their items; the other works are
    returned, to be sent."""
    mine = [w for w in works if kinds.get(w.kind).generates]
    if not mine:
        return works
    with run.factory() as session:
        types = store.types_of(session, run.connection.id)
        not_sent = directions.not_sent_now(session, run.connection.id)
    outcomes = [
        (
            w.item_id,
            directions.hold_if_not_sent(not_sent, kinds.get(w.kind)) or _generate(run, w, types),
        )
        for w in mine
    ]
    with run.factory() as session, session.begin():
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    ids = {w.item_id for w in mine}
    return [w for w in works if w.item_id not in ids]


def _generate(run: Run, work: Work, types: Sequence[PayItemType]) -> lifecycle.Outcome:
    if work.version < work.current_version:
        return lifecycle.superseded()
    pay_run = work.document
    now = run.now()
    with run.factory() as session:
        earlier = _earlier_bills(session, work.document_id)
    if pay_run.status == "voided":
        bodies = _voided(run.factory, run.connection.workspace_id, earlier)
        planned: dict[str, str] = {}
    else:
        try:
            bills = pay_items.plan_bills(pay_run, types)
        except LedgerlinkError as exc:
            _record(run.factory, run.connection.id, work, "held", [], now, exc)
            return lifecycle.hold(exc)
        bodies = [pay_items.bill_body(pay_run, bill) for bill in bills]
        planned = {b["source_id"]: bill.payee_key for b, bill in zip(bodies, bills, strict=True)}
        stale = [s for s in earlier if s not in planned]
        bodies += _voided(run.factory, run.connection.workspace_id, stale)
    results = upsert_documents(
        run.factory, run.connection.workspace_id, run.connection.id, BILL_KIND, bodies, now=now
    )
    pause.reached("bills_generated")
    refused = [r for r in results if not r.accepted]
    listed = _listed(bodies, results, planned)
    if refused:
        error = refused[0].errors[0]
        _record(run.factory, run.connection.id, work, "held", listed, now, error)
        return lifecycle.hold(error)
    changed = any(r.outcome in ("created", "updated") for r in results)
    outcome = "voided" if pay_run.status == "voided" else "generated" if changed else "unchanged"
    _record(run.factory, run.connection.id, work, outcome, listed, now)
    return lifecycle.done("" if changed else "unchanged")


def preview(session: Session, connection_id: str, pay_run: Any) -> str:
    """What generating the run would make now, in words (a plan's note): its bills, each
    payee with the total; LedgerlinkError (as the worker would hold it) otherwise."""
    bills = pay_items.plan_bills(pay_run, store.types_of(session, connection_id))
    made = ", ".join(f"{b.contact.get('name') or b.payee_key} {b.total}" for b in bills)
    return f"{len(bills)} bill{'' if len(bills) == 1 else 's'}" + (f": {made}" if made else "")


def _listed(
    bodies: list[dict[str, Any]], results: list[IntakeResult], planned: dict[str, str]
) -> list[dict[str, Any]]:
    """What the record keeps of each bill: source id, payee, total, intake's outcome."""
    return [
        {
            "source_id": body["source_id"],
            "document_id": result.document_id,
            "payee": body["supplier"].get("name") or planned.get(body["source_id"], ""),
            "total": str(sum(_amount(line) for line in body["lines"])),
            "status": body["status"],
            "outcome": result.outcome,
        }
        for body, result in zip(bodies, results, strict=True)
    ]


def _amount(line: dict[str, Any]) -> Decimal:
    return Decimal(str(line["unit_amount"])) * Decimal(str(line.get("quantity", "1")))


def _earlier_bills(session: Session, document_id: str) -> list[str]:
    """The source ids of every bill earlier generations of the run stored (a held generation
    may have stored some before one was refused), in the order they were first made."""
    found: dict[str, None] = {}
    rows = session.scalars(
        select(PayRunGeneration.bills)
        .where(PayRunGeneration.document_id == document_id)
        .order_by(PayRunGeneration.created_at)
    )
    for bills in rows:
        for bill in bills or ():
            if bill.get("outcome") != "invalid":
                found.setdefault(bill["source_id"])
    return list(found)


def _voided(
    factory: sessionmaker[Session], workspace_id: str, source_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The stored bills ``source_ids`` as they are, voided (those already voided left out)."""
    if not source_ids:
        return []
    with factory() as session:
        rows = session.scalars(
            select(DocumentVersion.body)
            .join(
                Document,
                (Document.id == DocumentVersion.document_id)
                & (Document.current_version == DocumentVersion.version),
            )
            .where(
                Document.workspace_id == workspace_id,
                Document.kind == BILL_KIND,
                Document.source_id.in_(list(source_ids)),
            )
        )
        return [{**body, "status": "voided"} for body in rows if body.get("status") != "voided"]


def _record(
    factory: sessionmaker[Session],
    connection_id: str,
    work: Work,
    outcome: str,
    bills: list[dict[str, Any]],
    now: datetime,
    error: LedgerlinkError | None = None,
) -> None:
    with transaction(factory) as session:
        session.add(
            PayRunGeneration(
                connection_id=connection_id,
                document_id=work.document_id,
                version=work.version,
                outcome=outcome,
                error_code=error.code if error else None,
                error_message=error.message if error else None,
                bills=bills,
                created_at=now,
            )
        )


def release_held(factory: sessionmaker[Session], connection_id: str, now: datetime) -> int:
    """Pay runs held for their mapping go back to the queue (a changed mapping may now map
    them; one that still does not is held again, with the same code)."""
    where = [
        QueueItem.connection_id == connection_id,
        QueueItem.error_code.in_(HELD_FOR_MAPPING),
        QueueItem.state.in_(lifecycle.HELD),
        QueueItem.document_id.in_(select(Document.id).where(Document.kind.in_(generating_kinds()))),
    ]
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)


def request_generation(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    source_id: str,
    now: datetime,
) -> str:
    """ "Generate": the pay run's current version is generated again by the worker. Returns
    ``queued`` (a new item), ``requeued`` (its held item goes back) or ``waiting`` (an item
    of it is already queued or being worked on)."""
    with transaction(factory) as session:
        get_connection(session, workspace_id, connection_id)
        document = session.scalars(
            select(Document).where(
                Document.workspace_id == workspace_id,
                Document.connection_id == connection_id,
                Document.kind.in_(generating_kinds()),
                Document.source_id == source_id,
            )
        ).one_or_none()
        if document is None:
            raise LedgerlinkError(
                "NOT_FOUND",
                f"No pay run {source_id!r} on this connection.",
                field="source_id",
            )
        items = list(session.scalars(select(QueueItem).where(QueueItem.document_id == document.id)))
        if any(i.state in lifecycle.ACTIVE for i in items):
            return "waiting"
        if lifecycle.requeue(
            session,
            [QueueItem.document_id == document.id, QueueItem.version == document.current_version],
            now,
        ):
            return "requeued"
        session.add(
            lifecycle.new_item(
                workspace_id, connection_id, document.id, document.current_version, now
            )
        )
        return "queued"


def generations(
    session: Session, workspace_id: str, connection_id: str, limit: int = 100
) -> list[tuple[PayRunGeneration, str]]:
    """The connection's generations, newest first, each with its pay run's source id."""
    get_connection(session, workspace_id, connection_id)  # NOT_FOUND for another's
    query = (
        select(PayRunGeneration, Document.source_id)
        .join(Document, Document.id == PayRunGeneration.document_id)
        .where(PayRunGeneration.connection_id == connection_id)
        .order_by(PayRunGeneration.created_at.desc(), PayRunGeneration.id)
        .limit(limit)
    )
    return [(row, str(source)) for row, source in session.execute(query)]


def pay_runs(session: Session, workspace_id: str, connection_id: str) -> list[str]:
    """The source ids of the connection's pay runs (the Generate page's chooser)."""
    query = (
        select(Document.source_id)
        .where(
            Document.workspace_id == workspace_id,
            Document.connection_id == connection_id,
            Document.kind.in_(generating_kinds()),
        )
        .order_by(Document.updated_at.desc())
        .limit(500)
    )
    return [str(s) for s in session.scalars(query)]
