"""Item overrides: per product, the account code and tax type its lines take on one connection.

A line's own code comes first, then the override of its item (for sales or for purchases), then
Xero's item, then the connection's default: a source app's "master settings" per line item.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ItemOverride

router = APIRouter(
    prefix="/connections/{connection_id}/item-overrides",
    tags=["connections"],
    responses=ERROR_RESPONSES,
)

Usage = Literal["sales", "purchase"]
USAGES = ("sales", "purchase")
MAX_ITEM_CODE = 100


class OverrideIn(BaseModel):
    """At least one of the two; a missing one falls through to Xero's item or the default."""

    model_config = ConfigDict(extra="forbid")

    account_code: str | None = Field(
        default=None, min_length=1, max_length=10, description="Account code for this item."
    )
    tax_type: str | None = Field(
        default=None, min_length=1, max_length=50, description="Tax type code for this item."
    )


class OverrideOut(BaseModel):
    item_code: str
    usage: Usage = Field(description="sales (invoices, credit notes) or purchase (bills, POs).")
    account_code: str | None
    tax_type: str | None


def _out(row: ItemOverride) -> OverrideOut:
    usage: Usage = "sales" if row.usage == "sales" else "purchase"
    return OverrideOut(
        item_code=row.item_code,
        usage=usage,
        account_code=row.account_code,
        tax_type=row.tax_type,
    )


def _checked(usage: str, item_code: str) -> None:
    if usage not in USAGES:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"usage must be one of {', '.join(USAGES)}.", field="usage"
        )
    if not item_code or len(item_code) > MAX_ITEM_CODE:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"item_code must be 1 to {MAX_ITEM_CODE} characters long.",
            field="item_code",
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in item_code):
        raise LedgerlinkError(
            "VALIDATION_FAILED", "item_code must not contain control characters.", field="item_code"
        )


def _upsert(
    session: Session, connection_id: str, usage: str, item_code: str, body: OverrideIn
) -> None:
    """One statement, so two people saving the same item at once leave one row, not an error."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"account_code": body.account_code, "tax_type": body.tax_type}
    session.execute(
        insert(ItemOverride)
        .values(connection_id=connection_id, item_code=item_code, usage=usage, **values)
        .on_conflict_do_update(
            index_elements=[ItemOverride.connection_id, ItemOverride.item_code, ItemOverride.usage],
            set_=values,
        )
    )


def _find(session: Session, connection_id: str, usage: str, item_code: str) -> ItemOverride | None:
    return session.scalars(
        select(ItemOverride)
        .where(
            ItemOverride.connection_id == connection_id,
            ItemOverride.usage == usage,
            ItemOverride.item_code == item_code,
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


@router.get("", response_model=list[OverrideOut])
def list_overrides(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> list[OverrideOut]:
    """The connection's item overrides, by usage and item code."""
    with services(request).factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
        rows = session.scalars(
            select(ItemOverride)
            .where(ItemOverride.connection_id == connection_id)
            .order_by(ItemOverride.usage, ItemOverride.item_code)
        )
        return [_out(row) for row in rows]


@router.put(
    "/{usage}/{item_code}",
    response_model=OverrideOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": OverrideIn.model_json_schema()}},
        }
    },
)
async def put_override(
    request: Request, workspace_id: WorkspaceId, connection_id: str, usage: str, item_code: str
) -> OverrideOut:
    """Set the account code and/or tax type the item's lines take (replacing what was set)."""
    _checked(usage, item_code)
    body = OverrideIn.model_validate(await read_object(request))
    if body.account_code is None and body.tax_type is None:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "Give account_code, tax_type or both (to remove the override, DELETE it).",
            field="account_code",
        )
    with transaction(services(request).factory) as session:
        conns.get_connection(session, workspace_id, connection_id)
        _upsert(session, connection_id, usage, item_code, body)
        row = _find(session, connection_id, usage, item_code)
        assert row is not None
        return _out(row)


@router.delete("/{usage}/{item_code}", status_code=204)
def delete_override(
    request: Request, workspace_id: WorkspaceId, connection_id: str, usage: str, item_code: str
) -> Response:
    """Remove the override: the item's lines fall back to Xero's item or the default."""
    _checked(usage, item_code)
    with transaction(services(request).factory) as session:
        conns.get_connection(session, workspace_id, connection_id)
        gone = session.execute(
            delete(ItemOverride)
            .where(
                ItemOverride.connection_id == connection_id,
                ItemOverride.usage == usage,
                ItemOverride.item_code == item_code,
            )
            .execution_options(synchronize_session=False)
        )
        if not gone.rowcount:  # type: ignore[attr-defined]
            raise LedgerlinkError(
                "NOT_FOUND",
                f"No {usage} override for item {item_code} on this connection.",
                field="item_code",
            )
    return Response(status_code=204)
