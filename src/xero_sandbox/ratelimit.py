"""Xero's rate limits: per organisation connection per minute, per day and concurrent; per app
per minute.

Xero's limits are per connection (fact sheet section 2): an app connected to two organisations
has two budgets, and two apps on one organisation have one each. So the minute, day and
concurrent counts are kept per (app, organisation); the day's size is the app's tier's (Starter
1,000, the others 5,000). Windows are fixed and start at the first call in them, so each
connection's minute resets at its own time, as Xero's do. Every API response carries the
remaining-calls headers; a refused call gets a 429 with ``Retry-After`` and
``X-Rate-Limit-Problem``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import PlainTextResponse, Response

from xero_sandbox.config import Limits
from xero_sandbox.errors import XeroError


@dataclass
class _Window:
    length: float
    limit: int
    start: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.start + self.length:
            self.start = now
            self.used = 0

    def remaining(self, now: float) -> int:
        self.roll(now)
        return max(self.limit - self.used, 0)

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.start + self.length - now))


class RateLimited(XeroError):
    status = 429

    def __init__(self, problem: str, retry_after: int | None, headers: dict[str, str]) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after
        self.headers = headers

    def response(self) -> Response:
        headers = dict(self.headers)
        headers["X-Rate-Limit-Problem"] = self.problem
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return PlainTextResponse("Rate Limit Exceeded", 429, headers=headers)


@dataclass
class Ticket:
    """A held concurrent-call slot; released when the call ends."""

    limiter: RateLimiter
    connection: tuple[str, str]
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            held = self.limiter.in_flight.get(self.connection, 0)
            self.limiter.in_flight[self.connection] = max(held - 1, 0)


@dataclass
class RateLimiter:
    """Counts calls per connection, keyed ``(client_id, tenant_id)``.

    ``day_limit`` tells an app's daily limit per connection (its tier decides; the state wires
    it to the registered apps); without it every app gets ``Limits.tenant_per_day``.
    """

    limits: Limits
    day_limit: Callable[[str], int] | None = None
    tenant_minute: dict[tuple[str, str], _Window] = field(default_factory=dict)
    tenant_day: dict[tuple[str, str], _Window] = field(default_factory=dict)
    app_minute: dict[str, _Window] = field(default_factory=dict)
    in_flight: dict[tuple[str, str], int] = field(default_factory=dict)
    # The most calls one organisation had in flight at once (by tenant id), since the reset.
    peak_in_flight: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def _day_size(self, client_id: str) -> int:
        if self.day_limit is None:
            return self.limits.tenant_per_day
        return self.day_limit(client_id)

    def _windows(self, client_id: str, tenant_id: str) -> tuple[_Window, _Window, _Window]:
        lim = self.limits
        key = (client_id, tenant_id)
        minute = self.tenant_minute.get(key)
        if minute is None:
            minute = self.tenant_minute[key] = _Window(lim.minute_seconds, lim.tenant_per_minute)
        day = self.tenant_day.get(key)
        if day is None:
            day = self.tenant_day[key] = _Window(lim.day_seconds, self._day_size(client_id))
        app = self.app_minute.get(client_id)
        if app is None:
            app = self.app_minute[client_id] = _Window(lim.minute_seconds, lim.app_per_minute)
        return minute, day, app

    def retier(self, client_id: str) -> None:
        """The app's tier changed: its connections' running days take the new size and keep
        what they have used."""
        size = self._day_size(client_id)
        for (owner, _), window in self.tenant_day.items():
            if owner == client_id:
                window.limit = size

    def headers(self, client_id: str, tenant_id: str, now: float) -> dict[str, str]:
        """Xero's remaining-calls headers. With the limits switched off (a test's choice, not
        Xero's) there is no budget to report: a client that trusted a count against limits
        nobody enforces would wait for nothing."""
        if not self.limits.enabled:
            return {}
        minute, day, app = self._windows(client_id, tenant_id)
        return {
            "X-DayLimit-Remaining": str(day.remaining(now)),
            "X-MinLimit-Remaining": str(minute.remaining(now)),
            "X-AppMinLimit-Remaining": str(app.remaining(now)),
        }

    def acquire(self, client_id: str, tenant_id: str, now: float) -> Ticket:
        """Count one call, or raise RateLimited naming the limit it would break."""
        minute, day, app = self._windows(client_id, tenant_id)
        if self.limits.enabled:
            problem: tuple[str, int | None] | None = None
            if app.remaining(now) <= 0:
                problem = ("appminute", app.retry_after(now))
            elif day.remaining(now) <= 0:
                problem = ("day", day.retry_after(now))
            elif minute.remaining(now) <= 0:
                problem = ("minute", minute.retry_after(now))
            elif self.in_flight.get((client_id, tenant_id), 0) >= self.limits.tenant_concurrent:
                problem = ("concurrent", None)
            if problem is not None:
                self.refused[problem[0]] = self.refused.get(problem[0], 0) + 1
                raise RateLimited(problem[0], problem[1], self.headers(client_id, tenant_id, now))
        for window in (minute, day, app):
            window.used += 1
        key = (client_id, tenant_id)
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        peak = self.peak_in_flight.get(tenant_id, 0)
        self.peak_in_flight[tenant_id] = max(peak, self.in_flight[key])
        self.calls[tenant_id] = self.calls.get(tenant_id, 0) + 1
        return Ticket(self, key)

    def burst(self, problem: str, client_id: str, tenant_id: str, now: float) -> RateLimited:
        """A 429 on demand (the faults feature), shaped as a real one of the same kind."""
        minute, day, app = self._windows(client_id, tenant_id)
        retry_after: int | None
        if problem == "concurrent":
            retry_after = None
        else:
            window = {"day": day, "appminute": app}.get(problem, minute)
            window.roll(now)
            retry_after = window.retry_after(now)
        self.refused[problem] = self.refused.get(problem, 0) + 1
        return RateLimited(problem, retry_after, self.headers(client_id, tenant_id, now))

    def reset_windows(self) -> None:
        """Start every window afresh (after the limits change, windows take the new sizes).

        Calls in flight stay counted: they are still running and release their slot when done.
        """
        self.tenant_minute.clear()
        self.tenant_day.clear()
        self.app_minute.clear()

    def reset(self) -> None:
        self.reset_windows()
        self.refused.clear()
        self.calls.clear()
        self.peak_in_flight.clear()

    def stats(self) -> dict[str, object]:
        """Calls made and calls in flight by organisation (tenant id), refusals by problem."""
        busy: dict[str, int] = {}
        for (_, tenant_id), held in self.in_flight.items():
            if held:
                busy[tenant_id] = busy.get(tenant_id, 0) + held
        return {
            "calls": dict(self.calls),
            "refused": dict(self.refused),
            "refused_total": sum(self.refused.values()),
            "in_flight": busy,
            "peak_in_flight": dict(self.peak_in_flight),
        }
