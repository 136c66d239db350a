"""From claimed items to batched writes: screen, check, contacts, convert, send, record.

Kinds go in dependency order (``DocumentKind.stage``): invoices, bills and purchase orders, then
credit notes, then payments, so what a later kind needs was linked by an earlier stage of the
same round. Within a kind, documents go 50 to a request with ``summarizeErrors=false``: creates
by PUT, updates by POST, with ``unitdp=4`` on a request where a price needs 4 places. What a
kind writes after the document itself (a credit note's allocations) goes last, one request per
document, as Xero's API takes it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind, Prepared
from ledgerlink.store import numbers
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Link
from ledgerlink.sync import inflight, lifecycle, pause
from ledgerlink.sync.brought import bring_along
from ledgerlink.sync.checks import Ready, check, dependencies, document_ids, view_of
from ledgerlink.sync.contacts import ensure_contacts
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.dispatch import dispatch, read_failed
from ledgerlink.sync.follow_ups import send_follow_up
from ledgerlink.sync.linking import apply_reply
from ledgerlink.sync.read_back import refresh_links
from ledgerlink.xero.errors import XeroError, XeroScopeMissing
from ledgerlink.xero.scopes import missing_scope

log = logging.getLogger(__name__)
Record = dict[str, object]


def _current_links(session: Session, works: Sequence[Work]) -> None:
    """Each work's link as it stands now: a replay or lookup may have just written it."""
    ids = sorted({w.document_id for w in works})
    found: dict[str, Link] = {}
    for start in range(0, len(ids), 500):
        query = select(Link).where(one_of(Link.document_id, ids[start : start + 500]))
        found.update({link.document_id: link for link in session.scalars(query)})
    for work in works:
        work.link = found.get(work.document_id)


def screen(run: Run, works: Sequence[Work]) -> list[Work]:
    """Settle what needs no send (stale versions, unchanged content); the rest goes on.

    Decided on the links read here, after whatever this round settled (``inflight`` rule 3).
    A version already written whose kind has a follow-up left goes on for it.
    """
    keep: list[Work] = []
    outcomes: list[tuple[str, lifecycle.Outcome]] = []
    with run.factory() as session, session.begin():
        _current_links(session, works)
        newest: dict[str, Work] = {}
        for work in works:
            if work.document is None:
                continue
            written = work.link is not None and work.link.pushed_hash == work.content_hash
            if work.version < work.current_version:
                outcomes.append((work.item_id, lifecycle.superseded()))
            elif written and not (work.link and (work.link.details or {}).get("follow_up")):
                outcomes.append((work.item_id, lifecycle.done("unchanged")))
            else:
                older = newest.get(work.document_id)
                if older is not None:
                    outcomes.append((older.item_id, lifecycle.superseded()))
                newest[work.document_id] = work
        keep = list(newest.values())
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    return keep


def _refresh(run: Run, works: Sequence[Work]) -> bool:
    """Xero's current state of every document about to be updated; False if it could not be
    read (then nothing may be decided: every claimed item waits, or is held)."""
    to_refresh = {
        w.document_id: w.link.xero_id
        for w in works
        if w.link is not None
        and w.link.pushed_hash != w.content_hash  # not a follow-up only
        and kinds.get(w.kind).reads_before_update
    }
    if not to_refresh:
        return True
    of_kind = {w.document_id: kinds.get(w.kind) for w in works}
    try:
        refresh_links(run, to_refresh, of_kind)
    except (XeroError, LedgerlinkError) as exc:
        read_failed(run, exc, [w.item_id for w in works])
        return False
    with run.factory() as session:
        _current_links(session, works)
    return True


