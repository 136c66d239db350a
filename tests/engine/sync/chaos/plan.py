"""The plan: every document, version and contact of a run, and when the kills and the outage
come, all decided from the seed before the run starts (so two runs of one seed push the same
documents and aim the same kills; only where the kills land depends on timing).

``ChaosConfig`` sets the size and the pace; ``Planner`` turns it into ``Wave``s of ``Push``es
and a list of ``KillPlan``s.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.engine.sync.conftest import expense, invoice

Record = dict[str, Any]

SEED_CLIENTS = ("Bayside Club", "City Limousines", "Ridgeway University")
SEED_SUPPLIERS = ("Office Supplies Co", "PowerDirect")
PAUSE_POINTS = ("intent_written", "reply_received", "reply_applied")
# Documents and contacts of the last few waves (about three seconds, a worker's round or two)
# are "recent": their creates may still be unresolved when they are changed or reused.
RECENT_WAVES = 4


@dataclass(frozen=True)
class ChaosConfig:
    """The size and pace of a run; the defaults are the CI test's."""

    seed: int = 20260302
    workers: int = 3
    lease_seconds: float = 2.0
    waves: int = 45
    wave_gap: tuple[float, float] = (0.5, 1.1)
    new_invoices: int = 4  # per wave
    new_expenses: int = 2
    changes: int = 3
    reverts: int = 2
    repeats: int = 1
    kill_gap: tuple[float, float] = (3.0, 6.0)
    restart_delay: tuple[float, float] = (0.1, 0.8)
    holder_share: float = 0.85  # kills aimed at the worker holding the lease
    pause_share: float = 0.5  # new lives armed to stop at a pause point
    fault_rate: float = 2.0  # scales every fault probability
    slow_seconds: float = 2.5  # longer than the lease: a live worker's heartbeat must keep it
    # The workers' Xero read timeout (LEDGERLINK_XERO_READ_TIMEOUT), above the slowest reply: a
    # dead worker's send is settled only once it has passed, so Xero's 60 s would stall a run.
    read_timeout: float = 6.0
    outage_seconds: float = 10.0
    tail_seconds: float = 4.0  # chaos after the last wave
    # The workers' retry policy (LEDGERLINK_BACKOFF_SECONDS, doubled each time, at most
    # LEDGERLINK_BACKOFF_MAX_SECONDS): the engine's 5 s up to 15 minutes, compressed like Xero's
    # minute, so an outage of seconds tries items as often as one of many minutes would.
    backoff_seconds: float = 0.2
    backoff_max_seconds: float = 1.0
    drain_seconds: float = 60.0
    stop_seconds: float = 20.0
    detail_limit: int = 8  # documents shown in full per rule


@dataclass
class Contact:
    key: str
    name: str
    born: int  # the wave that introduced it; -1 for contacts Xero already had


@dataclass
class Doc:
    kind: str  # invoice | expense
    n: int
    contact: dict[str, str]
    born: int
    numbered: bool
    url: str | None
    variants: list[int] = field(default_factory=list)  # one per accepted version, in order

    @property
    def source_id(self) -> str:
        return f"chaos-{self.kind[:3]}-{self.n}"

    def body(self, variant: int) -> Record:
        """The document's content for ``variant``: equal variants give equal content."""
        lines = []
        for i in range(1 + (self.n + variant) % 3):
            unit = Decimal(100 + (self.n * 7) % 90 + 13 * variant + i) + Decimal("0.50")
            if (variant + i) % 4 == 3:
                unit += Decimal("0.0025")  # four decimal places: sent with unitdp=4
            lines.append(
                {
                    "description": f"Chaos work {i + 1}, revision {variant}",
                    "quantity": str(1 + (self.n + i + variant) % 4),
                    "unit_amount": str(unit),
                }
            )
        make = invoice if self.kind == "invoice" else expense
        data = make(self.n, source_id=self.source_id, lines=lines)
        if self.kind == "invoice":
            data.update(contact=dict(self.contact), reference=f"Job {self.n} rev {variant}")
            if self.numbered:
                data["number"] = f"CH-{self.n:05d}"
            else:
                del data["number"]  # Xero numbers it
        else:
            data.update(supplier=dict(self.contact), reference=f"BILL-{self.n}-r{variant}")
        if self.url:
            data["url"] = self.url
        return data


@dataclass
class Push:
    doc: Doc
    variant: int
    why: str  # new | change | revert | repeat
    expect: str  # created | updated | unchanged


@dataclass
class Wave:
    at: float  # seconds after the chaos starts
    pushes: list[Push]


@dataclass(frozen=True)
class KillPlan:
    at: float
    holder: bool  # aim at the lease holder (when there is one)
    pick: float  # otherwise which running worker, as a fraction of them
    restart_after: float
    pause_at: str | None  # the next life stops there ("intent_written:2"), to be killed
    pause_kill_after: float
    jitter: float  # from the moment a lease holder is seen to its kill


