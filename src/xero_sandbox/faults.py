"""Faults on demand, so tests can show the client survives what Xero sometimes does.

A fault rule targets an endpoint (``invoices``, ``contacts``... or ``*``) and a method (or
``*``), and fires either for the next ``count`` matching calls or with a ``probability`` drawn
from a seeded generator, so a test run repeats exactly. Kinds:

- ``error``: answer with ``status`` (500, 502, 503, 504) without applying the call;
- ``slow``: wait ``delay_seconds`` before handling the call;
- ``offline``: 503 organisation offline;
- ``rate_limit``: a 429 burst with ``problem`` (minute, day, concurrent, appminute);
- ``lost_reply``: apply the call, then drop the connection before the reply is sent.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("error", "slow", "offline", "rate_limit", "lost_reply")


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultRule:
    kind: str
    endpoint: str = "*"
    method: str = "*"
    tenant_id: str | None = None
    count: int | None = 1
    probability: float | None = None
    status: int = 500
    delay_seconds: float = 1.0
    problem: str = "minute"
    fired: int = 0

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        if not isinstance(data, dict):
            raise FaultSpecError("a fault must be a JSON object")
        known = set(cls.__dataclass_fields__) - {"fired"}
        unknown = set(data) - known
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        rule = cls(**data)
        if rule.kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        if rule.kind == "error" and not 500 <= int(rule.status) <= 599:
            raise FaultSpecError("an error fault needs a 5xx status")
        if rule.probability is not None and not 0 <= rule.probability <= 1:
            raise FaultSpecError("probability must be between 0 and 1")
        if rule.probability is not None:
            rule.count = None
        rule.endpoint = rule.endpoint.lower()
        rule.method = rule.method.upper()
        return rule

    def matches(self, endpoint: str, method: str, tenant_id: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if self.endpoint not in ("*", endpoint):
            return False
        if self.method not in ("*", method):
            return False
        return self.tenant_id in (None, tenant_id)


@dataclass
class FaultBook:
    seed: int = 1
    rules: list[FaultRule] = field(default_factory=list)
    fired_log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def add(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def draw(self, endpoint: str, method: str, tenant_id: str) -> list[FaultRule]:
        """The rules that fire for this call (each counted as fired)."""
        fired = []
        for rule in self.rules:
            if not rule.matches(endpoint, method, tenant_id):
                continue
            if rule.probability is not None and self.random.random() >= rule.probability:
                continue
            rule.fired += 1
            fired.append(rule)
            self.fired_log.append(
                {"kind": rule.kind, "endpoint": endpoint, "method": method, "tenant": tenant_id}
            )
        return fired

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.seed = seed
        self.rules.clear()
        self.fired_log.clear()
        self.random = random.Random(self.seed)

    def describe(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "rules": [asdict(r) for r in self.rules],
            "fired": list(self.fired_log),
        }