def _refresh_needed(run: Run, works: Sequence[Work]) -> bool:
    """Read fresh what these works depend on, where their kind checks against it (a payment
    against what is still due); False if it could not be read."""
    wanted = {
        (need.kind, need.source_id)
        for w in works
        if kinds.get(w.kind).refresh_dependencies
        for need in kinds.get(w.kind).requires(w.document, view_of(w.link))
    }
    if not wanted:
        return True
    with run.factory() as session:
        found = dependencies(session, run.connection.workspace_id, wanted)
        linked = {key: dep.link.xero_id for key, dep in found.items() if dep.link is not None}
        ids = document_ids(session, run.connection.workspace_id, list(linked))
    to_refresh = {ids[key]: xero_id for key, xero_id in linked.items() if key in ids}
    if not to_refresh:
        return True
    of_kind = {ids[key]: kinds.get(key[0]) for key in linked if key in ids}
    try:
        refresh_links(run, to_refresh, of_kind)
    except (XeroError, LedgerlinkError) as exc:
        read_failed(run, exc, [w.item_id for w in works])
        return False
    return True


def send_all(run: Run, works: Sequence[Work]) -> bool:
    """Screen, then each kind's stage in order; True when the round must stop."""
    works = screen(run, works)
    if not _refresh(run, works):
        return True
    staged = sorted(works, key=lambda w: kinds.get(w.kind).stage)
    stages = [list(m) for _, m in groupby(staged, key=lambda w: kinds.get(w.kind).stage)]
    for number, stage in enumerate(stages):
        if number:
            # An earlier stage may have left a send unresolved (a contact's create whose reply
            # was lost): what shares its contact or document waits for it to be settled.
            stage = inflight.hold_back(run, stage)
        if stage and _send_stage(run, stage, last=number == len(stages) - 1):
            return True
    return False


def _send_stage(run: Run, works: list[Work], *, last: bool = True) -> bool:
    if works and any(w.link is None for w in works):
        with run.factory() as session:
            _current_links(session, works)  # an earlier stage may have linked some
    bring_along(run, works)
    if not _refresh_needed(run, works):
        return True
    ready = check(run, works)
    writes = [r for r in ready if not r.follow_up_only]
    needs_contact = [
        r.work for r in writes if not r.gone and r.kind.contact(r.work.document) is not None
    ]
    ready_works, stop = ensure_contacts(run, needs_contact) if needs_contact else ([], False)
    if stop:
        return True
    have_contact = {w.item_id for w in ready_works}
    sendable = [
        r
        for r in writes
        if r.gone or r.kind.contact(r.work.document) is None or r.work.item_id in have_contact
    ]
    follow_ups = [r for r in ready if r.follow_up_only]
    if _write(run, sendable, may_stay=last and not follow_ups):
        return True
    return _follow_ups(run, follow_ups)


def _prepared(run: Run, ready: Ready) -> Prepared:
    work = ready.work
    return Prepared(
        status=ready.status,
        lines=ready.lines,
        contact={"ContactID": work.contact_id} if work.contact_id else {},
        existing=work.link,
        unitdp=ready.unitdp,
        number=number_for(run, ready) if not ready.gone else None,
        resolved=ready.resolved,
        settings=run.connection.settings,
    )


def number_for(run: Run, ready: Ready) -> str | None:
    """The number a created document goes with when the source gave none: the connection's
    sequence (kept for every resend), its source_id, or none (Xero numbers it)."""
    kind, document = ready.kind, ready.work.document
    if ready.update or kind.number_of(document):
        return None
    if kind.numbering == "source_id":
        return str(document.source_id)
    if kind.numbering == "sequence":
        with run.factory() as session, session.begin():
            return numbers.assign_number(
                session, run.connection.id, ready.work.document_id, kind.name
            )
    return None


def convert(run: Run, ready: Ready) -> Record:
    work = ready.work
    body = ready.kind.to_xero(work.document, _prepared(run, ready))
    if not ready.gone and ready.kind.marks_url:
        body["Url"] = run.marker(work.document_id, getattr(work.document, "url", None))
    return body


@dataclass(frozen=True)
class _Batch:
    kind: DocumentKind
    method: str
    path: str
    members: list[Ready]


