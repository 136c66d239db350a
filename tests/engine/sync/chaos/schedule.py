"""When the kills, the outages and the turns of the weather come, decided from the seed before
the run starts, each from a generator of its own (so a change to the documents' plan leaves
them where they were, and two runs of one seed aim the same kills; only where a kill lands
depends on timing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.engine.sync.chaos.config import ChaosConfig

PAUSE_POINTS = ("intent_written", "reply_received", "reply_applied")


@dataclass(frozen=True)
class KillPlan:
    at: float
    holder: bool  # aim at a lease holder (when there is one), one driving several if it can
    pick: float  # otherwise which running worker, as a fraction of them
    restart_after: float
    pause_at: str | None  # the next life stops there ("intent_written:2"), to be killed
    pause_kill_after: float
    jitter: float  # from the moment a lease holder is seen to its kill


def kills(config: ChaosConfig, until: float) -> list[KillPlan]:
    """The kill schedule up to ``until``."""
    rng = random.Random(f"{config.seed}-kills")
    plans: list[KillPlan] = []
    at = rng.uniform(*config.kill_gap)
    while at < until:
        armed = rng.random() < config.pause_share
        point = f"{rng.choice(PAUSE_POINTS)}:{rng.randint(1, 3)}"
        plans.append(
            KillPlan(
                at,
                rng.random() < config.holder_share,
                rng.random(),
                rng.uniform(*config.restart_delay),
                point if armed else None,
                rng.uniform(0.0, 0.3),
                rng.uniform(0.0, 1.5),
            )
        )
        at += rng.uniform(*config.kill_gap)
    return plans


def outages(config: ChaosConfig, until: float, keys: tuple[str, ...]) -> dict[str, float]:
    """When each organisation goes offline (once, for ``config.outage_seconds``): each at its
    own moment in the middle of the chaos, so the others go on meanwhile."""
    rng = random.Random(f"{config.seed}-outages")
    return {key: rng.uniform(0.25, 0.65) * until for key in keys}


def weather(config: ChaosConfig, until: float) -> list[tuple[float, bool]]:
    """When the faults turn to a storm (True) or a calm (False): a storm from the start, then
    calms and storms in turn up to ``until``, the last wave; after it a calm."""
    rng = random.Random(f"{config.seed}-weather")
    turns: list[tuple[float, bool]] = []
    at, storm = 0.0, True
    while at < until:
        turns.append((at, storm))
        at += rng.uniform(*(config.storm_seconds if storm else config.calm_seconds))
        storm = not storm
    if turns[-1][1]:
        turns.append((until, False))
    return turns
