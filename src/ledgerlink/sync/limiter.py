"""One rate limiter for every worker process, kept in the database (table ``rate_buckets``).

Xero counts calls per organisation (60 a minute, 5,000 a day, 5 at once) and per app (10,000 a
minute), in fixed windows that start at a moment we cannot see. A 429 is a defect of this
limiter, so it stays strictly inside the limits:

- minute budgets (per tenant and per app) use GCRA with no burst: calls are spaced by
  ``window / (limit - margin)``, so any window of that length, wherever Xero starts it, holds
  at most ``limit - margin`` of our calls. The margin absorbs clock skew between processes and
  the time between taking a slot and the request reaching Xero;
- the day budget is a fixed-window counter, pulled up to Xero's own count whenever a reply's
  ``X-DayLimit-Remaining`` says fewer calls remain than we think;
- concurrency is a set of slot rows; a slot held longer than ``slot_ttl_seconds`` (a worker
  killed mid-call) is free again;
- a 429's ``Retry-After`` blocks the tenant (or the whole app for ``appminute``) until then.

Every decision is one short transaction over the rows involved: ``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite the transaction opens with a write, which takes the database's write lock
at once (a read-then-write transaction would fail with "database is locked" under contention).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import positive_from_env
from ledgerlink.store.models import RateBucket
from ledgerlink.xero.errors import XeroBudgetExhausted

log = logging.getLogger(__name__)


ENV_LIMITS: tuple[tuple[str, str, type[int] | type[float]], ...] = (
    ("MINUTE_LIMIT", "per_minute", int),
    ("DAY_LIMIT", "per_day", int),
    ("CONCURRENT_LIMIT", "concurrent", int),
    ("APP_MINUTE_LIMIT", "app_per_minute", int),
    ("MINUTE_SECONDS", "minute_seconds", float),
)


@dataclass(frozen=True)
class XeroLimits:
    """Xero's published limits (fact sheet section 2) and how far under them to stay."""

    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    app_per_minute: int = 10000
    minute_seconds: float = 60.0
    day_seconds: float = 86400.0
    minute_margin: int = 2
    day_margin: int = 10
    app_margin_ratio: float = 0.01
    slot_ttl_seconds: float = 90.0
    slot_poll_seconds: float = 0.05

    @classmethod
    def from_env(cls) -> XeroLimits:
        """Xero's limits, or what the environment says (a higher app tier; a compressed test).

        ``LEDGERLINK_XERO_MINUTE_LIMIT``, ``_DAY_LIMIT``, ``_CONCURRENT_LIMIT``,
        ``_APP_MINUTE_LIMIT`` and ``_MINUTE_SECONDS`` (the length of Xero's "minute", only ever
        shortened to run against a sandbox whose minute is compressed the same way).
        """
        base = cls()
        changes: dict[str, float] = {}
        for name, attr, kind in ENV_LIMITS:
            value = positive_from_env(f"LEDGERLINK_XERO_{name}", kind)
            if value is not None:
                changes[attr] = value
        return cls(**{**base.__dict__, **changes})

    @property
    def minute_rate(self) -> int:
        return max(1, self.per_minute - self.minute_margin)

    @property
    def app_rate(self) -> int:
        margin = max(self.minute_margin, math.ceil(self.app_per_minute * self.app_margin_ratio))
        return max(1, self.app_per_minute - margin)

    @property
    def day_budget(self) -> int:
        return max(1, self.per_day - self.day_margin)

    @property
    def minute_interval(self) -> float:
        return self.minute_seconds / self.minute_rate

    @property
    def app_interval(self) -> float:
        return self.minute_seconds / self.app_rate