def _batches(run: Run, sendable: Sequence[Ready]) -> list[_Batch]:
    """The requests these documents go in: by kind's target (method, path), 50 to a request
    where the kind batches; a target the tokens lack the scope for is held here instead.

    Documents whose prices need 4 places share requests with the rest: a request goes with
    ``unitdp=4`` when any of its documents needs it (a 2-place price is the same at 4 places,
    and Xero keeps totals at 2), so a claim of 500 is ten full requests, not eleven or twelve.
    """
    groups: dict[tuple[str, str], list[Ready]] = {}
    for ready in sendable:
        target = ready.kind.write_target(ready.update, ready.gone, 2, ready.work.link)
        groups.setdefault(target, []).append(ready)
    size = run.config.batch_size
    found: list[_Batch] = []
    for (method, path), members in sorted(groups.items()):
        kind = members[0].kind
        if _scope_missing(run, method, path, members):
            continue
        step = size if kind.batches(method, path) else 1
        for start in range(0, len(members), step):
            chunk = members[start : start + step]
            widest = max(chunk, key=lambda r: r.unitdp)
            method, path = kind.write_target(
                widest.update, widest.gone, widest.unitdp, widest.work.link
            )
            path += kind.write_query(run.connection.settings)
            found.append(_Batch(kind, method, path, chunk))
    return found


def _write(run: Run, sendable: Sequence[Ready], *, may_stay: bool = False) -> bool:
    """Send the requests, up to ``calls_at_once`` in flight together (``sync.flight``), while
    this thread converts the next. True when the round must stop; once a request says stop, no
    further request starts (those in flight finish and are recorded). ``may_stay``: the last
    requests may still be in flight when this returns (the round's last writes; the next
    claim waits for them unless its documents are independent of theirs)."""
    batches = _batches(run, sendable)
    flight = run.flight
    if flight is None:
        return any(_send_batch(run, b, [convert(run, r) for r in b.members]) for b in batches)
    for batch in batches:
        elements = [convert(run, r) for r in batch.members]  # in order: numbers stay so
        documents = [r.work.document_id for r in batch.members]
        flight.send(documents, partial(_send_unless_lost, run, batch, elements))
        if flight.stop.is_set():
            break
    return flight.stop.is_set() if may_stay else flight.join()


def _send_unless_lost(run: Run, batch: _Batch, elements: list[Record]) -> bool:
    return not run.lease_lost and _send_batch(run, batch, elements)


def _send_batch(run: Run, batch: _Batch, elements: list[Record]) -> bool:
    """One request: its intent, the call, its reply applied. True when the round must stop."""
    kind = batch.kind
    body = kind.envelope(batch.method, batch.path, elements)
    docs = [r.work.document_id for r in batch.members]
    ids = [r.work.item_id for r in batch.members]
    extras = [_details(r) for r in batch.members]
    sent = dispatch(run, batch.method, batch.path, body, docs, ids)
    if sent.reply is not None and sent.intent is not None:
        pause.reached("reply_received")
        replies = kind.reply_elements(sent.reply.data, len(batch.members))
        apply_reply(run, sent.intent.id, replies, extras=extras)
        pause.reached("reply_applied")
        return False
    return sent.stop


def _scope_missing(run: Run, method: str, path: str, members: Sequence[Ready]) -> bool:
    """A write the connection's tokens were not granted the scope for is held before any
    call, with the scope to add (Xero would answer 401 to every one of them)."""
    scope = missing_scope(run.connection.scopes, method, path)
    if scope is None:
        return False
    error = XeroScopeMissing(scope, method=method, path=path).as_error()
    outcome = lifecycle.hold(error)
    with run.factory() as session, session.begin():
        lifecycle.settle(
            session, ((r.work.item_id, outcome) for r in members), run.now(), run.policy, run.tally
        )
    return True


def _details(ready: Ready) -> dict[str, object]:
    details = dict(ready.kind.write_details(ready.work.document))
    if ready.note:
        details["note"] = ready.note
    elif ready.update:
        details["note"] = None
    return details


def _follow_ups(run: Run, readies: Sequence[Ready]) -> bool:
    """What a kind writes once the document is in Xero, one request per document."""
    return any(send_follow_up(run, ready) for ready in readies)
