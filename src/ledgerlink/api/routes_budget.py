"""A connection's Xero budget: the calls left this minute and today, its app's tier, the reserve
kept for pulls and people's changes, and when the day starts again (``sync.budgets``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.store import connections as conns

router = APIRouter(tags=["connections"], responses=ERROR_RESPONSES)


class BudgetOut(BaseModel):
    connection_id: str
    tier: str = Field(description="The Xero app's pricing tier (starter: 1,000 calls a day).")
    minute_limit: int = Field(description="Calls a minute ledgerlink allows itself.")
    minute_left: int
    day_limit: int = Field(description="Xero's calls a day for the organisation.")
    day_used: int
    day_left: int = Field(description="Calls left today, the reserve included.")
    reserve: int = Field(description="Calls a day kept for pulls and a person's changes.")
    background_left: int = Field(description="Calls left today for background sends.")
    in_flight: int
    concurrent: int
    resets_at: datetime | None = Field(
        description="When the day's count starts again; null: no call made this day."
    )
    blocked_until: datetime | None = Field(
        description="Xero asked for a pause (a 429) until then; null: no pause."
    )
    xero_day_remaining: int | None = Field(
        description="What Xero's last reply said remains today (X-DayLimit-Remaining)."
    )


@router.get("/{connection_id}/budget", response_model=BudgetOut)
def get_budget(request: Request, workspace_id: WorkspaceId, connection_id: str) -> BudgetOut:
    """The connection's Xero calls left: a wait for budget holds documents, never fails them."""
    engine = services(request)
    with engine.factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
    (budget,) = engine.budgets_left([connection_id])
    fields = {name: getattr(budget, name) for name in BudgetOut.model_fields}
    return BudgetOut(**fields)
