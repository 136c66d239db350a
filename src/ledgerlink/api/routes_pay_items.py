"""Payroll over REST: a connection's pay-item types (the payroll's "Financial Accounting
Mapping"), "Generate" for one pay run, and the record of every generation.

A type names its payee (``employee``: each employee gets a bill; else the contact that gets one
bill for the run) and its pay items, each with an account code, a sign and an optional
description (``mapping.pay_items`` says what the sign does). Every change of the types sends
pay runs held for their mapping back to the queue.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.mapping.pay_items import PayItemType
from ledgerlink.store import pay_items
from ledgerlink.store.db import transaction
from ledgerlink.sync import payroll

router = APIRouter(
    prefix="/connections/{connection_id}", tags=["payroll"], responses=ERROR_RESPONSES
)


class PayItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pay_item: str = Field(min_length=1, max_length=100, description="The payroll's pay item.")
    account_code: str = Field(min_length=1, max_length=10, description="Xero account code.")
    sign: Literal["+", "-"] = Field(
        default="+", description="+ adds the amount to the payee's bill; - takes it off."
    )
    description: str | None = Field(
        default=None, max_length=4000, description="The bill line's text (absent: the name)."
    )


class PayItemTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payee: str = Field(
        min_length=1,
        max_length=255,
        description="'employee': a bill to each employee (their net pay); else the name of "
        "the Xero contact that gets one bill for the run (the tax office, the pension fund).",
    )
    items: list[PayItemIn] = Field(description="The type's pay items, each once.")


class PayItemTypeOut(PayItemTypeIn):
    name: str


class GenerationOut(BaseModel):
    pay_run: str = Field(description="The pay run's source_id.")
    version: int
    outcome: str = Field(description="generated, unchanged, voided or held.")
    error_code: str | None
    error_message: str | None
    bills: list[dict[str, Any]] = Field(
        description="Each bill: source_id (an expense), payee, total, status, outcome."
    )
    created_at: datetime


class GenerateOut(BaseModel):
    outcome: Literal["queued", "requeued", "waiting"]


def _out(type_: PayItemType) -> PayItemTypeOut:
    return PayItemTypeOut.model_validate(pay_items.as_json(type_))


@router.get("/pay-item-types", response_model=list[PayItemTypeOut])
def list_types(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> list[PayItemTypeOut]:
    """The connection's pay-item types, by name."""
    with services(request).factory() as session:
        return [_out(t) for t in pay_items.list_types(session, workspace_id, connection_id)]


@router.put(
    "/pay-item-types/{name}",
    response_model=PayItemTypeOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PayItemTypeIn.model_json_schema()}},
        }
    },
)
async def put_type(
    request: Request, workspace_id: WorkspaceId, connection_id: str, name: str
) -> PayItemTypeOut:
    """Create the type or replace its payee and pay items; held pay runs are tried again."""
    body = PayItemTypeIn.model_validate(await read_object(request))
    factory = services(request).factory
    with transaction(factory) as session:
        items = [item.model_dump() for item in body.items]
        saved = pay_items.put_type(session, workspace_id, connection_id, name, body.payee, items)
    payroll.release_held(factory, connection_id, datetime.now(UTC))
    return _out(saved)


@router.delete("/pay-item-types/{name}", status_code=204)
def delete_type(
    request: Request, workspace_id: WorkspaceId, connection_id: str, name: str
) -> Response:
    """Remove the type: pay runs using its pay items are held until they are mapped again."""
    with transaction(services(request).factory) as session:
        pay_items.delete_type(session, workspace_id, connection_id, name)
    return Response(status_code=204)


@router.post("/pay-runs/{source_id:path}/generate", response_model=GenerateOut)
def generate(
    request: Request, workspace_id: WorkspaceId, connection_id: str, source_id: str
) -> GenerateOut:
    """Generate the pay run's bills again from its current version (the worker does it)."""
    outcome = payroll.request_generation(
        services(request).factory, workspace_id, connection_id, source_id, datetime.now(UTC)
    )
    return GenerateOut.model_validate({"outcome": outcome})


@router.get("/pay-run-generations", response_model=list[GenerationOut])
def list_generations(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> list[GenerationOut]:
    """The record: every generation of the connection's pay runs, newest first."""
    with services(request).factory() as session:
        found = payroll.generations(session, workspace_id, connection_id)
        return [
            GenerationOut(
                pay_run=source_id,
                version=row.version,
                outcome=row.outcome,
                error_code=row.error_code,
                error_message=row.error_message,
                bills=list(row.bills or []),
                created_at=row.created_at,
            )
            for row, source_id in found
        ]
