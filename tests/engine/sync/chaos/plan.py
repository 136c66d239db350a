"""The plan: every document, version and contact of a run, and when the kills and the outage
come, all decided from the seed before the run starts (so two runs of one seed push the same
documents and aim the same kills; only where the kills land depends on timing).

``ChaosConfig`` sets the size and the pace; ``Planner`` turns it into ``Wave``s of ``Push``es
and a list of ``KillPlan``s. The documents themselves (``Doc``, the body of each version) are
in ``documents``.

What a wave holds, besides new documents of every kind (invoices the most):

- changes (new content), reverts (an earlier content again) and repeats (the same content
  again) of documents of earlier waves, mostly of the last few, so they race unresolved sends;
- purchase orders flipped between approved and draft (Xero keeps a purchase order that was
  past Draft out of Draft: see ``seen.expected_of``);
- credit notes, some applied to "sent" invoices of the plan when they are new, some later (a
  version that adds allocations to the same credit);
- payments on "sent" invoices of the plan, some deleted later.

Payments and allocations go mostly to invoices created or changed in the last few waves, whose
send may be unresolved when they come: they must follow the invoice's newest version.

What Xero refuses is never asked for: an invoice that a payment or an allocation is planned on
takes no more changes, nor does a credit note once allocated (Xero takes no edits to either);
the allocations and payments planned on one invoice add up to at most half of its smallest
version's amount before tax, each at least 5.00; a credit note's allocations stay far below
its own amount and go to invoices of its own contact.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.engine.sync.chaos.documents import Doc, Record

__all__ = ["ChaosConfig", "Doc", "KillPlan", "Planner", "Push", "Record", "Wave"]

SEED_CLIENTS = ("Bayside Club", "City Limousines", "Ridgeway University")
SEED_SUPPLIERS = ("Office Supplies Co", "PowerDirect")
PAUSE_POINTS = ("intent_written", "reply_received", "reply_applied")
# Documents and contacts of the last few waves (about three seconds, a worker's round or two)
# are "recent": their creates may still be unresolved when they are changed or reused.
RECENT_WAVES = 4
# Whose contacts each kind draws on: a client's or a supplier's.
ROLE = {
    "invoice": "client",
    "credit_note": "client",
    "expense": "supplier",
    "purchase_order": "supplier",
}
SMALLEST = Decimal("5.00")  # the least a payment or an allocation is for
LARGEST = Decimal("30.00")  # the most


@dataclass(frozen=True)
class ChaosConfig:
    """The size and pace of a run; the defaults are the CI test's.

    The ``new_*`` figures and the pushes other than changes, reverts and repeats are per wave
    on average (0.5: one every other wave).
    """

    seed: int = 20260302
    workers: int = 3
    lease_seconds: float = 2.0
    waves: int = 42
    wave_gap: tuple[float, float] = (0.5, 1.1)
    new_invoices: float = 3.5  # per wave
    new_expenses: float = 1.0
    new_purchase_orders: float = 0.8
    new_credit_notes: float = 0.7
    new_payments: float = 0.7
    changes: int = 3
    reverts: int = 2
    repeats: int = 1
    flips: float = 0.3  # purchase orders, approved <-> draft
    allocates: float = 0.2  # credit notes of earlier waves given allocations
    deletes: float = 0.25  # payments of earlier waves deleted
    allocated_share: float = 0.3  # new credit notes applied to invoices from the start
    draft_credit_share: float = 0.2  # credit notes kept draft (never allocated)
    kill_gap: tuple[float, float] = (3.0, 6.0)
    restart_delay: tuple[float, float] = (0.1, 0.8)
    holder_share: float = 0.85  # kills aimed at the worker holding the lease
    pause_share: float = 0.5  # new lives armed to stop at a pause point
    # The faults come in storms and calms by turns (see sandbox.Weather).
    fault_rate: float = 2.0  # scales every fault probability in a storm
    calm_lost_replies: float = 0.12  # in a calm only replies are lost, this often
    storm_seconds: tuple[float, float] = (3.0, 7.0)
    calm_seconds: tuple[float, float] = (3.0, 6.0)
    slow_seconds: float = 2.5  # longer than the lease: a live worker's heartbeat must keep it
    # The workers' Xero read timeout (LEDGERLINK_XERO_READ_TIMEOUT), above the slowest reply: a
    # dead worker's send is settled only once it has passed, so Xero's 60 s would stall a run.
    read_timeout: float = 6.0
    outage_seconds: float = 10.0
    # Chaos after the last wave: kills and a calm's lost replies go on while the backlog is
    # worked off, so the later stages (credit notes, allocations, payments) go under them too.
    tail_seconds: float = 8.0
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
class Push:
    doc: Doc
    variant: int
    why: str  # new | change | revert | flip | allocate | delete | repeat
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


def per_wave(rate: float, wave: int) -> int:
    """How many of something ``rate`` per wave on average wave ``wave`` holds (spread evenly:
    0.5 is one every other wave)."""
    return math.floor((wave + 1) * rate + 1e-9) - math.floor(wave * rate + 1e-9)


class Planner:
    """Every document, version and contact of a run, decided from the seed before it starts."""

    def __init__(self, config: ChaosConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.docs: list[Doc] = []
        self.numbers: Counter[str] = Counter()
        self.contacts: dict[str, list[Contact]] = {
            "client": [Contact(f"seed-client-{i}", n, -1) for i, n in enumerate(SEED_CLIENTS)],
            "supplier": [
                Contact(f"seed-supplier-{i}", n, -1) for i, n in enumerate(SEED_SUPPLIERS)
            ],
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

    def weather(self, until: float) -> list[tuple[float, bool]]:
        """When the faults turn to a storm (True) or a calm (False): a storm from the start,
        then calms and storms in turn up to ``until``, the last wave; after it a calm (its own
        generator)."""
        rng = random.Random(f"{self.config.seed}-weather")
        cfg = self.config
        turns: list[tuple[float, bool]] = []
        at, storm = 0.0, True
        while at < until:
            turns.append((at, storm))
            at += rng.uniform(*(cfg.storm_seconds if storm else cfg.calm_seconds))
            storm = not storm
        if turns[-1][1]:
            turns.append((until, False))
        return turns

    # contacts -----------------------------------------------------------------------------

    def _new_contact(self, role: str, wave: int) -> Contact:
        self.numbers[f"contact-{role}"] += 1
        k = self.numbers[f"contact-{role}"]
        if role == "client":
            return Contact(f"chaos-client-{k}", f"Chaos Client {k} Pty Ltd", wave)
        return Contact(f"chaos-supplier-{k}", f"Chaos Supplier {k}", wave)

    def _contact_for(self, role: str, wave: int) -> dict[str, str]:
        pool = self.contacts[role]
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

    # documents ----------------------------------------------------------------------------

    def _new_doc(self, kind: str, contact: dict[str, str] | None, wave: int, **more: Any) -> Doc:
        self.numbers[kind] += 1
        n = self.numbers[kind]
        url = None
        if kind in ("invoice", "expense") and self.rng.random() < 0.25:
            url = f"https://jobs.example/{kind}/{n}"
        numbered = self.rng.random() < 0.6
        doc = Doc(kind, n, contact, wave, numbered=numbered, url=url, **more)
        doc.new_version(0, wave)
        self.docs.append(doc)
        return doc

    def _pick(
        self,
        candidates: list[Doc],
        count: int,
        wave: int,
        touched: set[str],
        recent_share: float = 0.65,
    ) -> list[Doc]:
        """Up to ``count`` untouched documents, from the last few waves ``recent_share`` of
        the time (when there are both)."""
        free = [d for d in candidates if d.source_id not in touched]
        recent = [d for d in free if d.born >= wave - RECENT_WAVES]
        older = [d for d in free if d.born < wave - RECENT_WAVES]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        chosen: list[Doc] = []
        while len(chosen) < count and (recent or older):
            source = recent if recent and (not older or self.rng.random() < recent_share) else older
            chosen.append(source.pop())
        touched.update(d.source_id for d in chosen)
        return chosen

    def _room(self, doc: Doc) -> Decimal:
        """What payments and allocations may still take of a sent invoice: half its smallest
        version's amount before tax, less what is already planned on it (it takes no more
        changes once one is, so its versions are final then)."""
        if not doc.frozen:
            smallest = min(doc.subtotal(v) for v in set(doc.variants))
            return (smallest / 2).quantize(Decimal("0.01"))
        return doc.budget

    def _payable(
        self, wave: int, key: str | None = None, exclude: tuple[Doc, ...] = ()
    ) -> Doc | None:
        """A sent invoice of the plan with room for one more payment or allocation (of contact
        ``key`` when given)."""
        found = [
            d
            for d in self.docs
            if d.sent
            and d not in exclude
            and self._room(d) >= SMALLEST
            and (key is None or (d.contact or {}).get("key") == key)
        ]
        if not found:
            return None
        # mostly one created or changed in the last few waves: its send may be unresolved
        recent = [d for d in found if d.pushed >= wave - RECENT_WAVES]
        return self.rng.choice(recent if recent and self.rng.random() < 0.6 else found)

    def _claim(self, target: Doc) -> Decimal:
        """An amount on ``target`` (5.00 to 30.00, within its room), taken from its room; the
        invoice takes no more changes from now on."""
        room = self._room(target)
        cents = self.rng.randint(int(SMALLEST * 100), int(min(room, LARGEST) * 100))
        amount = Decimal(cents) / 100
        target.frozen = True
        target.budget = room - amount
        return amount

    def _allocations(self, wave: int, key: str | None) -> list[tuple[Doc, Decimal]]:
        """One or two invoices of one contact to apply a credit note to, and how much."""
        first = self._payable(wave, key)
        if first is None:
            return []
        chosen = [(first, self._claim(first))]
        if self.rng.random() < 0.3:
            second = self._payable(wave, (first.contact or {}).get("key"), exclude=(first,))
            if second is not None:
                chosen.append((second, self._claim(second)))
        return chosen

    # a wave -------------------------------------------------------------------------------

    def _wave(self, wave: int) -> list[Push]:
        cfg = self.config
        pushes: list[Push] = []
        touched: set[str] = set()
        existing = list(self.docs)
        for kind, rate in (
            ("invoice", cfg.new_invoices),
            ("expense", cfg.new_expenses),
            ("purchase_order", cfg.new_purchase_orders),
        ):
            pushes += self._fresh(kind, per_wave(rate, wave), wave, touched)
        pushes += self._changes(existing, wave, touched)
        for _ in range(per_wave(cfg.new_credit_notes, wave)):
            pushes.append(self._credit_note(wave, touched))
        pushes += self._allocates(existing, wave, touched)
        for _ in range(per_wave(cfg.new_payments, wave)):
            target = self._payable(wave)
            if target is None:
                break
            doc = self._new_doc("payment", None, wave, paid=target, amount=self._claim(target))
            touched.add(doc.source_id)
            pushes.append(Push(doc, 0, "new", "created"))
        payments = [d for d in existing if d.kind == "payment" and not d.deleted]
        # mostly older payments, which are in Xero by then; some recent ones race their create
        for doc in self._pick(payments, per_wave(cfg.deletes, wave), wave, touched, 0.35):
            doc.new_version(1, wave)
            pushes.append(Push(doc, 1, "delete", "updated"))
        for doc in self._pick(existing, cfg.repeats, wave, touched):
            pushes.append(Push(doc, doc.variants[-1], "repeat", "unchanged"))
        return pushes

    def _fresh(self, kind: str, count: int, wave: int, touched: set[str]) -> list[Push]:
        """New documents of ``kind``, some for contacts new in this wave (shared by several)."""
        if count <= 0:
            return []
        role = ROLE[kind]
        fresh = [self._new_contact(role, wave) for _ in range(max(1, count // 3))]
        pushes = []
        for i in range(count):
            if i < len(fresh):
                chosen = fresh[i]
                contact = {"key": chosen.key, "name": chosen.name}
            elif self.rng.random() < 0.3:
                chosen = self.rng.choice(fresh)  # a new contact shared in its first wave
                contact = {"key": chosen.key, "name": chosen.name}
            else:
                contact = self._contact_for(role, wave)
            doc = self._new_doc(kind, contact, wave)
            if kind == "purchase_order" and self.rng.random() < 0.3:
                doc.status_of[0] = "draft"
            touched.add(doc.source_id)
            pushes.append(Push(doc, 0, "new", "created"))
        self.contacts[role].extend(fresh)
        return pushes

    def _changes(self, existing: list[Doc], wave: int, touched: set[str]) -> list[Push]:
        """Changes, reverts and purchase-order flips of documents of earlier waves."""
        cfg = self.config
        pushes: list[Push] = []
        editable = [d for d in existing if d.kind != "payment" and not d.frozen]
        for doc in self._pick(editable, cfg.changes, wave, touched):
            current = doc.variants[-1]
            variant = max(doc.variants) + 1
            if doc.kind == "purchase_order":
                doc.status_of[variant] = doc.status_of.get(current, "approved")
            doc.new_version(variant, wave)
            pushes.append(Push(doc, variant, "change", "updated"))
        movable = [d for d in editable if len(set(d.variants)) > 1]
        for doc in self._pick(movable, cfg.reverts, wave, touched):
            current = doc.variants[-1]
            earlier = next(v for v in reversed(doc.variants) if v != current)
            doc.new_version(earlier, wave)
            pushes.append(Push(doc, earlier, "revert", "updated"))
        orders = [d for d in editable if d.kind == "purchase_order"]
        for doc in self._pick(orders, per_wave(cfg.flips, wave), wave, touched):
            current = doc.variants[-1]
            variant = max(doc.variants) + 1
            doc.lines_of[variant] = doc.lines_of.get(current, current)
            was = doc.status_of.get(current, "approved")
            doc.status_of[variant] = "draft" if was == "approved" else "approved"
            doc.new_version(variant, wave)
            pushes.append(Push(doc, variant, "flip", "updated"))
        return pushes

    def _credit_note(self, wave: int, touched: set[str]) -> Push:
        """A new credit note: applied to invoices from the start, or plain (sent or draft)."""
        cfg = self.config
        allocated: list[tuple[Doc, Decimal]] = []
        if self.rng.random() < cfg.allocated_share:
            allocated = self._allocations(wave, None)
        if allocated:
            contact = dict(allocated[0][0].contact or {})
            doc = self._new_doc("credit_note", contact, wave, status="sent", frozen=True)
            doc.allocations[0] = allocated
        else:
            draft = self.rng.random() < cfg.draft_credit_share
            contact = self._contact_for("client", wave)
            doc = self._new_doc("credit_note", contact, wave, status="draft" if draft else "sent")
        touched.add(doc.source_id)
        return Push(doc, 0, "new", "created")

    def _allocates(self, existing: list[Doc], wave: int, touched: set[str]) -> list[Push]:
        """Sent credit notes of earlier waves applied to invoices of their contact: a version
        with the same lines and the allocations added (none of it changes after)."""
        wanted = per_wave(self.config.allocates, wave)
        notes = [
            d for d in existing if d.kind == "credit_note" and d.status == "sent" and not d.frozen
        ]
        pushes: list[Push] = []
        for doc in self._pick(notes, len(notes), wave, set(touched)):
            if len(pushes) >= wanted:
                break
            allocated = self._allocations(wave, (doc.contact or {}).get("key"))
            if not allocated:
                continue
            current = doc.variants[-1]
            variant = max(doc.variants) + 1
            doc.lines_of[variant] = doc.lines_of.get(current, current)
            doc.allocations[variant] = allocated
            doc.new_version(variant, wave)
            doc.frozen = True
            touched.add(doc.source_id)
            pushes.append(Push(doc, variant, "allocate", "updated"))
        return pushes
