"""Reference data (accounts, tax rates, currencies, contacts, tracking, items, organisation and
its actions), cached per connection so that mapping and preflight spend no API calls.

Calls are the scarce thing (60 a minute per organisation), so a refresh reads each kind in as
few calls as Xero allows: one GET per kind, contacts 1,000 a page, and for the kinds Xero
filters by If-Modified-Since (accounts, contacts, items) only what changed since the last mark.
Tax rates, currencies, tracking categories and actions ignore that header, so they are always
read whole and the cached set is replaced.

The mark is Xero's own clock (the reply's ``DateTimeUTC``), not ours, less a small overlap, so
a skewed local clock can never skip a change.

Lookups that are not by the record's key (a contact by name or number, an item by code) use
index rows (kinds ``contact_name``, ``contact_number``, ``item_code``) pointing at the record;
an index row is trusted only if the record it points to still carries that name or number.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import Connection, ReferenceItem, ReferenceSync
from ledgerlink.xero import wire
from ledgerlink.xero.client import XeroClient, XeroReply

if TYPE_CHECKING:
    from ledgerlink.sync.reference_view import ReferenceView

log = logging.getLogger(__name__)

ALL_KINDS = (
    "accounts",
    "tax_rates",
    "currencies",
    "contacts",
    "tracking",
    "items",
    "organisation",
    "actions",
)
OVERLAP = timedelta(seconds=60)
CONTACT_PAGE_SIZE = 1000
_SPACES = re.compile(r"\s+")
Record = dict[str, Any]


def normalise_name(name: str) -> str:
    """A contact name as contacts are matched: case, spaces and punctuation do not matter.

    Xero itself compares names without case or surrounding spaces, so "Acme Ltd." and
    "ACME Ltd" could both be made there; taken as one contact here, a name typed a little
    differently in the app never makes a second contact (pain-points 5). A name of
    punctuation only keeps it."""
    folded = _SPACES.sub(" ", name).strip().casefold()
    return "".join(ch for ch in folded if ch.isalnum()) or folded


def _text(record: Record, name: str) -> str:
    value = record.get(name)
    return str(value).strip() if value is not None else ""


def _account_key(record: Record) -> str:
    # Some accounts (bank accounts, mostly) have no code; keep them under their id.
    return _text(record, "Code") or "id:" + _text(record, "AccountID").lower()


@dataclass(frozen=True)
class Kind:
    """How one kind of reference data is read from Xero and keyed in the cache."""

    name: str
    path: str
    envelope: str
    key: Callable[[Record], str]
    incremental: bool = False
    paged: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    indexes: dict[str, Callable[[Record], str]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    "accounts": Kind("accounts", "/Accounts", "Accounts", _account_key, incremental=True),
    "tax_rates": Kind("tax_rates", "/TaxRates", "TaxRates", lambda r: _text(r, "TaxType")),
    "currencies": Kind("currencies", "/Currencies", "Currencies", lambda r: _text(r, "Code")),
    "contacts": Kind(
        "contacts",
        "/Contacts",
        "Contacts",
        lambda r: _text(r, "ContactID").lower(),
        incremental=True,
        paged=True,
        # Archived contacts are kept so that a name is never re-created next to an archived
        # one, and so preflight can say "archived" rather than "missing".
        # summaryOnly: no addresses, phones or balances, which nothing here reads (the id,
        # name, number, status and email stay in Xero's summary object).
        params={"includeArchived": "true", "summaryOnly": "true"},
        indexes={
            "contact_name": lambda r: normalise_name(_text(r, "Name")),
            "contact_number": lambda r: _text(r, "ContactNumber"),
        },
    ),
    "tracking": Kind(
        "tracking",
        "/TrackingCategories",
        "TrackingCategories",
        lambda r: _text(r, "TrackingCategoryID").lower(),
    ),
    "items": Kind(
        "items",
        "/Items",
        "Items",
        lambda r: _text(r, "ItemID").lower(),
        incremental=True,
        indexes={"item_code": lambda r: _text(r, "Code")},
    ),
    "organisation": Kind(
        "organisation", "/Organisation", "Organisations", lambda r: "organisation"
    ),
    # What the plan allows (UseMulticurrency): read with the currencies, when a document names
    # one the organisation may not hold (``mapping.currency``).
    "actions": Kind("actions", "/Organisation/Actions", "Actions", lambda r: _text(r, "Name")),
}


def _mark(replies: list[XeroReply], records: list[Record]) -> datetime | None:
    """Xero's time at the first page, else the newest change seen; None if neither is known."""
    if replies and isinstance(replies[0].data, dict):
        stamp = wire.parse_timestamp(replies[0].data.get("DateTimeUTC"))
        if stamp is not None:
            return stamp
    changes = [m for m in (wire.updated_at(r) for r in records) if m is not None]
    return max(changes) if changes else None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _fetch(
    client: XeroClient, kind: Kind, since: datetime | None
) -> tuple[list[Record], datetime | None]:
    if kind.paged:
        replies = list(
            client.pages(kind.path, kind.envelope, kind.params, CONTACT_PAGE_SIZE, since)
        )
    else:
        replies = [client.get(kind.path, kind.params or None, since)]
    records = [r for reply in replies for r in reply.items(kind.envelope)]
    return records, _mark(replies, records)


