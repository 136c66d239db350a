"""Deciding, from the cache and the store only, what each claimed document's send will be.

For each document: the status policy of its kind against Xero's state as last read; whether
what it depends on is in Xero (its invoice, for a payment or a credit note's allocation: a
document still on its way makes it wait, never fail); its lines' accounts and tax types; and
every rule preflight and its kind know. What passes is ``Ready``; the rest is settled here
with a code, a field and the fix, before any call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, DocumentKind, LinkView, Needed
from ledgerlink.mapping import Hold, MappingDefaults, Skip, preflight, resolve_lines
from ledgerlink.mapping.preflight import estimate, find_tax_rate
from ledgerlink.mapping.resolve import ResolvedLine
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, ItemOverride, Link, QueueItem
from ledgerlink.sync import directions, lifecycle
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.reference_view import ReferenceView
from ledgerlink.xero import wire
from ledgerlink.xero.convert import document_unitdp

GONE = ("VOIDED", "DELETED")
DISMISSED = (lifecycle.ItemState.DISMISSED,)


@dataclass
class Ready:
    """A document that may be sent: its kind, the status to send, its lines, what it needs."""

    work: Work
    kind: DocumentKind
    status: str
    update: bool
    gone: bool
    unitdp: int = 2
    lines: list[ResolvedLine] = field(default_factory=list)
    resolved: dict[tuple[str, str], LinkView] = field(default_factory=dict)
    # Only a follow-up is left (a credit note's allocations): the document itself is in Xero.
    follow_up_only: bool = False
    note: str | None = None


def view_of(link: Link | None) -> LinkView | None:
    if link is None:
        return None

    def money(value: str | None) -> Decimal | None:
        return Decimal(value) if value else None

    return LinkView(
        link.xero_id,
        link.xero_status,
        money(link.amount_paid),
        money(link.amount_credited),
        money(link.amount_due),
        dict(link.details or {}),
    )


@dataclass
class Dependency:
    exists: bool = False
    link: LinkView | None = None
    pending: bool = False  # a push of it is queued or being sent
    held: tuple[str, str] | None = None  # its item waits for a person: (code, message)
    dismissed: bool = False  # a person dismissed its push: it is never sent


def dependencies(
    session: Session, workspace_id: str, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], Dependency]:
    """Where each needed document stands: stored? linked (and how)? on its way? held?"""
    found = {key: Dependency() for key in wanted}
    by_kind: dict[str, list[str]] = {}
    for kind, source_id in wanted:
        by_kind.setdefault(kind, []).append(source_id)
    for kind, source_ids in by_kind.items():
        rows = session.execute(
            select(Document, Link)
            .outerjoin(Link, Link.document_id == Document.id)
            .where(
                Document.workspace_id == workspace_id,
                Document.kind == kind,
                one_of(Document.source_id, source_ids),
            )
        ).all()
        ids = {document.id: (kind, document.source_id) for document, _ in rows}
        for document, link in rows:
            found[(kind, document.source_id)] = Dependency(True, view_of(link))
        items = session.scalars(
            select(QueueItem).where(
                one_of(QueueItem.document_id, ids),
                QueueItem.state.in_((*lifecycle.ACTIVE, *lifecycle.HELD, *DISMISSED)),
            )
        )
        for item in items:
            dep = found[ids[item.document_id]]
            if item.state in ("queued", "in_flight"):
                dep.pending = True
            elif item.state in DISMISSED:
                dep.dismissed = True
            elif dep.held is None:
                dep.held = (item.error_code or "", item.error_message or "")
    return found


def document_ids(
    session: Session, workspace_id: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The stored document id of each (kind, source id)."""
    found: dict[tuple[str, str], str] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, source_id in keys:
        by_kind.setdefault(kind, []).append(source_id)
    for kind, source_ids in by_kind.items():
        query = select(Document.id, Document.source_id).where(
            Document.workspace_id == workspace_id,
            Document.kind == kind,
            one_of(Document.source_id, source_ids),
        )
        found.update({(kind, source): doc for doc, source in session.execute(query)})
    return found


