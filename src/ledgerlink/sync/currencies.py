"""The connection's default currency, and documents held for a currency.

A document that names no currency is sent in the connection's ``default_currency`` when one is
set (for every kind whose schema carries a currency): the claim fills it in before anything is
decided (``apply_default``), so the reads, the checks, the totals and the CurrencyCode written
all see the same currency. The default is read from the stored settings at each claim (a run's
own copy is as old as the run), so a change reaches the next claim.

Documents held for a currency (``mapping.currency.CODES``) go back to the queue, to be judged
afresh, when what held them may have changed: the default currency is changed, or a person
reads the organisation's reference data again (Synchronize: a currency enabled, a plan
upgraded). Judging again costs no call: the checks read the cache. Each run of the
connection also releases what was held for a default that is no longer the default (a claim
that read the old one just before the change holds after the change's own release).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import not_, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.mapping.currency import (
    CODES,
    DEFAULT_FIELD,
    currency_errors,
    named,
    usable_currencies,
)
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, QueueItem
from ledgerlink.sync import lifecycle
from ledgerlink.sync.context import Work
from ledgerlink.sync.reference import refresh_reference
from ledgerlink.sync.reference_view import ReferenceView
from ledgerlink.xero.client import XeroClient

FIELD = DEFAULT_FIELD


def stored_default(session: Session, connection_id: str) -> str | None:
    """The connection's default currency as stored now (None: the base currency)."""
    stored = session.scalar(select(Connection.settings).where(Connection.id == connection_id))
    code = (stored or {}).get("default_currency")
    return str(code) if code else None


def apply_default(works: Sequence[Work], code: str | None) -> None:
    """Each work whose document names no currency gets ``code`` (when its kind carries one)."""
    if not code:
        return
    for work in works:
        if work.document is None:
            continue
        filled = kinds.with_default_currency(work.kind, work.document, code)
        if filled is not work.document:
            work.document = filled
            work.currency_field = FIELD


def _base(session: Session, connection_id: str, view: ReferenceView) -> str | None:
    row = session.get(Connection, connection_id)
    base = row.base_currency if row is not None else None
    return base or str((view.organisation() or {}).get("BaseCurrency") or "") or None


def check_default(session: Session, connection_id: str, settings: dict[str, Any]) -> None:
    """Refuse a default currency the organisation cannot use, as far as the cache knows: one
    its plan or region cannot hold (known once its Organisation is read), or one it has not
    enabled (known once its currencies are read)."""
    code = settings.get("default_currency")
    if not code:
        return
    view = ReferenceView(session, connection_id)
    base = _base(session, connection_id, view)
    if view.fetched_at("currencies") is not None:
        problems = currency_errors(code, base, view, FIELD)
    else:
        usable = usable_currencies(view)
        known_bad = usable is not None and code not in usable
        problems = currency_errors(code, base, view, FIELD) if known_bad else []
    if problems:
        raise problems[0]


def _requeue(factory: sessionmaker[Session], where: list[Any], now: datetime) -> int:
    """Held items matching ``where`` back to the queue (a read first: none, no write)."""
    with factory() as session:
        if session.scalar(select(QueueItem.id).where(*where).limit(1)) is None:
            return 0
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)


def _held_for_currency(connection_id: str) -> list[Any]:
    return [
        QueueItem.connection_id == connection_id,
        QueueItem.error_code.in_(CODES),
        QueueItem.state.in_(lifecycle.HELD),
    ]


def release(factory: sessionmaker[Session], connection_id: str, now: datetime) -> int:
    """Documents of the connection held for a currency go back to the queue, to be judged
    again."""
    return _requeue(factory, _held_for_currency(connection_id), now)


def release_stale_default(factory: sessionmaker[Session], connection_id: str, now: datetime) -> int:
    """At the start of each run of the connection: documents held for a default currency that
    is no longer the default go back to the queue. A claim that read the default just before
    it changed holds after the change's own release ran, with the old one."""
    with factory() as session:
        current = stored_default(session, connection_id)
    where = [*_held_for_currency(connection_id), QueueItem.error_field == FIELD]
    if current:
        where.append(not_(QueueItem.error_message.startswith(named(FIELD, current))))
    return _requeue(factory, where, now)


def synchronize(
    factory: sessionmaker[Session], client: XeroClient, connection_id: str, full: bool = False
) -> dict[str, int]:
    """A person's Synchronize (dashboard tile, REST): the reference data read again, then what
    was held for a currency judged again (one enabled or a plan upgraded in Xero meanwhile)."""
    counts = refresh_reference(factory, client, connection_id, full=full)
    release(factory, connection_id, datetime.now(UTC))
    return counts