def _is_active(record: Record | None) -> bool:
    if record is None:
        return False
    status = _text(record, "ContactStatus") or _text(record, "Status") or "ACTIVE"
    return status.upper() == "ACTIVE"


def store_records(
    session: Session,
    connection_id: str,
    kind_name: str,
    records: Iterable[Record],
    *,
    replace: bool = False,
) -> None:
    """Put records Xero sent (its own dicts) into one connection's cache, with their index rows.

    For callers already holding Xero's answer, such as the contacts a PUT just created: cached
    in the transaction that records the write, they are found by every later lookup without
    waiting for the next refresh. Runs in the caller's transaction and leaves the refresh mark
    alone. ``kind_name`` is a key of ``KINDS`` (else ``ValueError``). ``replace`` drops the
    kind's cached records first (a full read); without it, records are added or updated by key.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ValueError(f"unknown reference kind {kind_name!r}; known: {', '.join(KINDS)}")
    owned = (kind.name, *kind.indexes)
    if replace:
        session.execute(
            delete(ReferenceItem).where(
                ReferenceItem.connection_id == connection_id, ReferenceItem.kind.in_(owned)
            )
        )
    by_key = {kind.key(r): r for r in records if kind.key(r)}
    existing: dict[tuple[str, str], ReferenceItem] = {}
    if not replace:
        wanted = {(kind.name, k) for k in by_key}
        for name, index in kind.indexes.items():
            wanted |= {(name, index(r)) for r in by_key.values() if index(r)}
        existing = _load(session, connection_id, wanted)
    now = datetime.now(UTC)
    # Rows not cached yet go in as one insert (a full read of thousands of contacts, or a
    # batch just created); an ORM object each cost more than the rest of the refresh.
    fresh: dict[tuple[str, str], Record] = {}

    def put(row_kind: str, key: str, data: Record) -> None:
        row = existing.get((row_kind, key))
        if row is None:
            fresh[(row_kind, key)] = data
        else:
            row.data = data
            row.updated_at = now

    def held(row_kind: str, key: str) -> Record | None:
        row = existing.get((row_kind, key))
        return row.data if row is not None else fresh.get((row_kind, key))

    for key, record in by_key.items():
        put(kind.name, key, record)
    for name, index in kind.indexes.items():
        for key, record in by_key.items():
            value = index(record)
            if not value:
                continue
            current = held(name, value)
            if current is not None and current.get("key") != key:
                holder = by_key.get(current["key"]) or _cached(
                    session, connection_id, kind.name, current["key"]
                )
                # An archived contact may share its name with an active one: the active wins.
                if _is_active(holder) and not _is_active(record) and index(holder or {}) == value:
                    continue
            put(name, value, {"key": key})
    if fresh:
        rows = [
            {"connection_id": connection_id, "kind": k, "key": key, "data": data, "updated_at": now}
            for (k, key), data in fresh.items()
        ]
        session.execute(insert(cast(Table, ReferenceItem.__table__)), rows)


def _load(
    session: Session, connection_id: str, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], ReferenceItem]:
    found: dict[tuple[str, str], ReferenceItem] = {}
    kinds = {k for k, _ in wanted}
    for row_kind in kinds:
        keys = sorted(key for k, key in wanted if k == row_kind)
        for start in range(0, len(keys), 500):
            query = select(ReferenceItem).where(
                ReferenceItem.connection_id == connection_id,
                ReferenceItem.kind == row_kind,
                ReferenceItem.key.in_(keys[start : start + 500]),
            )
            for row in session.scalars(query):
                found[(row.kind, row.key)] = row
    return found


def _cached(session: Session, connection_id: str, kind: str, key: str) -> Record | None:
    row = session.scalars(
        select(ReferenceItem).where(
            ReferenceItem.connection_id == connection_id,
            ReferenceItem.kind == kind,
            ReferenceItem.key == key,
        )
    ).first()
    return row.data if row is not None else None


def _set_mark(
    session: Session, connection_id: str, kind: str, mark: datetime | None, keep_old: bool
) -> None:
    sync = session.get(ReferenceSync, (connection_id, kind))
    if sync is None:
        sync = ReferenceSync(connection_id=connection_id, kind=kind)
        session.add(sync)
    sync.fetched_at = datetime.now(UTC)
    if mark is not None or not keep_old:
        sync.modified_mark = mark


def _apply_organisation(session: Session, connection_id: str, records: list[Record]) -> None:
    if not records:
        return
    org = records[0]
    connection = session.get(Connection, connection_id)
    if connection is None:
        return
    connection.short_code = _text(org, "ShortCode") or connection.short_code
    connection.base_currency = _text(org, "BaseCurrency") or connection.base_currency
    connection.tenant_name = _text(org, "Name") or connection.tenant_name
    connection.updated_at = datetime.now(UTC)


def remember_organisation(session: Session, connection_id: str, org: Record) -> None:
    """Cache the Organisation read at connect time as a fresh refresh of it, so the first sync
    does not read it again (its lock dates are what preflight needs from it)."""
    session.flush()  # the connection row, before rows that point at it
    store_records(session, connection_id, "organisation", [org], replace=True)
    _set_mark(session, connection_id, "organisation", None, keep_old=False)


def refresh_reference(
    session_factory: sessionmaker[Session],
    client: XeroClient,
    connection_id: str,
    kinds: Iterable[str] = ALL_KINDS,
    full: bool = False,
) -> dict[str, int]:
    """Refresh the cache; returns how many records Xero sent for each kind.

    Each kind is fetched first and then written in its own short transaction, so no database
    transaction is held open across an HTTP call, and a failure part-way keeps the kinds
    already refreshed.
    """
    chosen = list(kinds)
    unknown = [name for name in chosen if name not in KINDS]
    if unknown:
        raise ValueError(f"unknown reference kind {unknown[0]!r}; known: {', '.join(KINDS)}")
    with session_factory() as session:
        if session.get(Connection, connection_id) is None:
            raise LedgerlinkError(
                "CONNECTION_NOT_FOUND", f"No connection {connection_id}.", "connection_id"
            )
    counts: dict[str, int] = {}
    for name in chosen:
        kind = KINDS[name]
        since: datetime | None = None
        if kind.incremental and not full:
            with session_factory() as session:
                sync = session.get(ReferenceSync, (connection_id, kind.name))
                mark = _aware(sync.modified_mark) if sync is not None else None
            since = mark - OVERLAP if mark is not None else None
        records, mark = _fetch(client, kind, since)
        replace = since is None
        for attempt in (1, 2):
            try:
                with session_factory() as session, session.begin():
                    store_records(session, connection_id, kind.name, records, replace=replace)
                    _set_mark(session, connection_id, kind.name, mark, keep_old=not replace)
                    if kind.name == "organisation":
                        _apply_organisation(session, connection_id, records)
                break
            except IntegrityError:
                # Another refresh of the same connection wrote the same keys first; redo ours
                # over what it wrote.
                if attempt == 2:
                    raise
                log.info("reference %s for %s raced another refresh; retrying", name, connection_id)
        counts[kind.name] = len(records)
    return counts


def __getattr__(name: str) -> type[ReferenceView]:
    """``ReferenceView`` lives in ``reference_view`` (which reads this module's cache helpers);
    the name stays importable from here."""
    if name == "ReferenceView":
        from ledgerlink.sync.reference_view import ReferenceView

        return ReferenceView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def stale_reference(
    factory: sessionmaker[Session], connection_id: str, wanted: Sequence[str], oldest: datetime
) -> list[str]:
    """Which of these reference lists were never read for the connection, or before ``oldest``."""
    with factory() as session:
        marks = {
            s.kind: s.fetched_at
            for s in session.scalars(
                select(ReferenceSync).where(ReferenceSync.connection_id == connection_id)
            )
        }
    return [k for k in wanted if k not in marks or marks[k] < oldest]
