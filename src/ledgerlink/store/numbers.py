"""A connection's invoice number sequence: the next number for an invoice sent without one.

A number is taken with one atomic statement (``UPDATE ... SET next_number = next_number + 1
... RETURNING``): on PostgreSQL the row lock it takes makes a second worker wait for the first
one's commit and then read the moved counter; on SQLite ``BEGIN IMMEDIATE`` holds the one write
lock for the whole transaction. The number is recorded against its document in the same
transaction, so it stays the document's for every resend, and the unique constraint on
(connection, kind, number) is the last guard: a number already given (the sequence was set back
below numbers in use, or another worker raced us to it) is skipped, never given twice.

The format is ``invoice_number_prefix`` followed by the number, zero-padded to
``invoice_number_digits`` when set (``INV-`` with 4 digits: ``INV-0042``; without digits:
``INV-42``). Setting the next number as text with leading zeros ("0042") sets the digits too.
The counter row is made from the settings when the first number is taken; after that, only a
new ``invoice_next_number`` (``connections.update_settings``) moves it by hand.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgerlink.store.connections import (
    INVOICE_SEQUENCE,
    ConnectionSettings,
    connection_settings,
    has_sequence,
)
from ledgerlink.store.models import AssignedNumber, Connection, NumberCounter

# Collisions with numbers already given are skipped in one jump; what is left are races with
# other workers, each of which moves the counter on. This many in a row means a bug.
MAX_TRIES = 100


def format_number(settings: ConnectionSettings, number: int) -> str:
    digits = settings.invoice_number_digits or 1
    return f"{settings.invoice_number_prefix or ''}{number:0{digits}d}"


def assign_number(
    session: Session, connection_id: str, document_id: str, kind: str = "invoice"
) -> str | None:
    """The document's number from its connection's sequence, given once and kept.

    The number this document was already given, if any (even if the sequence changed since);
    else the sequence's next free number, recorded in the caller's transaction; None when the
    connection has no sequence (Xero numbers the invoice itself). Only invoices have a
    sequence in the settings today: for another ``kind`` this is None.
    """
    given = _given(session, document_id)
    if given is not None:
        return given
    row = session.get(Connection, connection_id)
    if row is None:
        raise ValueError(f"no connection {connection_id}")
    settings = connection_settings(row)
    if kind != INVOICE_SEQUENCE or not has_sequence(settings):
        return None
    _ensure_counter(session, connection_id, kind, settings.invoice_next_number or 1)
    for _ in range(MAX_TRIES):
        number = format_number(settings, _take(session, connection_id, kind))
        try:
            with session.begin_nested():
                session.add(
                    AssignedNumber(
                        document_id=document_id,
                        connection_id=connection_id,
                        kind=kind,
                        number=number,
                    )
                )
        except IntegrityError:
            given = _given(session, document_id)
            if given is not None:  # another worker numbered this very document meanwhile
                return given
            _skip_used(session, connection_id, kind, settings)
            continue
        return number
    raise RuntimeError(f"no free number in {MAX_TRIES} tries for connection {connection_id}")


def _given(session: Session, document_id: str) -> str | None:
    found = session.scalar(
        select(AssignedNumber.number)
        .where(AssignedNumber.document_id == document_id)
        .execution_options(populate_existing=True)
    )
    return str(found) if found is not None else None


def _ensure_counter(session: Session, connection_id: str, kind: str, start: int) -> None:
    """Make the counter row if there is none; one that exists (another worker's) is kept."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(NumberCounter)
        .values(connection_id=connection_id, kind=kind, next_number=start)
        .on_conflict_do_nothing(index_elements=[NumberCounter.connection_id, NumberCounter.kind])
    )


def _take(session: Session, connection_id: str, kind: str) -> int:
    """The counter's number, moved on in the same statement."""
    taken = session.execute(
        update(NumberCounter)
        .where(NumberCounter.connection_id == connection_id, NumberCounter.kind == kind)
        .values(next_number=NumberCounter.next_number + 1)
        .returning(NumberCounter.next_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(taken) - 1


def _skip_used(
    session: Session, connection_id: str, kind: str, settings: ConnectionSettings
) -> None:
    """Move the counter past the run of numbers already given from where it stands (the
    sequence was set back below them), so they cost one jump, not one try each. It only ever
    moves forward, so a number another worker took meanwhile stays taken."""
    used = set(
        session.scalars(
            select(AssignedNumber.number).where(
                AssignedNumber.connection_id == connection_id, AssignedNumber.kind == kind
            )
        )
    )
    current = session.scalar(
        select(NumberCounter.next_number).where(
            NumberCounter.connection_id == connection_id, NumberCounter.kind == kind
        )
    )
    if current is None:
        return
    free = int(current)
    while format_number(settings, free) in used:
        free += 1
    if free > current:
        session.execute(
            update(NumberCounter)
            .where(
                NumberCounter.connection_id == connection_id,
                NumberCounter.kind == kind,
                NumberCounter.next_number < free,
            )
            .values(next_number=free)
            .execution_options(synchronize_session=False)
        )
