"""Polling Xero for what it sends no webhook for, and as the net under missed webhooks.

Per connection and Xero resource (purchase orders, payments, and the webhook resources as a
safety net), on the connection's schedule (``poll_minutes``, default 60; 0 switches polling
off; a resource Xero sends webhooks for is polled six times less often while they arrive):
one paged read with If-Modified-Since from the newest ``UpdatedDateUTC`` seen, so a poll that
finds nothing new costs one call and a few bytes. Records of documents ledgerlink sent
update their links as a webhook's pull does (``read_back.apply_records``: the newest wins, each
change told once); payments made in Xero on those documents are recorded on them, once each.

A resource is polled once a run has claimed documents it would show (``watch``); the first
poll reads from one period before that. A webhook's pull that shows a document's
payments changed makes the payments poll due at once, so a payment made in Xero is recorded
with its account and reference in the same run that saw the document paid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink import kinds, metrics
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.connection_settings import kinds_not_read
from ledgerlink.store.models import Link, SendIntent
from ledgerlink.store.twoway import PollMark, PullItem, XeroEvent
from ledgerlink.sync import events, lifecycle
from ledgerlink.sync.context import Run
from ledgerlink.sync.pulls import STOPPERS
from ledgerlink.sync.read_back import PAYMENTS, apply_records, linked
from ledgerlink.xero import wire
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 60.0
# A resource Xero announces changes of by webhook is polled this many periods apart while
# webhooks arrive for the organisation (the net under a missed one), every period otherwise.
SAFETY_NET_PERIODS = 6
WEBHOOKS_SEEN_WITHIN = timedelta(days=1)

PAGE_SIZE = 100
# Xero compares If-Modified-Since to the second, and a change may land in the second of the
# last record read: the next poll starts a second early and the newest-wins rule drops repeats.
OVERLAP = timedelta(seconds=1)
Record = dict[str, Any]


def every(settings: Mapping[str, Any]) -> timedelta | None:
    """The connection's polling period (None: polling switched off)."""
    minutes = settings.get("poll_minutes", DEFAULT_MINUTES)
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        value = DEFAULT_MINUTES
    return timedelta(minutes=value) if value > 0 else None


def _paid_kinds() -> set[str]:
    """Kinds a payment made in Xero lands on (invoices, bills, credit notes)."""
    payment = kinds.find("payment")
    resources = {"Invoices", "CreditNotes"}
    return {k.name for k in kinds.all_kinds() if k.resource in resources and k is not payment}


def resources_of(kind_names: set[str]) -> set[str]:
    """The resources to poll once documents of these kinds are in Xero: their own (when
    polled), and payments once any of them can be paid."""
    found = {kinds.get(n).resource for n in kind_names if kinds.get(n).polled}
    if kind_names & _paid_kinds():
        found.add(PAYMENTS)
    return found


def watch(run: Run) -> None:
    """After a run: start polling what its documents would show changes in (a mark already
    made stays as it is); nothing when polling is off or nothing was claimed."""
    period = every(run.connection.settings)
    resources = resources_of(run.kinds_claimed - kinds_not_read(run.connection.settings))
    if period is None or not resources:
        return
    now = run.now()
    with run.factory() as session, session.begin():
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = [
            {
                "connection_id": run.connection.id,
                "kind": resource,
                "modified_since": now - period,
                "next_at": now + period,
                "polled_at": None,
            }
            for resource in sorted(resources)
        ]
        statement = insert(PollMark).on_conflict_do_nothing(
            index_elements=[PollMark.connection_id, PollMark.kind]
        )
        session.execute(statement, values)


def poll_due(run: Run) -> bool:
    """Poll each resource whose time has come; False when Xero said stop."""
    period = every(run.connection.settings)
    now = run.now()
    if period is None:  # switched off: no marks left to make the connection look due
        with run.factory() as session, session.begin():
            session.execute(delete(PollMark).where(PollMark.connection_id == run.connection.id))
        return True
    with run.factory() as session:
        due = list(
            session.execute(
                select(PollMark.kind, PollMark.modified_since)
                .where(PollMark.connection_id == run.connection.id, PollMark.next_at <= now)
                .order_by(PollMark.kind)
            )
        )
    hooked = _webhooks_arrive(run, now) if due else False
    for resource, since in due:
        if run.lease_lost:
            return True
        gap = period * SAFETY_NET_PERIODS if hooked and resource in _announced() else period
        try:
            newest = _poll(run, resource, since)
        except (XeroError, LedgerlinkError) as exc:
            log.warning("polling %s failed (%s): tried again next period", resource, exc)
            run.tally.note(run.now(), f"polling {resource} failed: {exc}")
            _moved(run, resource, since, run.now() + period)
            if isinstance(exc, STOPPERS):
                return False
            continue
        _moved(run, resource, newest or since, run.now() + gap, polled=True)
    return True