def _waiting(need: Needed, dep: Dependency, noun: str) -> lifecycle.Outcome | None:
    """Why the document cannot go yet because of ``need``; None when it may.

    A change of the document on its way (a newer version queued, or a send of it unresolved)
    is waited for even when Xero already holds an earlier one: a payment or an allocation made
    first would stop Xero taking that change (found by the chaos run)."""
    what = f"{need.kind} {need.source_id!r} ({need.field})"
    if not dep.pending and (
        dep.link is not None and (not need.statuses or dep.link.status in need.statuses)
    ):
        return None
    if not dep.exists:
        error = LedgerlinkError(
            "DEPENDENCY_MISSING",
            f"{what} has not been sent to ledgerlink: this {noun} waits for it.",
            field=need.field,
        )
        return lifecycle.wait(error, intent_id=None)
    if dep.pending:
        error = LedgerlinkError(
            "DEPENDENCY_WAITING",
            f"{what} (or a change of it) is on its way to Xero: this {noun} follows it.",
            need.field,
        )
        return lifecycle.wait(error, intent_id=None)
    if dep.link is None and dep.held is None and dep.dismissed:
        error = LedgerlinkError(
            "DEPENDENCY_MISSING",
            f"{what} was dismissed on the queue page, so it is never sent: this {noun} cannot "
            "follow it. Retry that one there (it is sent, then this one), or dismiss this too.",
            field=need.field,
        )
        return lifecycle.hold(error)
    if dep.link is None and dep.held is None:
        error = LedgerlinkError(
            "DEPENDENCY_MISSING",
            f"{what} was never sent to Xero (voided before it was): this {noun} cannot follow it.",
            field=need.field,
        )
        return lifecycle.hold(error)
    if dep.held is not None:
        code, message = dep.held
        error = LedgerlinkError(
            "DEPENDENCY_WAITING",
            f"{what} is held ({code}: {message[:200]}): this {noun} waits until it is fixed.",
            field=need.field,
        )
        return lifecycle.wait(error, intent_id=None)
    wanted = " or ".join(sorted(need.statuses))
    status = dep.link.status if dep.link else None
    code = "PAYMENT_INVALID" if "AUTHORISED" in need.statuses else "DEPENDENCY_MISSING"
    if status == "SUBMITTED":
        # Awaiting approval in Xero (an approved expense goes so): it waits, read again each
        # time, until a person approves it in Xero.
        error = LedgerlinkError(
            code,
            f"{what} is awaiting approval in Xero; this {noun} needs it {wanted}: approve it in "
            "Xero, and this follows by itself.",
            field=need.field,
        )
        return lifecycle.wait(error, intent_id=None)
    error = LedgerlinkError(
        code,
        f"{what} is {status or 'not'} in Xero; this {noun} needs it {wanted}: send it as "
        "approved (status sent) first.",
        field=need.field,
    )
    return lifecycle.hold(error)


def _lock_date(view: ReferenceView) -> date | None:
    org = view.organisation() or {}
    days = [wire.parse_day(org.get(name)) for name in ("PeriodLockDate", "EndOfYearLockDate")]
    known = [d for d in days if d is not None]
    return max(known) if known else None


Overrides = dict[str, dict[str, tuple[str | None, str | None]]]


def item_overrides(session: Session, connection_id: str) -> Overrides:
    """The connection's item overrides by usage (sales, purchase), then item code."""
    rows = session.scalars(select(ItemOverride).where(ItemOverride.connection_id == connection_id))
    found: Overrides = {"sales": {}, "purchase": {}}
    for row in rows:
        found.setdefault(row.usage, {})[row.item_code] = (row.account_code, row.tax_type)
    return found


def source_total(
    kind: DocumentKind,
    document: Any,
    view: ReferenceView,
    overrides: Overrides,
    defaults: MappingDefaults,
) -> Decimal | None:
    """The total Xero shows for the document as it stands in the source: its lines resolved
    as a send resolves them, taxed at the organisation's cached rates, rounded as Xero rounds
    (preflight's estimate); a document without lines (a payment) is its amount."""
    if not kind.has_lines:
        amount = getattr(document, "amount", None)
        return amount if isinstance(amount, Decimal) else None
    usage = kind.usage_of(document)
    lines = resolve_lines(
        document,
        overrides=overrides.get(usage or "sales"),
        defaults=defaults,
        reference=view,
        usage=usage,
    )
    taxed = document.amounts_are != "no_tax"
    rates = [find_tax_rate(view, x.tax_type) if taxed and x.tax_type else None for x in lines]
    return estimate(document, rates, document_unitdp(document)).total


def joined(problems: list[LedgerlinkError]) -> LedgerlinkError:
    first = problems[0]
    if len(problems) == 1:
        return first
    rest = " ".join(p.message for p in problems[1:4])
    more = f" (and {len(problems) - 4} more)" if len(problems) > 4 else ""
    return LedgerlinkError(
        first.code, f"{first.message} Also: {rest}{more}", first.field, advice=first.advice
    )


