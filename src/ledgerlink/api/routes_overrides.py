"""Item overrides: per product, the account code and tax type its lines take on one connection.

A line's own code comes first, then the override of its item (for sales or for purchases), then
Xero's item, then the connection's default: a source app's "master settings" per line item.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.store import overrides
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ItemOverride

router = APIRouter(
    prefix="/connections/{connection_id}/item-overrides",
    tags=["connections"],
    responses=ERROR_RESPONSES,
)

Usage = Literal["sales", "purchase"]


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


@router.get("", response_model=list[OverrideOut])
def list_overrides(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> list[OverrideOut]:
    """The connection's item overrides, by usage and item code."""
    with services(request).factory() as session:
        rows = overrides.list_overrides(session, workspace_id, connection_id)
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
    overrides.check_key(usage, item_code)
    body = OverrideIn.model_validate(await read_object(request))
    with transaction(services(request).factory) as session:
        row = overrides.put_override(
            session, workspace_id, connection_id, usage, item_code, body.account_code, body.tax_type
        )
        return _out(row)


@router.delete("/{usage}/{item_code}", status_code=204)
def delete_override(
    request: Request, workspace_id: WorkspaceId, connection_id: str, usage: str, item_code: str
) -> Response:
    """Remove the override: the item's lines fall back to Xero's item or the default."""
    with transaction(services(request).factory) as session:
        overrides.delete_override(session, workspace_id, connection_id, usage, item_code)
    return Response(status_code=204)
