"""Each organisation's Xero budget: the app's tier, what is left, and who may spend the rest.

Xero gives each organisation of an app 5,000 calls a day, or 1,000 on the Starter tier (fact
sheet 1.5). The tier is the app's: ``LEDGERLINK_XERO_TIER`` for ledgerlink's own app, the
workspace's record for an app a workspace brought (``workspaces.xero_app_tier``). Xero's own
``X-DayLimit-Remaining`` keeps correcting our count (``sync.limiter``).

Who may spend the last of a day: a backfill of thousands of documents would otherwise spend it
all in its first minutes and leave a person's correction, or "Refresh from Xero", waiting until
tomorrow. So a share of the day (``reserve_ratio``, 10%) is kept for pulls and a person's
changes, and background sends stop short of it; and when the queued work needs more calls than
the background budget has left (the caller says how many: ``Limiter.for_purpose(BACKGROUND,
backlog=...)``), background calls follow a line that spends the budget evenly until the window
resets, after a first burst (``pace_burst``). A wait for the budget never fails a document:
the limiter raises ``XeroBudgetExhausted`` with the time the day resets, and the items wait.

The views here read the limiter's rows as they are (no lock): REST, ``ledgerlink status`` and
``/metrics`` show the same figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.metrics import register_engine_collector
from ledgerlink.store.models import Connection, RateBucket, TokenSet, Workspace
from ledgerlink.sync.limiter import XeroLimits, tenant_key


@dataclass(frozen=True)
class Budget:
    """One connection's calls left, as the limiter sees them now."""

    connection_id: str
    tenant_id: str
    client_id: str | None
    tier: str
    day_limit: int
    day_used: int
    day_left: int
    reserve: int
    background_left: int
    minute_limit: int
    minute_left: int
    in_flight: int
    concurrent: int
    resets_at: datetime | None
    blocked_until: datetime | None
    xero_day_remaining: int | None


def app_tiers(session: Session) -> dict[str, str]:
    """The tier of every app a workspace brought and named the tier of."""
    rows = session.execute(
        select(Workspace.xero_client_id, Workspace.xero_app_tier).where(
            Workspace.xero_client_id.is_not(None), Workspace.xero_app_tier.is_not(None)
        )
    )
    return {str(client): str(tier) for client, tier in rows}


def app_limits(session: Session, base: XeroLimits, client_id: str | None) -> XeroLimits:
    """The limits of ``client_id``'s app: ``base`` (ledgerlink's app, from the environment)
    with the tier its workspace gave, if it is a workspace's own app."""
    if not client_id:
        return base
    tier = session.scalar(
        select(Workspace.xero_app_tier)
        .where(Workspace.xero_client_id == client_id, Workspace.xero_app_tier.is_not(None))
        .limit(1)
    )
    return base.for_tier(tier) if tier else base


def _when(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def budget_of(
    connection: Connection,
    client_id: str | None,
    limits: XeroLimits,
    row: RateBucket | None,
    now: float,
) -> Budget:
    """``connection``'s budget from its limiter row (None: no call made yet)."""
    day_limit = limits.per_day
    used, tat, blocked, held, resets, hint = 0, 0.0, 0.0, 0, None, None
    if row is not None:
        day_limit = row.day_limit or day_limit
        if now < row.window_start + limits.day_seconds:
            used, resets = row.count, row.window_start + limits.day_seconds
        tat, blocked, hint = row.tat, row.blocked_until, row.remaining_hint
        held = row.in_flight if now < row.in_flight_until else 0
    limits = XeroLimits(**{**limits.__dict__, "per_day": day_limit})
    minute_left = limits.minute_rate
    if tat > now:
        minute_left -= math.ceil((tat - now) / limits.minute_interval)
    if blocked > now:
        minute_left = 0
    tier = limits.tier if day_limit == limits.per_day else "custom"
    return Budget(
        connection_id=connection.id,
        tenant_id=connection.tenant_id,
        client_id=client_id,
        tier=tier,
        day_limit=day_limit,
        day_used=used,
        day_left=max(0, limits.day_budget - used),
        reserve=limits.day_reserve,
        background_left=max(0, limits.background_budget - used),
        minute_limit=limits.minute_rate,
        minute_left=max(0, minute_left),
        in_flight=held,
        concurrent=limits.concurrent,
        resets_at=_when(resets),
        blocked_until=_when(blocked) if blocked > now else None,
        xero_day_remaining=hint,
    )


def connection_budgets(
    factory: sessionmaker[Session],
    limits: XeroLimits,
    connection_ids: Sequence[str] | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Budget]:
    """The budgets of these connections (None: every one), read in three queries."""
    with factory() as session:
        query = select(Connection, TokenSet.client_id).outerjoin(
            TokenSet, TokenSet.id == Connection.token_set_id
        )
        if connection_ids is not None:
            query = query.where(Connection.id.in_(connection_ids))
        found = session.execute(query.order_by(Connection.id)).all()
        tiers = app_tiers(session)
        keys = {c.id: tenant_key(c.tenant_id) for c, _ in found}
        rows = {
            r.key: r
            for r in session.scalars(select(RateBucket).where(RateBucket.key.in_(keys.values())))
        }
    now = clock()
    return [
        budget_of(
            connection,
            client,
            limits.for_tier(tiers.get(client or "")),
            rows.get(keys.get(connection.id, "")),
            now,
        )
        for connection, client in found
    ]


class BudgetLeft:
    """``ledgerlink_xero_budget_left{connection_id, window}``: calls each connection may still
    make this minute, this day (reserve included) and this day for background sends."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "ledgerlink_xero_budget_left",
            "Xero calls each connection may still make: this minute, today, and today for "
            "background sends (read from the limiter's rows when scraped).",
            labels=["connection_id", "window"],
        )
        for budget in connection_budgets(self.factory, XeroLimits.from_env()):
            family.add_metric([budget.connection_id, "minute"], budget.minute_left)
            family.add_metric([budget.connection_id, "day"], budget.day_left)
            family.add_metric([budget.connection_id, "day_background"], budget.background_left)
        yield family


register_engine_collector("xero_budget_left", BudgetLeft)
