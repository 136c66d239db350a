"""From claimed items to batched invoice writes: check, decide, convert, send, record.

For each document: is there anything to send (a newer version, an unchanged one, a void of
something never sent); may it be sent (status policy against Xero's current state, refreshed
first for updates); would Xero accept it (preflight on the cached reference data, no call);
who is it for (contacts). What passes is converted and sent 50 to a request with
``summarizeErrors=false``: creates by PUT, updates (with InvoiceID and the LineItemIDs echoed)
by POST, grouped by the ``unitdp`` their prices need.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.documents.schemas import Expense, SalesInvoice
from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping import (
    Hold,
    MappingDefaults,
    Send,
    Skip,
    decide_update,
    preflight,
    resolve_lines,
    usage_of,
    xero_status,
)
from ledgerlink.store.models import ItemOverride, Link
from ledgerlink.sync import lifecycle, pause
from ledgerlink.sync.contacts import ensure_contacts
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.dispatch import dispatch, read_failed
from ledgerlink.sync.linking import apply_invoice_reply, refresh_links
from ledgerlink.sync.reference import ReferenceView
from ledgerlink.xero import wire
from ledgerlink.xero.convert import document_unitdp, expense_to_xero, invoice_to_xero
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)
Record = dict[str, Any]


@dataclass
class Prepared:
    work: Work
    status: str
    update: bool
    gone: bool
    unitdp: int = 2
    element: Record = field(default_factory=dict)


def _current_links(session: Session, works: Sequence[Work]) -> None:
    """Each work's link as it stands now: a replay or lookup may have just written it."""
    ids = sorted({w.document_id for w in works})
    found: dict[str, Link] = {}
    for start in range(0, len(ids), 500):
        query = select(Link).where(Link.document_id.in_(ids[start : start + 500]))
        found.update({link.document_id: link for link in session.scalars(query)})
    for work in works:
        work.link = found.get(work.document_id)


def screen(run: Run, works: Sequence[Work]) -> list[Work]:
    """Settle what needs no send (stale versions, unchanged content); the rest goes on.

    Decided on the links read here, after whatever this round settled (``inflight`` rule 3).
    """
    keep: list[Work] = []
    outcomes: list[tuple[str, lifecycle.Outcome]] = []
    with run.factory() as session, session.begin():
        _current_links(session, works)
        newest: dict[str, Work] = {}
        for work in works:
            if work.document is None:
                continue
            if work.version < work.current_version:
                outcomes.append((work.item_id, lifecycle.superseded()))
            elif work.link is not None and work.link.pushed_hash == work.content_hash:
                outcomes.append((work.item_id, lifecycle.done("unchanged")))
            else:
                older = newest.get(work.document_id)
                if older is not None:
                    outcomes.append((older.item_id, lifecycle.superseded()))
                newest[work.document_id] = work
        keep = list(newest.values())
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    return keep


def _decide(work: Work) -> Send | Hold | Skip:
    document = work.document
    assert document is not None
    wanted = xero_status(document)
    link = work.link
    if link is None:
        return decide_update(None, None, None, wanted)
    paid = Decimal(link.amount_paid) if link.amount_paid else None
    return decide_update(link.xero_status, paid, None, wanted, content_changed=True)


def _lock_date(view: ReferenceView) -> date | None:
    org = view.organisation() or {}
    days = [wire.parse_day(org.get(name)) for name in ("PeriodLockDate", "EndOfYearLockDate")]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _overrides(session: Session, run: Run) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    rows = session.scalars(
        select(ItemOverride).where(ItemOverride.connection_id == run.connection.id)
    )
    found: dict[str, dict[str, tuple[str | None, str | None]]] = {"sales": {}, "purchase": {}}
    for row in rows:
        found.setdefault(row.usage, {})[row.item_code] = (row.account_code, row.tax_type)
    return found


