"""One rate limiter for every worker thread and process, kept in the database (``rate_buckets``).

Xero counts calls per organisation and app (60 a minute, 5,000 a day, or 1,000 on the Starter
tier, 5 at once) and per app (10,000 a minute), in fixed windows that start at a moment we cannot
see. A 429 is a defect of this limiter, so it stays strictly inside the limits:

- minute budgets (per organisation and per app, the app's shared by all its organisations) use
  GCRA with no burst: calls are spaced by ``window / (limit - margin)``, so any window of that
  length, wherever Xero starts it, holds at most ``limit - margin`` of our calls. The margin
  absorbs clock skew between processes and the time between taking a call and it reaching Xero;
- the day budget is a fixed-window counter, pulled up to Xero's own count whenever a reply's
  ``X-DayLimit-Remaining`` says fewer calls remain than we think. Part of it (the reserve) is
  kept for reads and a person's changes; background sends stop short of it and, when paced,
  spread what is left over the rest of the window (``sync.budgets`` says why and how);
- concurrency is a count of calls in flight with an expiry: when no call was taken for
  ``slot_ttl_seconds`` the count is stale (its workers were killed mid-call) and starts again
  from zero; a slot handed out before that carries the old epoch, and its late release is
  ignored so it cannot free a place someone else holds;
- a 429's ``Retry-After`` blocks the organisation (or, for ``appminute``, the whole app).

Taking a call is one atomic statement, and so is giving it back with Xero's headers
(``sync.rate_sql``); only a refused call costs a second, unlocked read to say how long to wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.models import RateBucket
from ledgerlink.sync import rate_sql
from ledgerlink.sync.limits import (
    BACKGROUND,
    CHANGE,
    DEFAULT_TIER,
    PULL,
    PURPOSES,
    TIER_DAY_LIMITS,
    XeroLimits,
    tier_day_limit,
)
from ledgerlink.xero.errors import XeroBudgetExhausted

log = logging.getLogger(__name__)

__all__ = [
    "BACKGROUND",
    "CHANGE",
    "DEFAULT_TIER",
    "PULL",
    "PURPOSES",
    "TIER_DAY_LIMITS",
    "Limiter",
    "PurposeLimiter",
    "Slot",
    "XeroLimits",
    "tier_day_limit",
]


@dataclass
class Slot:
    """Permission for one call; hold it for the whole call and release it after."""

    limiter: Limiter
    tenant_id: str
    epoch: int
    released: bool = field(default=False)

    def release(self, headers: Mapping[str, str] | None = None) -> None:
        """Give the concurrency slot back, reading Xero's remaining-calls headers if given."""
        if self.released:
            return
        self.released = True
        self.limiter._finish(self.tenant_id, self.epoch, headers)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class Refusal:
    """Why a call may not go yet, and for how long (``reason``: the limit that said no)."""

    wait: float
    reason: str
    resets_at: float | None = None


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def tenant_key(tenant_id: str) -> str:
    return f"tenant:{tenant_id}"


def _bind_of(factory: sessionmaker[Session]) -> Engine | Connection:
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine | Connection):
        return bind
    with factory() as session:
        found = session.get_bind()
    assert isinstance(found, Engine)
    return found


@contextmanager
def _statement(bind: Engine | Connection) -> Iterator[Connection]:
    """A transaction of its own, or a savepoint in a caller's (a connect holding SQLite's
    write lock hands the limiter its connection: ``sync.oauth``)."""
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield bind
        return
    with bind.begin() as conn:
        yield conn