@dataclass
class Slot:
    """Permission for one call; hold it for the whole call and release it after."""

    limiter: Limiter
    tenant_id: str
    key: str
    generation: int
    released: bool = field(default=False)

    def release(self, headers: Mapping[str, str] | None = None) -> None:
        """Give the concurrency slot back, reading Xero's remaining-calls headers if given."""
        if self.released:
            return
        self.released = True
        self.limiter._finish(self, headers)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


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
        self._known: set[str] = set()

    # keys -------------------------------------------------------------------------------

    def _minute_key(self, tenant_id: str) -> str:
        return f"tenant-min:{tenant_id}"

    def _day_key(self, tenant_id: str) -> str:
        return f"tenant-day:{tenant_id}"

    def _app_key(self) -> str:
        return f"app-min:{self.client_id}"

    def _slot_keys(self, tenant_id: str) -> list[str]:
        return [f"tenant-conc:{tenant_id}:{n}" for n in range(self.limits.concurrent)]

    def _lock(self, session: Session, keys: list[str]) -> dict[str, RateBucket]:
        """Create missing rows and lock all of them for this transaction, in key order."""
        keys = sorted(set(keys))
        dialect = session.get_bind().dialect.name
        missing = [k for k in keys if k not in self._known]
        if missing or dialect == "sqlite":
            rows = [{"key": k} for k in (missing or keys[:1])]
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            session.execute(insert(RateBucket).values(rows).on_conflict_do_nothing())
            self._known.update(missing)
        query = select(RateBucket).where(RateBucket.key.in_(keys)).order_by(RateBucket.key)
        found = {row.key: row for row in session.scalars(query.with_for_update())}
        if len(found) < len(keys):
            # Rows deleted behind our back (a reset): forget what we knew and create them.
            self._known.clear()
            return self._lock(session, keys)
        return found

    # acquiring --------------------------------------------------------------------------

    def try_acquire(self, tenant_id: str) -> Slot | float:
        """A slot now, or how many seconds to wait before asking again (nothing is taken)."""
        lim = self.limits
        minute_key, day_key, app_key = (
            self._minute_key(tenant_id),
            self._day_key(tenant_id),
            self._app_key(),
        )
        slot_keys = self._slot_keys(tenant_id)
        with self.session_factory() as session, session.begin():
            rows = self._lock(session, [minute_key, day_key, app_key, *slot_keys])
            now = self.clock()
            minute, day, app = rows[minute_key], rows[day_key], rows[app_key]
            delays = [row.blocked_until - now for row in (minute, day, app)]
            minute_tat = max(minute.tat, now)
            app_tat = max(app.tat, now)
            delays += [minute_tat - now, app_tat - now]
            day_start, day_count = day.window_start, day.count
            if now >= day_start + lim.day_seconds:
                day_start, day_count = now, 0
            if day_count >= lim.day_budget:
                delays.append(day_start + lim.day_seconds - now)
            slots = [rows[k] for k in slot_keys]
            free = [s for s in slots if s.tat <= now]
            if not free:
                soonest = min(s.tat for s in slots) - now
                delays.append(min(soonest, lim.slot_poll_seconds))
            wait = max(delays)
            if wait > 0:
                return wait
            minute.tat = minute_tat + lim.minute_interval
            app.tat = app_tat + lim.app_interval
            day.window_start, day.count = day_start, day_count + 1
            chosen = free[0]
            chosen.tat = now + lim.slot_ttl_seconds
            chosen.count += 1
            return Slot(self, tenant_id, chosen.key, chosen.count)

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> Slot:
        """Wait (with the injected sleep) until a call to this tenant is allowed.

        With ``max_wait``, give up by raising XeroBudgetExhausted as soon as the wait is known
        to be longer, so a caller facing the day limit reschedules instead of blocking.
        """
        waited = 0.0
        while True:
            result = self.try_acquire(tenant_id)
            if isinstance(result, Slot):
                return result
            if max_wait is not None and waited + result > max_wait:
                raise XeroBudgetExhausted(tenant_id, result)
            self.sleep(result)
            waited += result

    # learning from Xero -----------------------------------------------------------------

    def observe(self, tenant_id: str, headers: Mapping[str, str]) -> None:
        """Tighten our view when Xero's remaining-calls headers say fewer calls are left."""
        with self.session_factory() as session, session.begin():
            rows = self._lock(session, self._observed_keys(tenant_id))
            self._observe(rows, tenant_id, headers)

    def _observed_keys(self, tenant_id: str) -> list[str]:
        return [self._minute_key(tenant_id), self._day_key(tenant_id), self._app_key()]

    def _observe(
        self, rows: dict[str, RateBucket], tenant_id: str, headers: Mapping[str, str]
    ) -> None:
        lim = self.limits
        minute, day, app = (rows[k] for k in self._observed_keys(tenant_id))
        now = self.clock()
        minute_left = _header_int(headers, "X-MinLimit-Remaining")
        day_left = _header_int(headers, "X-DayLimit-Remaining")
        app_left = _header_int(headers, "X-AppMinLimit-Remaining")
        # Our own calls never take Xero's minute count below the margin; fewer left means calls
        # we did not make (another app, a skewed clock), and as Xero's window end is unknown,
        # assume the worst: that it has just begun.
        if minute_left is not None:
            minute.remaining_hint = minute_left
            if minute_left < lim.minute_margin:
                hold = now + lim.minute_seconds - minute_left * lim.minute_interval
                minute.tat = max(minute.tat, hold)
        if app_left is not None:
            app.remaining_hint = app_left
            if app_left < lim.app_per_minute - lim.app_rate:
                hold = now + lim.minute_seconds - app_left * lim.app_interval
                app.tat = max(app.tat, hold)
        if day_left is not None:
            day.remaining_hint = day_left
            if now >= day.window_start + lim.day_seconds:
                day.window_start, day.count = now, 0
            used = lim.per_day - day_left
            if used > day.count:
                log.info("Xero counts %d calls today for %s, we %d", used, tenant_id, day.count)
                day.count = used

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None:
        """Honour a 429: nothing for this tenant (or app, for ``appminute``) until Retry-After."""
        lim = self.limits
        kind = (problem or "minute").strip().lower()
        if kind in ("appminute", "app"):
            key = self._app_key()
        elif kind in ("day", "daily"):
            key = self._day_key(tenant_id)
        else:
            key = self._minute_key(tenant_id)
        if retry_after is None:
            # Concurrent-limit 429s carry no Retry-After: back off one call's spacing.
            retry_after = lim.minute_interval if kind == "concurrent" else lim.minute_seconds
        with self.session_factory() as session, session.begin():
            row = self._lock(session, [key])[key]
            until = self.clock() + max(0.0, retry_after)
            row.blocked_until = max(row.blocked_until, until)
        log.warning("Xero 429 (%s) for %s: waiting %.1f s", kind, tenant_id, retry_after)

    def _finish(self, slot: Slot, headers: Mapping[str, str] | None) -> None:
        """Release the slot (only if it is still ours) and read the headers, in one step."""
        keys = [slot.key]
        if headers is not None:
            keys += self._observed_keys(slot.tenant_id)
        with self.session_factory() as session, session.begin():
            rows = self._lock(session, keys)
            held = rows[slot.key]
            if held.count == slot.generation:
                held.tat = 0.0
            if headers is not None:
                self._observe(rows, slot.tenant_id, headers)
