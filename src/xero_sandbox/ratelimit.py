"""Xero's rate limits: per organisation per minute, per day and concurrent; per app per minute.

Windows are fixed and start at the first call in them, so each tenant's minute resets at its own
time, as Xero's do. Every API response carries the remaining-calls headers; a refused call gets a
429 with ``Retry-After`` and ``X-Rate-Limit-Problem``.
"""

from __future__ import annotations

import math
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
    tenant_id: str
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            held = self.limiter.in_flight.get(self.tenant_id, 0)
            self.limiter.in_flight[self.tenant_id] = max(held - 1, 0)


@dataclass
class RateLimiter:
    limits: Limits
    tenant_minute: dict[str, _Window] = field(default_factory=dict)
    tenant_day: dict[str, _Window] = field(default_factory=dict)
    app_minute: dict[str, _Window] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def _windows(self, client_id: str, tenant_id: str) -> tuple[_Window, _Window, _Window]:
        lim = self.limits
        minute = self.tenant_minute.setdefault(
            tenant_id, _Window(lim.minute_seconds, lim.tenant_per_minute)
        )
        day = self.tenant_day.setdefault(tenant_id, _Window(lim.day_seconds, lim.tenant_per_day))
        app = self.app_minute.setdefault(client_id, _Window(lim.minute_seconds, lim.app_per_minute))
        return minute, day, app

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
            elif self.in_flight.get(tenant_id, 0) >= self.limits.tenant_concurrent:
                problem = ("concurrent", None)
            if problem is not None:
                self.refused[problem[0]] = self.refused.get(problem[0], 0) + 1
                raise RateLimited(problem[0], problem[1], self.headers(client_id, tenant_id, now))
        for window in (minute, day, app):
            window.used += 1
        self.in_flight[tenant_id] = self.in_flight.get(tenant_id, 0) + 1
        self.calls[tenant_id] = self.calls.get(tenant_id, 0) + 1
        return Ticket(self, tenant_id)

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

    def stats(self) -> dict[str, object]:
        return {
            "calls": dict(self.calls),
            "refused": dict(self.refused),
            "refused_total": sum(self.refused.values()),
            "in_flight": {k: v for k, v in self.in_flight.items() if v},
        }
