"""Connections (one per workspace and Xero organisation) and their settings.

Every function takes the workspace id and treats another workspace's connection as not found,
so a caller holding a wrong id learns nothing about other customers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import Connection, new_id

ACTIVE = "active"
DISCONNECTED = "disconnected"
NEEDS_REAUTH = "needs_reauth"


class ConnectionSettings(BaseModel):
    """What a person sets per organisation: defaults the mapping falls back on, and switches."""

    model_config = ConfigDict(extra="forbid")

    default_revenue_account: str | None = Field(default=None, max_length=10)
    default_expense_account: str | None = Field(default=None, max_length=10)
    default_sales_tax_type: str | None = Field(default=None, max_length=50)
    default_purchase_tax_type: str | None = Field(default=None, max_length=50)
    invoice_number_prefix: str | None = Field(default=None, max_length=50)
    invoice_next_number: int | None = Field(default=None, ge=1)
    branches: list[str] = Field(default_factory=list)
    active: bool = True


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


def update_settings(
    session: Session, workspace_id: str, connection_id: str, changes: dict[str, Any]
) -> ConnectionSettings:
    """Merge ``changes`` into the settings; a bad field is refused with its name."""
    row = get_connection(session, workspace_id, connection_id)
    merged = {**connection_settings(row).model_dump(), **changes}
    try:
        settings = ConnectionSettings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"settings.{field}: {first['msg']}.", field=f"settings.{field}"
        ) from exc
    row.settings = settings.model_dump()
    row.updated_at = datetime.now(UTC)
    session.flush()
    return settings


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


def require_usable(row: Connection) -> None:
    """Refuse work for a connection that cannot reach Xero, with the fix for each reason."""
    if row.status == NEEDS_REAUTH:
        raise LedgerlinkError(
            "CONNECTION_NEEDS_REAUTH",
            f"Xero refused the tokens of connection {row.tenant_name or row.id}.",
            field="connection_id",
        )
    if row.status != ACTIVE or not connection_settings(row).active:
        raise LedgerlinkError(
            "CONNECTION_INACTIVE",
            f"Connection {row.tenant_name or row.id} is {row.status} or switched off.",
            field="connection_id",
        )
