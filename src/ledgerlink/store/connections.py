"""Connections (one per workspace and Xero organisation) and their settings.

Every function takes the workspace id and treats another workspace's connection as not found,
so a caller holding a wrong id learns nothing about other customers.

Settings that act elsewhere: ``active`` (a switched-off connection is never leased by a worker,
so nothing is sent; its documents are still accepted and wait), ``branches`` (a document naming
a branch goes to the one connection of its workspace serving it: ``connection_for_branch``) and
the invoice number sequence (``store.numbers``; editing ``invoice_next_number`` here moves the
sequence's counter).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import (
    ValidationError,
)
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import schedules
from ledgerlink.store.connection_settings import ConnectionSettings, branch_key
from ledgerlink.store.db import lock_row
from ledgerlink.store.models import Connection, NumberCounter, QueueItem, Workspace, new_id
from ledgerlink.store.twoway import PollMark

ACTIVE = "active"
DISCONNECTED = "disconnected"
NEEDS_REAUTH = "needs_reauth"
# The one number sequence settings describe today (NumberCounter.kind / AssignedNumber.kind).
INVOICE_SEQUENCE = "invoice"


def _not_found(connection_id: str) -> LedgerlinkError:
    return LedgerlinkError(
        "CONNECTION_NOT_FOUND", f"No connection {connection_id} in this workspace.", field="id"
    )


def get_connection(session: Session, workspace_id: str, connection_id: str) -> Connection:
    row = session.get(Connection, connection_id)
    if row is None or row.workspace_id != workspace_id:
        raise _not_found(connection_id)
    return row


def find_connection(session: Session, workspace_id: str, connection_id: str) -> Connection | None:
    row = session.get(Connection, connection_id)
    return row if row is not None and row.workspace_id == workspace_id else None


def list_connections(session: Session, workspace_id: str) -> list[Connection]:
    query = (
        select(Connection)
        .where(Connection.workspace_id == workspace_id)
        .order_by(Connection.created_at, Connection.tenant_name)
    )
    return list(session.scalars(query))


def connections_for_token_set(session: Session, token_set_id: str) -> list[Connection]:
    return list(session.scalars(select(Connection).where(Connection.token_set_id == token_set_id)))


def upsert_connection(
    session: Session,
    workspace_id: str,
    tenant_id: str,
    *,
    tenant_name: str,
    token_set_id: str | None,
    xero_connection_id: str | None = None,
) -> Connection:
    """Connect (or reconnect) one organisation: the same tenant updates its row, never a twin."""
    row = session.scalars(
        select(Connection).where(
            Connection.workspace_id == workspace_id, Connection.tenant_id == tenant_id
        )
    ).one_or_none()
    now = datetime.now(UTC)
    if row is None:
        row = Connection(
            id=new_id(),
            workspace_id=workspace_id,
            tenant_id=tenant_id,
            settings=ConnectionSettings().model_dump(),
            created_at=now,
        )
        session.add(row)
    row.tenant_name = tenant_name
    row.token_set_id = token_set_id
    row.xero_connection_id = xero_connection_id
    row.status = ACTIVE
    row.updated_at = now
    session.flush()
    return row


def connection_settings(row: Connection) -> ConnectionSettings:
    return ConnectionSettings.model_validate(row.settings or {})


def shown_settings(session: Session, row: Connection) -> ConnectionSettings:
    """The settings as a person sees them: ``invoice_next_number`` is where the sequence stands
    now (it moves as numbers are given out), so a form sending back what it showed moves
    nothing."""
    settings = connection_settings(row)
    counter = session.get(NumberCounter, (row.id, INVOICE_SEQUENCE))
    if counter is None or not has_sequence(settings):
        return settings
    return settings.model_copy(update={"invoice_next_number": counter.next_number})


def has_sequence(settings: ConnectionSettings) -> bool:
    """Whether ledgerlink numbers this connection's invoices (else Xero does)."""
    return settings.invoice_number_prefix is not None or settings.invoice_next_number is not None


def update_settings(
    session: Session, workspace_id: str, connection_id: str, changes: dict[str, Any]
) -> ConnectionSettings:
    """Merge ``changes`` into the settings; a bad field is refused with its name.

    A branch another connection of the workspace serves is refused (a document naming it must
    have one place to go). A new ``invoice_next_number`` moves the sequence's counter there,
    also backwards: numbers already given to documents are then skipped, never given twice.
    """
    row = get_connection(session, workspace_id, connection_id)
    changes = _with_digits(changes)
    merged = {**connection_settings(row).model_dump(), **changes}
    try:
        settings = ConnectionSettings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"settings.{field}: {first['msg']}.", field=f"settings.{field}"
        ) from exc
    if "branches" in changes:
        _refuse_branches_served_elsewhere(session, row, settings.branches)
    if "invoice_next_number" in changes and settings.invoice_next_number is not None:
        _move_counter(session, row.id, settings.invoice_next_number)
    row.settings = settings.model_dump()
    row.updated_at = datetime.now(UTC)
    if "mode" in changes or "schedule" in changes:
        _reschedule(session, row.id, row.settings, row.updated_at)
    if "poll_minutes" in changes:
        _repoll(session, row.id, settings.poll_minutes, row.updated_at)
    session.flush()
    return settings


