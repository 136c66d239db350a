"""A connection's reconciliation report over REST (``sync.reconcile``): it reads Xero, so a
person may wait on it; its calls go through the shared limiter like any worker's."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services

router = APIRouter(tags=["connections"], responses=ERROR_RESPONSES)


class EntryOut(BaseModel):
    category: str = Field(description="missing_in_xero, unknown_to_source or differ.")
    kind: str
    source_id: str | None = Field(description="null: the record is unknown to the source.")
    xero_id: str | None = Field(description="null: the document never reached Xero.")
    xero_number: str | None
    xero_status: str | None
    source_status: str | None
    xero_amount: str | None = Field(description="Xero's total (a payment's amount).")
    source_amount: str | None = Field(description="The total Xero would show for the source's.")
    date: str | None
    explanation: str = Field(description="One sentence saying what differs.")


class ReconciliationOut(BaseModel):
    connection_id: str
    from_: str = Field(alias="from")
    to: str
    kinds: list[str]
    calls: int = Field(description="The Xero calls the report took.")
    counts: dict[str, dict[str, int]] = Field(description="Entries per kind and category.")
    entries: list[EntryOut]


@router.get(
    "/{connection_id}/reconciliation",
    response_model=ReconciliationOut,
    response_model_by_alias=True,
)
def get_reconciliation(
    request: Request,
    workspace_id: WorkspaceId,
    connection_id: str,
    from_: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD.")],
    to: Annotated[date, Query(description="Last day, YYYY-MM-DD, on or after from.")],
    kind: Annotated[str | None, Query(description="One kind only (default: every kind).")] = None,
) -> ReconciliationOut:
    """The connection's documents dated from..to against Xero's: missing in Xero, in Xero but
    unknown to the source, and linked but different (status or total). Reads Xero only."""
    report = services(request).reconcile(workspace_id, connection_id, from_, to, kind)
    return ReconciliationOut.model_validate(report.as_dict())
