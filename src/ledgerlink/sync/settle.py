"""What becomes of a queue item after an attempt, in words a person reads on the queue page.

Every state change of an item goes through ``settle``, so the rules hold everywhere: an error
is always a code, a sentence and a field; a retry backs off and counts the attempt only when the
document or its request was at fault: waiting on Xero (down, a lost reply, a 429) counts a
*wait*, which grows the back-off and never uses up attempts, so an outage of any length ends
nothing in ``failed``. After the last attempt the item is ``failed`` with the last error, still
visible and retryable by a person; and an item keeps its intent while that intent may have
reached Xero, so it is resolved before anything is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import QueueItem
from ledgerlink.sync.jobs import JobTally

KEEP = "keep"


@dataclass(frozen=True)
class Policy:
    """How often and how patiently a failing item is tried again."""

    max_attempts: int = 8
    backoff_seconds: float = 5.0
    backoff_max_seconds: float = 900.0

    def backoff(self, attempts: int) -> float:
        return min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Outcome:
    """``state``: done | needs_attention | queued | superseded (failed is decided here)."""

    state: str
    error: LedgerlinkError | None = None
    delay: float | None = None
    count_attempt: bool = False
    intent_id: str | None = KEEP
    note: str = ""
    count_wait: bool = False


def done(note: str = "") -> Outcome:
    return Outcome("done", note=note)


def hold(error: LedgerlinkError) -> Outcome:
    return Outcome("needs_attention", error=error)


def retry(
    error: LedgerlinkError | None,
    *,
    delay: float | None = None,
    count: bool = True,
    intent_id: str | None = KEEP,
) -> Outcome:
    return Outcome("queued", error=error, delay=delay, count_attempt=count, intent_id=intent_id)


def wait(
    error: LedgerlinkError, *, delay: float | None = None, intent_id: str | None = KEEP
) -> Outcome:
    """Xero could not be reached or asked us to wait: back off (growing), spend no attempt."""
    return Outcome("queued", error=error, delay=delay, intent_id=intent_id, count_wait=True)


def superseded() -> Outcome:
    return Outcome("superseded", note="a newer version replaced it")


def apply(row: QueueItem, outcome: Outcome, now: datetime, policy: Policy, tally: JobTally) -> None:
    """Write one outcome on a loaded queue row (in the caller's transaction)."""
    state = outcome.state
    if outcome.intent_id != KEEP:
        row.intent_id = outcome.intent_id
    if outcome.count_attempt:
        row.attempts += 1
    if outcome.count_wait:
        row.waits = (row.waits or 0) + 1
    if outcome.error is not None:
        row.error_code = outcome.error.code
        row.error_message = outcome.error.message[:4000]
        row.error_field = outcome.error.field
    elif state in ("done", "superseded"):
        row.error_code = row.error_message = row.error_field = None
    if state == "queued":
        if outcome.count_attempt and row.attempts >= policy.max_attempts:
            state = "failed"
            tally.add("failed")
        else:
            delay = outcome.delay
            if delay is None and outcome.count_wait:
                delay = policy.backoff(row.waits)
            elif delay is None:
                delay = policy.backoff(row.attempts) if outcome.count_attempt else 0.0
            row.not_before = now + timedelta(seconds=max(0.0, delay))
            tally.add("retrying")
    elif state == "done":
        tally.add("synced" if outcome.note != "unchanged" else "unchanged")
    elif state == "needs_attention":
        tally.add("held")
    row.state = state
    row.updated_at = now
    if row.job_id is None:
        row.job_id = tally.job_id
    if outcome.note and state != "done":
        tally.note(now, f"{row.document_id}: {outcome.note}")
    elif outcome.error is not None and state != "queued":
        tally.note(now, f"{row.document_id}: {outcome.error.code} {outcome.error.message[:200]}")


def settle(
    session: Session,
    outcomes: Iterable[tuple[str, Outcome]],
    now: datetime,
    policy: Policy,
    tally: JobTally,
) -> None:
    """Apply outcomes by item id, in one query for the rows."""
    chosen = dict(outcomes)
    if not chosen:
        return
    ids = list(chosen)
    for start in range(0, len(ids), 500):
        query = select(QueueItem).where(QueueItem.id.in_(ids[start : start + 500]))
        for row in session.scalars(query):
            apply(row, chosen[row.id], now, policy, tally)