def _reschedule(
    session: Session, connection_id: str, settings: dict[str, Any], now: datetime
) -> None:
    """The queued documents that wait only for the schedule follow the new one (those backing
    off after a failure, or with a send to settle, keep their own time)."""
    session.execute(
        update(QueueItem)
        .where(
            QueueItem.connection_id == connection_id,
            QueueItem.state == "queued",
            QueueItem.intent_id.is_(None),
            QueueItem.attempts == 0,
            QueueItem.waits == 0,
        )
        .values(not_before=schedules.due_at(settings, now))
        .execution_options(synchronize_session=False)
    )


def _repoll(session: Session, connection_id: str, minutes: float, now: datetime) -> None:
    """A new polling period holds from now: no poll waits longer than it (0: none is due)."""
    if minutes <= 0:
        session.execute(delete(PollMark).where(PollMark.connection_id == connection_id))
        return
    soonest = now + timedelta(minutes=minutes)
    session.execute(
        update(PollMark)
        .where(PollMark.connection_id == connection_id, PollMark.next_at > soonest)
        .values(next_at=soonest)
        .execution_options(synchronize_session=False)
    )


def _with_digits(changes: dict[str, Any]) -> dict[str, Any]:
    """``"0042"`` as the next number keeps its width: invoice_number_digits 4 (unless given)."""
    given = changes.get("invoice_next_number")
    if (
        isinstance(given, str)
        and given.isascii()
        and given.isdigit()
        and len(given) > 1
        and given.startswith("0")
        and "invoice_number_digits" not in changes
    ):
        return {**changes, "invoice_number_digits": len(given)}
    return changes


def _move_counter(session: Session, connection_id: str, next_number: int) -> None:
    """Put the sequence's next number where a person set it (no counter yet: the first number
    taken makes it from the settings)."""
    session.execute(
        update(NumberCounter)
        .where(
            NumberCounter.connection_id == connection_id,
            NumberCounter.kind == INVOICE_SEQUENCE,
            NumberCounter.next_number != next_number,
        )
        .values(next_number=next_number)
        .execution_options(synchronize_session=False)
    )


def _refuse_branches_served_elsewhere(
    session: Session, row: Connection, branches: list[str]
) -> None:
    # The workspace's row lock makes two people giving one branch to two connections at once
    # take turns (SQLite's BEGIN IMMEDIATE already does).
    lock_row(session, Workspace, row.workspace_id)
    wanted = {branch_key(b): b for b in branches}
    for other in list_connections(session, row.workspace_id):
        if other.id == row.id:
            continue
        for served in connection_settings(other).branches:
            name = wanted.get(branch_key(served))
            if name is not None:
                raise LedgerlinkError(
                    "VALIDATION_FAILED",
                    f'settings.branches: branch "{name}" is already served by connection '
                    f"{other.tenant_name or other.id} ({other.id}); a branch goes to one "
                    "connection: take it off that one first.",
                    field="settings.branches",
                )


def connection_for_branch(session: Session, workspace_id: str, branch: str) -> Connection:
    """The connection of this workspace whose settings.branches holds ``branch`` (names compare
    trimmed and case-insensitively), whatever its status: its documents wait there like any."""
    wanted = branch_key(branch)
    rows = list_connections(session, workspace_id)
    served: dict[str, str] = {}
    for row in rows:
        for name in connection_settings(row).branches:
            if branch_key(name) == wanted:
                return row
            served.setdefault(branch_key(name), name)
    if served:
        listing = ", ".join(f'"{served[k]}"' for k in sorted(served))
        known = f"the branches its connections serve are {listing}."
    else:
        known = "none of its connections serves a branch yet (settings.branches)."
    raise LedgerlinkError(
        "BRANCH_UNKNOWN",
        f'No connection of this workspace serves branch "{branch.strip()}": {known}',
        field="branch",
    )


def set_organisation(
    session: Session,
    workspace_id: str,
    connection_id: str,
    *,
    short_code: str | None,
    base_currency: str | None,
) -> Connection:
    """Record what GET /Organisation says (deep links need the short code)."""
    row = get_connection(session, workspace_id, connection_id)
    row.short_code = short_code
    row.base_currency = base_currency
    row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def mark_disconnected(session: Session, workspace_id: str, connection_id: str) -> Connection:
    row = get_connection(session, workspace_id, connection_id)
    row.status = DISCONNECTED
    row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def switched_off(row: Connection) -> bool:
    """The person's switch says send nothing (whatever the connection's status)."""
    return not connection_settings(row).active


def switched_off_error(row: Connection) -> LedgerlinkError:
    """Why nothing is sent to a switched-off connection, and how to switch it on."""
    return LedgerlinkError(
        "CONNECTION_SWITCHED_OFF",
        f"Connection {row.tenant_name or row.id} is switched off: nothing is sent to its Xero "
        "organisation and its documents wait in the queue. Switch it on with "
        f'PATCH /api/v1/connections/{row.id}/settings {{"active": true}}.',
        field="settings.active",
    )


def require_usable(row: Connection, *, sending: bool = True) -> None:
    """Refuse work for a connection that cannot reach Xero, with the fix for each reason.

    Reconnecting comes first: a disconnected connection that is also switched off is inactive.
    The switch stops sending only: reading Xero (Synchronize, Refresh from Xero) goes on.
    """
    if row.status == NEEDS_REAUTH:
        raise LedgerlinkError(
            "CONNECTION_NEEDS_REAUTH",
            f"Xero refused the tokens of connection {row.tenant_name or row.id}.",
            field="connection_id",
        )
    if row.status != ACTIVE:
        raise LedgerlinkError(
            "CONNECTION_INACTIVE",
            f"Connection {row.tenant_name or row.id} is {row.status}.",
            field="connection_id",
        )
    if sending and switched_off(row):
        raise switched_off_error(row)