def read_now(session: Session, connection_id: str, now: datetime) -> int:
    """A person's "pull now": what the connection reads of Xero (its polls, and the pulls its
    webhooks asked for) is due at once; how many polls were made due."""
    session.execute(
        update(PullItem)
        .where(PullItem.connection_id == connection_id, PullItem.not_before > now)
        .values(not_before=now)
        .execution_options(synchronize_session=False)
    )
    moved = session.execute(
        update(PollMark)
        .where(PollMark.connection_id == connection_id)
        .values(next_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def _announced() -> set[str]:
    """The resources Xero sends webhooks for (as the kinds say)."""
    return {k.resource for k in kinds.all_kinds() if k.webhook_category}


def _webhooks_arrive(run: Run, now: datetime) -> bool:
    """Whether Xero's webhooks reach ledgerlink for this organisation (one arrived lately)."""
    with run.factory() as session:
        found = session.scalar(
            select(XeroEvent.id)
            .where(
                XeroEvent.tenant_id == run.connection.tenant_id.lower(),
                XeroEvent.received_at >= now - WEBHOOKS_SEEN_WITHIN,
            )
            .limit(1)
        )
    return found is not None


def _moved(
    run: Run, resource: str, since: datetime | None, next_at: datetime, polled: bool = False
) -> None:
    values: dict[str, Any] = {"modified_since": since, "next_at": next_at}
    if polled:
        values["polled_at"] = run.now()
    with run.factory() as session, session.begin():
        session.execute(
            update(PollMark)
            .where(PollMark.connection_id == run.connection.id, PollMark.kind == resource)
            .values(**values)
        )


def _poll(run: Run, resource: str, since: datetime | None) -> datetime | None:
    """Read one resource's changes since the mark, page by page, each page written as read;
    the newest ``UpdatedDateUTC`` seen."""
    # Oldest change first: the mark moves to the newest record read, so a record that moves
    # between pages while they are read is met again on a later page, never skipped.
    params: dict[str, Any] = {"order": "UpdatedDateUTC ASC"}
    if resource in ("Invoices",):
        params["summaryOnly"] = "true"
    for kind in kinds.all_kinds():
        if kind.resource == resource:
            params.update(kind.list_params)
    start = since - OVERLAP if since is not None else None
    newest = since
    held_back = False
    for reply in run.client.pages(f"/{resource}", resource, params, PAGE_SIZE, start):
        records = reply.items(resource)
        with run.factory() as session, session.begin():
            if resource == PAYMENTS and _own_payments_unsettled(session, run.connection.id):
                held_back = True  # an unlinked payment may be ours: read again next time
                apply_records(session, run, records, "payment", background=True)
            elif resource == PAYMENTS:
                record_payments(session, run, records)
            else:
                _apply(session, run, resource, records)
        run.tally.add("polled", len(records))
        metrics.PULLED.labels("poll").inc(len(records))
        for record in records:
            seen = wire.updated_at(record)
            if seen is not None and (newest is None or seen > newest):
                newest = seen
    return since if held_back else newest


def _own_payments_unsettled(session: Session, connection_id: str) -> bool:
    """A payment ledgerlink sent may be in Xero without its link yet (its reply was lost and
    the send is not settled): then no unlinked payment can be told apart from one made in
    Xero, and none is recorded until the send is settled."""
    found = session.scalar(
        select(SendIntent.id)
        .where(
            SendIntent.connection_id == connection_id,
            SendIntent.state.in_(lifecycle.OPEN_INTENTS),
            SendIntent.path.like("/Payments%"),
        )
        .limit(1)
    )
    return found is not None


def _apply(session: Session, run: Run, resource: str, records: Sequence[Record]) -> None:
    kind = next(k for k in kinds.all_kinds() if k.resource == resource)
    apply_records(session, run, records, kind.name, background=True)


def record_payments(session: Session, run: Run, records: Sequence[Record]) -> int:
    """Payments of the connection: ledgerlink's own (a sent payment's link) are pulled like any
    document; one made in Xero on a linked invoice, bill or credit note is kept on that
    document's link and told as ``payment.recorded``, once per payment."""
    ours = (
        apply_records(session, run, records, "payment", background=True)
        if kinds.find("payment")
        else 0
    )
    off = kinds_not_read(run.connection.settings)
    own = set(linked(session, run.connection.id, [_id(r, "PaymentID") for r in records]))
    targets = {
        _target(r): r for r in records if _id(r, "PaymentID") not in own and _target(r) != ""
    }
    on = linked(session, run.connection.id, list({t for t in targets}))
    told = []
    now = run.now()
    for record in records:
        payment_id, target = _id(record, "PaymentID"), _target(record)
        if payment_id in own or target not in on:
            continue
        was = on[target]
        link = session.get(Link, was.document_id)
        if link is None or was.kind.name in off:
            continue
        details = dict(link.details or {})
        kept = dict(details.get("payments") or {})
        entry = _payment(record)
        first = payment_id not in kept
        if kept.get(payment_id) == entry:
            continue
        kept[payment_id] = entry
        details["payments"] = kept
        link.details = details
        if first and entry["status"] != "DELETED":
            data = {"kind": was.kind.name, "source_id": was.source_id, **entry}
            data["payment_id"] = payment_id
            told.append(
                (
                    run.connection.workspace_id,
                    "payment.recorded",
                    run.connection.id,
                    was.document_id,
                    data,
                )
            )
    events.add_many(session, told, now)
    return ours + len(told)


def _id(record: Record, field: str) -> str:
    return str(record.get(field) or "").lower()


def _target(record: Record) -> str:
    for key, field in (("Invoice", "InvoiceID"), ("CreditNote", "CreditNoteID")):
        found = record.get(key)
        if isinstance(found, dict) and found.get(field):
            return str(found[field]).lower()
    return ""


def _payment(record: Record) -> dict[str, Any]:
    account = record.get("Account") if isinstance(record.get("Account"), dict) else {}
    day = wire.parse_day(record.get("Date"))
    return {
        "amount": str(record.get("Amount")) if record.get("Amount") is not None else None,
        "date": day.isoformat() if day is not None else None,
        "account_code": (account or {}).get("Code"),
        "reference": record.get("Reference"),
        "status": record.get("Status"),
    }
