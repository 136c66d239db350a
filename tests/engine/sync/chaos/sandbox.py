"""Xero's side of the chaos: the sandbox's limits, the faults it injects and the outage.

The limits are enforced but never reached, on a one-second "minute" (so a 429 burst's
Retry-After is a second; the workers' limiter runs on the same minute, see ``fleet``). The
faults fall at random (seeded in the sandbox) on every write, PUT and POST, of every collection
a run writes to (``ENDPOINTS``: a credit note's allocations are a PUT under ``/CreditNotes``, a
payment's deletion a POST under ``/Payments``): 5xx, lost replies, 429 bursts, and replies
slower than the lease, which a living worker's lease heartbeat must outlast. They come by turns
(``Weather``): storms of them all, and calms in which only replies are lost; they fall on
every organisation of the run alike. An outage takes one organisation offline once, for a few
seconds, while the others go on, and counts the calls it refused.
"""

from __future__ import annotations

from collections import deque

from tests.engine.sync.chaos.config import ChaosConfig
from tests.engine.sync.chaos.documents import Record
from tests.engine.sync.conftest import SyncHarness, fast_limits

# Enforced, never reached; 50 concurrent slots so the limiter's slots a killed worker leaves
# held (they free themselves after 90 s) never make the survivors wait.
LIMITS = fast_limits(tenant_concurrent=50, minute_seconds=1.0)
# The sandbox's endpoint is the path's first segment, lower case.
ENDPOINTS = ("invoices", "contacts", "purchaseorders", "creditnotes", "payments")


def fault_rules(
    config: ChaosConfig, storm: bool, endpoints: tuple[str, ...] = ENDPOINTS
) -> list[Record]:
    """Probabilistic faults on every write to ``endpoints`` (seeded in the sandbox): in a
    storm every kind, scaled by ``fault_rate``; in a calm only lost replies."""
    kinds: list[tuple[float, Record]] = [
        (0.06 * config.fault_rate, {"kind": "error", "status": 500}),
        (0.05 * config.fault_rate, {"kind": "error", "status": 503}),
        (0.03 * config.fault_rate, {"kind": "error", "status": 502}),
        (0.12 * config.fault_rate, {"kind": "lost_reply"}),
        (0.06 * config.fault_rate, {"kind": "slow", "delay_seconds": config.slow_seconds}),
        (0.05 * config.fault_rate, {"kind": "rate_limit", "problem": "minute"}),
    ]
    if not storm:
        kinds = [(config.calm_lost_replies, {"kind": "lost_reply"})]
    return [
        {**rule, "endpoint": endpoint, "method": method, "probability": p}
        for endpoint in endpoints
        for method in ("PUT", "POST")
        for share, rule in kinds
        if (p := min(1.0, share)) > 0
    ]


class Weather:
    """The faults by turns, as the plan's ``weather`` says, moved on by ``step``: storms, and
    calms in which only replies are lost.

    A storm faults about half of all writes, and the engine ends a round after a 429 or two
    writes failing in a row (what is left tries again after its back-off), so in a storm the
    later stages of a round (credit notes and their allocations, payments) are seldom reached.
    A lost reply does not end a round: in a calm they are reached and sent, some of their
    replies lost, the workers still killed, while changes keep coming. The tail (after the last
    wave) is a calm.
    """

    def __init__(
        self,
        harness: SyncHarness,
        config: ChaosConfig,
        turns: list[tuple[float, bool]],
        keys: tuple[str, ...],
        endpoints: tuple[str, ...] = ENDPOINTS,
    ) -> None:
        self.harness = harness
        self.keys = keys
        self.endpoints = endpoints
        self.config = config
        self.turns = deque(turns)
        self.fired: list[Record] = []

    def step(self, now: float) -> None:
        while self.turns and now >= self.turns[0][0]:
            _, storm = self.turns.popleft()
            self._collect()
            self.harness.faults(*fault_rules(self.config, storm, self.endpoints))

    def _collect(self) -> None:
        """The faults fired so far are kept; the rules are cleared."""
        self.fired += list(self.harness.admin("GET", "/_sandbox/faults")["fired"])
        self.harness.admin("DELETE", "/_sandbox/faults")

    def stop(self) -> list[Record]:
        """Clear the faults and put every organisation online; every fault that fired."""
        self._collect()
        self.turns.clear()
        for key in self.keys:
            offline(self.harness, key, False)
        return self.fired


def offline(harness: SyncHarness, key: str, flag: bool) -> None:
    harness.admin("POST", f"/_sandbox/orgs/{key}", {"offline": flag})


class Outage:
    """Organisation ``key`` offline once, from ``at`` for ``seconds`` (none when 0), moved on
    by ``step``; ``refusals`` counts its calls refused meanwhile once it is over."""

    def __init__(
        self, harness: SyncHarness, key: str, tenant_id: str, at: float, seconds: float
    ) -> None:
        self.harness = harness
        self.key = key
        self.tenant_id = tenant_id
        self.at = at
        self.seconds = seconds
        self.state = "before"  # on, after
        self.log_mark = 0
        self.refusals = 0

    def step(self, now: float) -> None:
        if self.state == "before" and now >= self.at and self.seconds > 0:
            self.log_mark = int(self.harness.admin("GET", "/_sandbox/stats")["request_log"])
            offline(self.harness, self.key, True)
            self.state = "on"
        elif self.state == "on" and now >= self.at + self.seconds:
            offline(self.harness, self.key, False)
            logged = self.harness.requests()[self.log_mark :]
            self.refusals = sum(
                1 for r in logged if r["status"] == 503 and r.get("tenant") == self.tenant_id
            )
            self.state = "after"
