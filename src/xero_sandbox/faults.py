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
PROBLEMS = ("minute", "day", "concurrent", "appminute")
MAX_DELAY_SECONDS = 120.0


class FaultSpecError(ValueError):
    pass


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
        """A rule from the admin API's JSON, every field checked so a typo is refused, not run."""
        if not isinstance(data, dict):
            raise FaultSpecError("a fault must be a JSON object")
        known = set(cls.__dataclass_fields__) - {"fired"}
        unknown = set(data) - known
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise FaultSpecError(f"a fault needs a kind: one of {', '.join(KINDS)}")
        for name in ("kind", "endpoint", "method", "problem"):
            if name in data and not isinstance(data[name], str):
                raise FaultSpecError(f"{name} must be a string")
        if data.get("tenant_id") is not None and not isinstance(data["tenant_id"], str):
            raise FaultSpecError("tenant_id must be a string or null")
        for name in ("count", "status"):
            value = data.get(name)
            if name in data and value is not None and not _is_int(value):
                raise FaultSpecError(f"{name} must be a whole number")
        for name in ("probability", "delay_seconds"):
            value = data.get(name)
            if name in data and value is not None and not _is_number(value):
                raise FaultSpecError(f"{name} must be a number")
        rule = cls(**data)
        if rule.kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        if rule.kind == "error" and not 500 <= rule.status <= 599:
            raise FaultSpecError("an error fault needs a 5xx status")
        if rule.kind == "rate_limit" and rule.problem not in PROBLEMS:
            raise FaultSpecError(f"problem must be one of {', '.join(PROBLEMS)}")
        if rule.probability is not None and not 0 <= rule.probability <= 1:
            raise FaultSpecError("probability must be between 0 and 1")
        if rule.count is not None and rule.count < 1:
            raise FaultSpecError("count must be at least 1 (or null for every matching call)")
        if not 0 <= rule.delay_seconds <= MAX_DELAY_SECONDS:
            raise FaultSpecError(f"delay_seconds must be between 0 and {MAX_DELAY_SECONDS}")
        if rule.probability is not None:
            rule.count = None
        rule.endpoint = rule.endpoint.lower()
        rule.method = rule.method.upper()
        rule.tenant_id = rule.tenant_id.lower() if rule.tenant_id else None
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