def check(run: Run, works: Sequence[Work]) -> list[Prepared]:
    """Status policy and preflight, from the cache only; what may be sent, with its lines."""
    ready: list[Prepared] = []
    outcomes: list[tuple[str, lifecycle.Outcome]] = []
    defaults = MappingDefaults.from_settings(run.connection.settings)
    with run.factory() as session, session.begin():
        view = ReferenceView(session, run.connection.id)
        lock = _lock_date(view)
        overrides = _overrides(session, run)
        base = (
            run.connection.base_currency
            or str((view.organisation() or {}).get("BaseCurrency") or "")
            or None
        )
        for work in works:
            document = work.document
            assert document is not None
            decision = _decide(work)
            if isinstance(decision, Hold):
                outcomes.append((work.item_id, lifecycle.hold(decision.error)))
                continue
            if isinstance(decision, Skip):
                outcomes.append((work.item_id, lifecycle.done("unchanged")))
                continue
            gone = decision.status in ("VOIDED", "DELETED")
            lines = resolve_lines(
                document,
                overrides=overrides.get(usage_of(document)),
                defaults=defaults,
                reference=view,
            )
            unitdp = document_unitdp(document)
            problems = preflight(document, lines, view, lock, base_currency=base, unitdp=unitdp)
            if problems:
                outcomes.append((work.item_id, lifecycle.hold(_joined(problems))))
                continue
            prepared = Prepared(work, decision.status, work.link is not None, gone, unitdp)
            prepared.element = {"lines": lines}
            ready.append(prepared)
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    return ready


def _joined(problems: list[LedgerlinkError]) -> LedgerlinkError:
    first = problems[0]
    if len(problems) == 1:
        return first
    rest = " ".join(p.message for p in problems[1:4])
    more = f" (and {len(problems) - 4} more)" if len(problems) > 4 else ""
    return LedgerlinkError(first.code, f"{first.message} Also: {rest}{more}", first.field)


def convert(run: Run, prepared: Prepared) -> Record:
    work = prepared.work
    document = work.document
    lines = prepared.element["lines"]
    contact = {"ContactID": work.contact_id} if work.contact_id else {}
    existing = work.link
    if isinstance(document, SalesInvoice):
        body = invoice_to_xero(document, lines, contact, prepared.status, existing, prepared.unitdp)
    else:
        assert isinstance(document, Expense)
        body = expense_to_xero(document, lines, contact, prepared.status, existing, prepared.unitdp)
    if not prepared.gone:
        body["Url"] = run.marker(work.document_id, document.url if document else None)
    return body


def path_for(unitdp: int) -> str:
    return "/Invoices?summarizeErrors=false" + ("&unitdp=4" if unitdp == 4 else "")


def send_all(run: Run, works: Sequence[Work]) -> bool:
    """Check, resolve contacts, convert and send; True when the round must stop."""
    works = screen(run, works)
    to_refresh = {w.document_id: w.link.xero_id for w in works if w.link is not None}
    if to_refresh:
        try:
            refresh_links(run, to_refresh)
        except (XeroError, LedgerlinkError) as exc:
            # nothing may be decided on stale links: every claimed item waits (or is held)
            read_failed(run, exc, [w.item_id for w in works])
            return True
        _reload_links(run, works)
    prepared = check(run, works)
    needs_contact = [p.work for p in prepared if not p.gone]
    ready_works, stop = ensure_contacts(run, needs_contact) if needs_contact else ([], False)
    ready_ids = {w.item_id for w in ready_works}
    sendable = [p for p in prepared if p.gone or p.work.item_id in ready_ids]
    if stop:
        return True
    groups: dict[tuple[str, int], list[Prepared]] = {}
    for p in sendable:
        groups.setdefault(("POST" if p.update else "PUT", p.unitdp), []).append(p)
    size = run.config.batch_size
    for (method, unitdp), members in sorted(groups.items()):
        for start in range(0, len(members), size):
            batch = members[start : start + size]
            body = {"Invoices": [convert(run, p) for p in batch]}
            docs = [p.work.document_id for p in batch]
            ids = [p.work.item_id for p in batch]
            sent = dispatch(run, method, path_for(unitdp), body, docs, ids)
            if sent.reply is not None and sent.intent is not None:
                pause.reached("reply_received")
                apply_invoice_reply(run, sent.intent.id, sent.reply.items("Invoices"))
                pause.reached("reply_applied")
            elif sent.stop:
                return True
    return False


def _reload_links(run: Run, works: Sequence[Work]) -> None:
    with run.factory() as session:
        _current_links(session, works)
