"""Xero's side of the chaos: the sandbox's limits, the faults it injects and the outage.

The limits are enforced but never reached, on a one-second "minute" (so a 429 burst's
Retry-After is a second; the workers' limiter runs on the same minute, see ``fleet``). The
faults fall at random (seeded in the sandbox) on every write of invoices and contacts, PUT and
POST: 5xx, lost replies, 429 bursts, and replies slower than the lease, which a living worker's
lease heartbeat must outlast. The outage takes the organisation offline once, for a few seconds,
and counts the calls it refused.
"""

from __future__ import annotations

from tests.engine.sync.chaos.plan import ChaosConfig, Record
from tests.engine.sync.conftest import SyncHarness, fast_limits

# Enforced, never reached; 50 concurrent slots so the limiter's slots a killed worker leaves
# held (they free themselves after 90 s) never make the survivors wait.
LIMITS = fast_limits(tenant_concurrent=50, minute_seconds=1.0)


def fault_rules(config: ChaosConfig) -> list[Record]:
    """Probabilistic faults on every write of invoices and contacts (seeded in the sandbox)."""
    kinds: list[tuple[float, Record]] = [
        (0.06, {"kind": "error", "status": 500}),
        (0.05, {"kind": "error", "status": 503}),
        (0.03, {"kind": "error", "status": 502}),
        (0.12, {"kind": "lost_reply"}),
        (0.06, {"kind": "slow", "delay_seconds": config.slow_seconds}),
        (0.05, {"kind": "rate_limit", "problem": "minute"}),
    ]
    return [
        {**rule, "endpoint": endpoint, "method": method, "probability": p}
        for endpoint in ("invoices", "contacts")
        for method in ("PUT", "POST")
        for share, rule in kinds
        if (p := min(1.0, share * config.fault_rate)) > 0
    ]


def start_faults(harness: SyncHarness, config: ChaosConfig) -> None:
    harness.faults(*fault_rules(config))


def stop_faults(harness: SyncHarness) -> list[Record]:
    """Clear the faults and put the organisation online; the faults that fired."""
    fired = list(harness.admin("GET", "/_sandbox/faults")["fired"])
    harness.admin("DELETE", "/_sandbox/faults")
    offline(harness, False)
    return fired


def offline(harness: SyncHarness, flag: bool) -> None:
    harness.admin("POST", "/_sandbox/orgs/demo", {"offline": flag})


class Outage:
    """The organisation offline once, from ``at`` for ``seconds`` (none when 0), moved on by
    ``step``; ``refusals`` counts the calls refused meanwhile once it is over."""

    def __init__(self, harness: SyncHarness, at: float, seconds: float) -> None:
        self.harness = harness
        self.at = at
        self.seconds = seconds
        self.state = "before"  # on, after
        self.log_mark = 0
        self.refusals = 0

    def step(self, now: float) -> None:
        if self.state == "before" and now >= self.at and self.seconds > 0:
            self.log_mark = int(self.harness.admin("GET", "/_sandbox/stats")["request_log"])
            offline(self.harness, True)
            self.state = "on"
        elif self.state == "on" and now >= self.at + self.seconds:
            offline(self.harness, False)
            logged = self.harness.requests()[self.log_mark :]
            self.refusals = sum(1 for r in logged if r["status"] == 503)
            self.state = "after"