class _Checker:
    """One claim's checks, sharing the reference view, overrides and dependency states."""

    def __init__(self, session: Session, run: Run, works: Sequence[Work]) -> None:
        self.run = run
        self.view = ReferenceView(session, run.connection.id)
        self.lock = _lock_date(self.view)
        self.overrides = item_overrides(session, run.connection.id)
        self.defaults = MappingDefaults.from_settings(run.connection.settings)
        self.not_sent = directions.not_sent_now(session, run.connection.id)
        self.base = (
            run.connection.base_currency
            or str((self.view.organisation() or {}).get("BaseCurrency") or "")
            or None
        )
        self.needs = {
            w.item_id: kinds.get(w.kind).requires(w.document, view_of(w.link))
            for w in works
            if w.document
        }
        wanted = {(n.kind, n.source_id) for needs in self.needs.values() for n in needs}
        self.deps = dependencies(session, run.connection.workspace_id, wanted) if wanted else {}
        self.spent: dict[str, Decimal] = {}

    def _known(self, need: Needed, dep: Dependency) -> LinkView | None:
        """A needed document not linked nor on its way, that Xero has all the same (an item
        a person made: the cached reference data knows it)."""
        if dep.link is not None or dep.pending:
            return None
        needed = kinds.find(need.kind)
        return needed.known_in_xero(need.source_id, self.view) if needed else None

    def _brings(self, work: Work, need: Needed) -> bool:
        """Whether the document brings what it needs (``sync.brought`` stores it before a
        send; a plan has not): then it is waited for, not held."""
        brought = kinds.get(work.kind).brings(work.document, self.run.connection.settings or {})
        return any(
            b.kind == need.kind and b.body.get("source_id") == need.source_id for b in brought
        )

    def one(self, work: Work) -> Ready | lifecycle.Outcome:
        kind = kinds.get(work.kind)
        document = work.document
        link = view_of(work.link)
        resolved: dict[tuple[str, str], LinkView] = {}
        for need in self.needs.get(work.item_id, []):
            dep = self.deps.get((need.kind, need.source_id), Dependency())
            found = self._known(need, dep)
            if found is not None:
                resolved[(need.kind, need.source_id)] = found
                continue
            if not dep.exists and need.unknown is not None and not self._brings(work, need):
                return lifecycle.hold(need.unknown)
            blocked = _waiting(need, dep, kind.noun)
            if blocked is not None:
                return blocked
            assert dep.link is not None
            resolved[(need.kind, need.source_id)] = dep.link
        held = (
            None
            if kind.sent_regardless(document)
            else directions.hold_if_not_sent(self.not_sent, kind)
        )
        if link is not None and kind.written(document, link):
            if kind.follow_up_due(document, link, resolved):
                if held is not None:
                    return held
                return Ready(
                    work,
                    kind,
                    link.status or "",
                    True,
                    False,
                    follow_up_only=True,
                    resolved=resolved,
                )
            return lifecycle.done("unchanged")
        if held is not None:
            return held
        reason = kind.not_applicable(document, self.run.connection.settings, link)
        if reason is not None:
            return lifecycle.not_applicable(reason)
        decision = kind.decide_for(document, link, self.run.connection.settings)
        if isinstance(decision, Hold):
            return lifecycle.hold(decision.error)
        if isinstance(decision, Skip):
            return lifecycle.done("unchanged")
        gone = decision.status in GONE
        ready = Ready(work, kind, decision.status, link is not None, gone, resolved=resolved)
        ready.note = decision.note
        problems: list[LedgerlinkError] = []
        if kind.has_lines:
            document = kind.configured(document, self.run.connection.settings)
            ready.lines = resolve_lines(
                document,
                overrides=self.overrides.get(kind.usage_of(document) or "sales"),
                defaults=self.defaults,
                reference=self.view,
                usage=kind.usage_of(document),
            )
            ready.unitdp = document_unitdp(document)
            problems += preflight(
                document,
                ready.lines,
                self.view,
                self.lock,
                base_currency=self.base,
                unitdp=ready.unitdp,
                subject=kind.subject(document, gone),
                currency_field=work.currency_field,
            )
        else:
            ready.unitdp = kind.unitdp_of(document)
        if not gone:
            context = CheckContext(
                self.run.connection.settings,
                self.view,
                resolved,
                self.base,
                self.spent,
                self.lock,
            )
            problems += kind.checks(document, context)
        if problems:
            return lifecycle.hold(joined(problems))
        return ready


def judge(session: Session, run: Run, works: Sequence[Work]) -> list[Ready | lifecycle.Outcome]:
    """Each work's verdict, in order: what may be sent, or why not (nothing is settled: a
    plan reads these without changing the queue)."""
    checker = _Checker(session, run, works)
    return [checker.one(work) for work in works]


def check(run: Run, works: Sequence[Work]) -> list[Ready]:
    """Status policy, dependencies and preflight, from the cache only; what may be sent."""
    ready: list[Ready] = []
    outcomes: list[tuple[str, lifecycle.Outcome]] = []
    with run.factory() as session, session.begin():
        for work, found in zip(works, judge(session, run, works), strict=True):
            if isinstance(found, Ready):
                ready.append(found)
            else:
                outcomes.append((work.item_id, found))
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    return ready
