"""When a connection's documents may go: at once, or when its schedule fires.

A connection in ``immediate`` mode sends a document as soon as it is queued. In ``scheduled``
mode (the inventory app's "Schedule" tab: sync at set times to spare Xero's daily call limit)
a queued document waits for the next time its cron schedule fires, in UTC; everything queued
meanwhile goes together then, in as few calls as batching allows. "Sync now" (a job started on
demand) and a person's retry do not wait for the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cronsim import CronSim, CronSimError

IMMEDIATE = "immediate"
SCHEDULED = "scheduled"
MODES = (IMMEDIATE, SCHEDULED)


def check(expression: str) -> str:
    """The cron expression, trimmed; ValueError naming the problem when cron cannot read it."""
    text = " ".join(expression.split())
    try:
        CronSim(text, datetime(2026, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise ValueError(
            f"schedule must be a cron expression of five fields, e.g. '0 2 * * *' for 02:00 "
            f"UTC every day ({exc})"
        ) from exc
    return text


def next_fire(expression: str, after: datetime) -> datetime:
    """The first time the schedule fires after ``after`` (UTC)."""
    moment = after.astimezone(UTC).replace(microsecond=0)
    return next(iter(CronSim(expression, moment)))


def due_at(settings: Mapping[str, Any], now: datetime) -> datetime:
    """When a document queued now may be sent, under the connection's settings."""
    if settings.get("mode") == SCHEDULED and settings.get("schedule"):
        return next_fire(str(settings["schedule"]), now)
    return now
