"""Xero's limits as the limiter applies them: the published numbers, the margins kept under
them, the app's pricing tier and the day's reserve (``sync.limiter``, ``sync.budgets``)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

from ledgerlink.config import positive_from_env

# Xero's daily calls per organisation by pricing tier (fact sheet 1.5): Starter's 1,000, every
# other tier's 5,000.
TIER_DAY_LIMITS = {
    "starter": 1000,
    **dict.fromkeys(("standard", "core", "plus", "advanced", "enterprise"), 5000),
}
DEFAULT_TIER = "standard"

# Why a call is made decides whether it may use the day's reserve (``sync.budgets``).
BACKGROUND = "background"  # a first send the source app queued (a backfill): stops at the reserve
PULL = "pull"  # "Refresh from Xero", reference reads: may use the reserve
CHANGE = "change"  # a person's change (a document edited after it was sent, a REST action)
PURPOSES = (BACKGROUND, PULL, CHANGE)

ENV_LIMITS: tuple[tuple[str, str, type[int] | type[float]], ...] = (
    ("MINUTE_LIMIT", "per_minute", int),
    ("DAY_LIMIT", "per_day", int),
    ("CONCURRENT_LIMIT", "concurrent", int),
    ("APP_MINUTE_LIMIT", "app_per_minute", int),
    ("MINUTE_SECONDS", "minute_seconds", float),
    ("DAY_SECONDS", "day_seconds", float),
    ("DAY_RESERVE", "reserve_ratio", float),
)


def tier_day_limit(tier: str | None, field_name: str = "tier") -> int:
    """Xero's calls a day per organisation for ``tier``; an unknown tier is refused by name."""
    name = (tier or DEFAULT_TIER).strip().lower()
    if name not in TIER_DAY_LIMITS:
        known = ", ".join(sorted(TIER_DAY_LIMITS))
        raise ValueError(f"{field_name} must be one of {known}, not {tier!r}")
    return TIER_DAY_LIMITS[name]


SLOT_MARGIN_SECONDS = 5.0


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
    tier: str = DEFAULT_TIER
    reserve_ratio: float = 0.10
    pace_burst: int = 60

    @classmethod
    def from_env(cls) -> XeroLimits:
        """Xero's limits, or what the environment says (the app's tier; a compressed test).

        ``LEDGERLINK_XERO_TIER`` (``starter``: 1,000 calls a day per organisation), then
        ``LEDGERLINK_XERO_MINUTE_LIMIT``, ``_DAY_LIMIT``, ``_CONCURRENT_LIMIT``,
        ``_APP_MINUTE_LIMIT``, ``_MINUTE_SECONDS`` and ``_DAY_SECONDS`` (the length of Xero's
        "minute" and "day", only ever shortened to run against a sandbox compressed the same
        way), ``_DAY_RESERVE`` (the share of the day kept for pulls and people's changes).
        """
        base = cls().for_tier(os.environ.get("LEDGERLINK_XERO_TIER", "").strip() or None)
        changes: dict[str, float] = {}
        for name, attr, kind in ENV_LIMITS:
            value = positive_from_env(f"LEDGERLINK_XERO_{name}", kind)
            if value is not None:
                changes[attr] = value
        if changes.get("reserve_ratio", 0.0) >= 1:
            raise ValueError("LEDGERLINK_XERO_DAY_RESERVE must be a share below 1, such as 0.1")
        return replace(base, **changes)  # type: ignore[arg-type]

    def for_calls_lasting(self, read_timeout: float) -> XeroLimits:
        """These limits for calls that end within ``read_timeout`` seconds: a count of calls
        in flight that no new call has refreshed for longer than that (and a margin) is a
        killed worker's, whose calls Xero has finished, so it no longer holds places. A worker
        killed with several requests in flight would otherwise keep its organisation below
        Xero's 5 at once for the full ``slot_ttl_seconds``."""
        ttl = min(self.slot_ttl_seconds, read_timeout + SLOT_MARGIN_SECONDS)
        return replace(self, slot_ttl_seconds=ttl)

    def for_tier(self, tier: str | None) -> XeroLimits:
        """These limits for an app on ``tier`` (None: leave them as they are)."""
        if tier is None:
            return self
        return replace(self, tier=tier.strip().lower(), per_day=tier_day_limit(tier))

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
    def day_reserve(self) -> int:
        """Calls a day only pulls and people's changes may make."""
        return min(self.day_budget - 1, math.ceil(self.day_budget * self.reserve_ratio))

    @property
    def background_budget(self) -> int:
        return self.day_budget - self.day_reserve

    @property
    def minute_interval(self) -> float:
        return self.minute_seconds / self.minute_rate

    @property
    def app_interval(self) -> float:
        return self.minute_seconds / self.app_rate