class Planner:
    """Every document, version and contact of a run, decided from the seed before it starts."""

    def __init__(self, config: ChaosConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.docs: list[Doc] = []
        self.numbers: Counter[str] = Counter()
        self.contacts: dict[str, list[Contact]] = {
            "invoice": [Contact(f"seed-client-{i}", n, -1) for i, n in enumerate(SEED_CLIENTS)],
            "expense": [Contact(f"seed-supplier-{i}", n, -1) for i, n in enumerate(SEED_SUPPLIERS)],
        }

    def waves(self) -> list[Wave]:
        found: list[Wave] = []
        at = 0.5
        for number in range(self.config.waves):
            found.append(Wave(at, self._wave(number)))
            at += self.rng.uniform(*self.config.wave_gap)
        return found

    def kills(self, until: float) -> tuple[list[KillPlan], float]:
        """The kill schedule up to ``until`` and when the outage starts (its own generator)."""
        rng = random.Random(f"{self.config.seed}-kills")
        cfg = self.config
        plans: list[KillPlan] = []
        at = rng.uniform(*cfg.kill_gap)
        while at < until:
            armed = rng.random() < cfg.pause_share
            point = f"{rng.choice(PAUSE_POINTS)}:{rng.randint(1, 3)}"
            plans.append(
                KillPlan(
                    at,
                    rng.random() < cfg.holder_share,
                    rng.random(),
                    rng.uniform(*cfg.restart_delay),
                    point if armed else None,
                    rng.uniform(0.0, 0.3),
                    rng.uniform(0.0, 1.5),
                )
            )
            at += rng.uniform(*cfg.kill_gap)
        return plans, rng.uniform(0.35, 0.55) * until

    def _new_contact(self, kind: str, wave: int) -> Contact:
        self.numbers[f"contact-{kind}"] += 1
        k = self.numbers[f"contact-{kind}"]
        if kind == "invoice":
            return Contact(f"chaos-client-{k}", f"Chaos Client {k} Pty Ltd", wave)
        return Contact(f"chaos-supplier-{k}", f"Chaos Supplier {k}", wave)

    def _contact_for(self, kind: str, wave: int) -> dict[str, str]:
        pool = self.contacts[kind]
        made = [c for c in pool if c.born >= 0]
        recent = [c for c in made if c.born >= wave - RECENT_WAVES]
        seeded = [c for c in pool if c.born < 0]
        roll = self.rng.random()
        if roll < 0.45 and recent:
            chosen = self.rng.choice(recent)
            return {"key": chosen.key, "name": chosen.name}
        if roll < 0.75 and made:
            chosen = self.rng.choice(made)
            return {"key": chosen.key, "name": chosen.name}
        if roll < 0.92 or not made:
            chosen = self.rng.choice(seeded)
            name = chosen.name if self.rng.random() < 0.5 else chosen.name.upper()
            return {"key": chosen.key, "name": name}
        chosen = self.rng.choice(recent or made)
        return {"key": f"{chosen.key}-alias", "name": chosen.name.lower()}

    def _new_doc(self, kind: str, contact: dict[str, str], wave: int) -> Doc:
        self.numbers[kind] += 1
        n = self.numbers[kind]
        url = f"https://jobs.example/{kind}/{n}" if self.rng.random() < 0.25 else None
        doc = Doc(kind, n, contact, wave, numbered=self.rng.random() < 0.6, url=url)
        doc.variants.append(0)
        self.docs.append(doc)
        return doc

    def _pick(self, candidates: list[Doc], count: int, wave: int, touched: set[str]) -> list[Doc]:
        """Up to ``count`` untouched documents, mostly from the last few waves."""
        free = [d for d in candidates if d.source_id not in touched]
        recent = [d for d in free if d.born >= wave - RECENT_WAVES]
        older = [d for d in free if d.born < wave - RECENT_WAVES]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        chosen: list[Doc] = []
        while len(chosen) < count and (recent or older):
            source = recent if recent and (not older or self.rng.random() < 0.65) else older
            chosen.append(source.pop())
        touched.update(d.source_id for d in chosen)
        return chosen

    def _wave(self, wave: int) -> list[Push]:
        cfg = self.config
        pushes: list[Push] = []
        touched: set[str] = set()
        existing = list(self.docs)
        for kind, count in (("invoice", cfg.new_invoices), ("expense", cfg.new_expenses)):
            fresh = [self._new_contact(kind, wave) for _ in range(max(1, count // 3))]
            for i in range(count):
                if i < len(fresh):
                    chosen = fresh[i]
                    contact = {"key": chosen.key, "name": chosen.name}
                elif self.rng.random() < 0.3:
                    chosen = self.rng.choice(fresh)  # a new contact shared in its first wave
                    contact = {"key": chosen.key, "name": chosen.name}
                else:
                    contact = self._contact_for(kind, wave)
                doc = self._new_doc(kind, contact, wave)
                touched.add(doc.source_id)
                pushes.append(Push(doc, 0, "new", "created"))
            self.contacts[kind].extend(fresh)
        for doc in self._pick(existing, cfg.changes, wave, touched):
            variant = max(doc.variants) + 1
            doc.variants.append(variant)
            pushes.append(Push(doc, variant, "change", "updated"))
        movable = [d for d in existing if len(set(d.variants)) > 1]
        for doc in self._pick(movable, cfg.reverts, wave, touched):
            current = doc.variants[-1]
            earlier = next(v for v in reversed(doc.variants) if v != current)
            doc.variants.append(earlier)
            pushes.append(Push(doc, earlier, "revert", "updated"))
        for doc in self._pick(existing, cfg.repeats, wave, touched):
            pushes.append(Push(doc, doc.variants[-1], "repeat", "unchanged"))
        return pushes