class Limiter:
    """Xero's rate limits shared by every process through ``session_factory``'s database."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client_id: str,
        limits: XeroLimits | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session_factory = session_factory
        self.client_id = client_id
        self.limits = limits or XeroLimits()
        self.clock = clock
        self.sleep = sleep
        self.bind = _bind_of(session_factory)
        self.dialect = self.bind.dialect.name

    # keys -------------------------------------------------------------------------------

    def tenant_key(self, tenant_id: str) -> str:
        """The organisation's row, whichever app calls it: every caller of an organisation
        then counts in one place (the worker's limiter and a route's may be built for
        different apps), which can only keep us further under Xero's per-app count."""
        return tenant_key(tenant_id)

    def app_key(self) -> str:
        return f"app:{self.client_id}"

    def with_limits(self, limits: XeroLimits) -> Limiter:
        """This limiter (same database, app and clock) with other limits: another app tier."""
        return Limiter(self.session_factory, self.client_id, limits, self.clock, self.sleep)

    def for_purpose(self, purpose: str, backlog: int | None = None) -> PurposeLimiter:
        """This limiter for calls made for ``purpose`` (``BACKGROUND``, ``PULL``, ``CHANGE``);
        ``backlog``: the calls the queued work is expected to need. Background calls are
        spread over the day only when it is more than the day has left for them; unknown
        (None), they go at the minute's pace and stop at the reserve."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
        return PurposeLimiter(self, purpose, backlog)

    # acquiring --------------------------------------------------------------------------

    def try_acquire(
        self, tenant_id: str, purpose: str = CHANGE, backlog: int | None = None
    ) -> Slot | float:
        """A slot now, or how many seconds to wait before asking again (nothing is taken)."""
        result = self._attempt(tenant_id, purpose, backlog)
        return result if isinstance(result, Slot) else result.wait

    def _attempt(self, tenant_id: str, purpose: str, backlog: int | None) -> Slot | Refusal:
        lim = self.limits
        background = purpose == BACKGROUND
        params: dict[str, Any] = {
            "tenant": self.tenant_key(tenant_id),
            "app": self.app_key(),
            "day": lim.day_seconds,
            "concurrent": lim.concurrent,
            "cap": lim.background_budget if background else lim.day_budget,
            "burst": lim.pace_burst,
            "spread": float(lim.background_budget),
            "minute_interval": lim.minute_interval,
            "app_interval": lim.app_interval,
            "slot_ttl": lim.slot_ttl_seconds,
            "per_day": lim.per_day,
            "pace": int(background),
            "backlog": -1 if backlog is None else backlog,
        }
        for _ in range(3):
            now = self.clock()
            params["now"] = now
            with _statement(self.bind) as conn:
                taken = conn.execute(rate_sql.take(self.dialect), params).all()
                epoch = next((int(e) for k, e in taken if k == params["tenant"]), None)
                if epoch is not None:
                    return Slot(self, tenant_id, epoch)
                refusal = self._refusal(conn, params, now)
            if refusal is not None:
                return refusal
        return Refusal(lim.slot_poll_seconds, "busy")

    def _refusal(self, conn: Connection, params: dict[str, Any], now: float) -> Refusal | None:
        """How long until the refused call may go (None: it may go now, ask again)."""
        rows = {r["key"]: r for r in conn.execute(rate_sql.READ, params).mappings()}
        tenant, app = rows.get(params["tenant"]), rows.get(params["app"])
        if tenant is None or app is None:
            self._create(conn, [params["tenant"], params["app"]])
            return None
        lim = self.limits
        waits: list[Refusal] = [
            Refusal(tenant["blocked_until"] - now, "blocked"),
            Refusal(app["blocked_until"] - now, "app_blocked"),
            Refusal(tenant["tat"] - now, "minute"),
            Refusal(app["tat"] - now, "app_minute"),
        ]
        day_start, used = tenant["window_start"], tenant["count"]
        if now >= day_start + lim.day_seconds:
            day_start, used = now, 0
        resets = day_start + lim.day_seconds
        if used >= params["cap"]:
            reason = "reserve" if params["cap"] < lim.day_budget else "day"
            waits.append(Refusal(resets - now, reason, resets))
        elif params["pace"] and params["backlog"] > params["cap"] - used:
            spacing = lim.day_seconds / params["spread"]
            allowed_at = day_start + (used - lim.pace_burst + 1) * spacing
            waits.append(Refusal(allowed_at - now, "paced", resets))
        if now < tenant["in_flight_until"] and tenant["in_flight"] >= lim.concurrent:
            soonest = min(tenant["in_flight_until"] - now, lim.slot_poll_seconds)
            waits.append(Refusal(soonest, "concurrent"))
        longest = max(waits, key=lambda r: r.wait)
        return longest if longest.wait > 0 else None

    def _create(self, conn: Connection, keys: list[str]) -> None:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        rows = [{"key": k, "tat": 0.0, "count": 0, "window_start": 0.0} for k in keys]
        conn.execute(insert(RateBucket).values(rows).on_conflict_do_nothing())

    def acquire(
        self,
        tenant_id: str,
        max_wait: float | None = None,
        purpose: str = CHANGE,
        backlog: int | None = None,
    ) -> Slot:
        """Wait (with the injected sleep) until a call to this tenant is allowed.

        With ``max_wait``, give up by raising XeroBudgetExhausted as soon as the wait is known
        to be longer, so a caller facing the day limit reschedules instead of blocking.
        """
        waited = 0.0
        while True:
            result = self._attempt(tenant_id, purpose, backlog)
            if isinstance(result, Slot):
                return result
            if max_wait is not None and waited + result.wait > max_wait:
                raise XeroBudgetExhausted(
                    tenant_id, result.wait, reason=result.reason, resets_at=result.resets_at
                )
            self.sleep(result.wait)
            waited += result.wait

    # learning from Xero -----------------------------------------------------------------

    def observe(self, tenant_id: str, headers: Mapping[str, str]) -> None:
        """Tighten our view when Xero's remaining-calls headers say fewer calls are left."""
        self._finish(tenant_id, -1, headers)

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None:
        """Honour a 429: nothing for this tenant (or app, for ``appminute``) until Retry-After."""
        lim = self.limits
        kind = (problem or "minute").strip().lower()
        key = self.app_key() if kind in ("appminute", "app") else self.tenant_key(tenant_id)
        if retry_after is None:
            # Concurrent-limit 429s carry no Retry-After: back off one call's spacing.
            retry_after = lim.minute_interval if kind == "concurrent" else lim.minute_seconds
        params = {"key": key, "until": self.clock() + max(0.0, retry_after)}
        with _statement(self.bind) as conn:
            if conn.execute(rate_sql.block(self.dialect), params).rowcount == 0:
                self._create(conn, [key])
                conn.execute(rate_sql.block(self.dialect), params)
        log.warning("Xero 429 (%s) for %s: waiting %.1f s", kind, tenant_id, retry_after)

    def _finish(self, tenant_id: str, epoch: int, headers: Mapping[str, str] | None) -> None:
        """Give the slot of ``epoch`` back (-1: none) and read the headers, in one statement."""
        lim = self.limits
        now = self.clock()
        headers = headers or {}
        minute_left = _header_int(headers, "X-MinLimit-Remaining")
        day_left = _header_int(headers, "X-DayLimit-Remaining")
        app_left = _header_int(headers, "X-AppMinLimit-Remaining")
        # Our own calls never take Xero's minute count below the margin; fewer left means calls
        # we did not make (another app, a skewed clock), and as Xero's window end is unknown,
        # assume the worst: that it has just begun.
        minute_hold = app_hold = 0.0
        if minute_left is not None and minute_left < lim.minute_margin:
            minute_hold = now + lim.minute_seconds - minute_left * lim.minute_interval
        if app_left is not None and app_left < lim.app_per_minute - lim.app_rate:
            app_hold = now + lim.minute_seconds - app_left * lim.app_interval
        params = {
            "tenant": self.tenant_key(tenant_id),
            "app": self.app_key(),
            "epoch": epoch,
            "now": now,
            "day": lim.day_seconds,
            "minute_hold": minute_hold,
            "app_hold": app_hold,
            "used": -1 if day_left is None else max(0, lim.per_day - day_left),
            "day_left": -1 if day_left is None else day_left,
            "app_left": -1 if app_left is None else app_left,
        }
        with _statement(self.bind) as conn:
            conn.execute(rate_sql.release(self.dialect, app_hold > 0), params)


@dataclass(frozen=True)
class PurposeLimiter:
    """The limiter as seen by calls made for one purpose: what ``XeroClient`` is given, so the
    purpose reaches the limiter without the client knowing it."""

    limiter: Limiter
    purpose: str
    backlog: int | None = None

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> Slot:
        return self.limiter.acquire(tenant_id, max_wait, self.purpose, self.backlog)

    def try_acquire(self, tenant_id: str) -> Slot | float:
        return self.limiter.try_acquire(tenant_id, self.purpose, self.backlog)

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None:
        self.limiter.penalise(tenant_id, retry_after, problem)

    def observe(self, tenant_id: str, headers: Mapping[str, str]) -> None:
        self.limiter.observe(tenant_id, headers)

    def for_purpose(self, purpose: str, backlog: int | None = None) -> PurposeLimiter:
        return self.limiter.for_purpose(purpose, backlog)
