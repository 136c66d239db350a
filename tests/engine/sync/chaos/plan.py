"""The plan: every organisation's documents, versions and contacts, wave by wave, all decided
from the seed before the run starts (so two runs of one seed push the same documents; only
where the kills land depends on timing). When the kills, outages and weather come is in
``schedule``.

``ChaosConfig`` sets the size and the pace; ``Plan`` gives each organisation of the run a
``Planner`` of its own (its own generator, its share of every per-wave figure, its own
contacts) and merges their waves, so each wave carries documents to every organisation at once.
The documents themselves (``Doc``, the body of each version) are in ``documents``.

What a wave holds for an organisation, besides new documents of every kind (invoices the most):

- changes (new content), reverts (an earlier content again) and repeats (the same content
  again) of documents of earlier waves, mostly of the last few, so they race unresolved sends;
- purchase orders flipped between approved and draft (Xero keeps a purchase order that was
  past Draft out of Draft: see ``shapes.expected_of``);
- credit notes, some applied to "sent" invoices of the plan when they are new, some later (a
  version that adds allocations to the same credit);
- payments on "sent" invoices of the plan, some deleted later.

Payments and allocations go mostly to invoices created or changed in the last few waves, whose
send may be unresolved when they come: they must follow the invoice's newest version. They go to
invoices of the same organisation, and contacts are the organisation's own.

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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from tests.engine.sync.chaos.config import PER_WAVE, ChaosConfig
from tests.engine.sync.chaos.documents import Doc, Record
from tests.engine.sync.chaos.orgs import OrgSpec

__all__ = ["ChaosConfig", "Doc", "Plan", "Planner", "Push", "Record", "Wave"]

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


def per_wave(rate: float, wave: int) -> int:
    """How many of something ``rate`` per wave on average wave ``wave`` holds (spread evenly:
    0.5 is one every other wave)."""
    return math.floor((wave + 1) * rate + 1e-9) - math.floor(wave * rate + 1e-9)


class Plan:
    """Every organisation's plan, merged wave by wave; the waves' moments from the seed."""

    def __init__(self, config: ChaosConfig, orgs: list[OrgSpec]) -> None:
        self.config = config
        share = 1.0 / len(orgs)
        self.planners = [Planner(config, org, share) for org in orgs]

    @property
    def docs(self) -> list[Doc]:
        return [doc for planner in self.planners for doc in planner.docs]

    def waves(self) -> list[Wave]:
        rng = random.Random(self.config.seed)
        found: list[Wave] = []
        at = 0.5
        for number in range(self.config.waves):
            found.append(Wave(at, [p for pl in self.planners for p in pl.wave(number)]))
            at += rng.uniform(*self.config.wave_gap)
        return found


class Planner:
    """One organisation's documents, versions and contacts, from its own generator; every
    per-wave figure of ``config`` times ``share``."""

    def __init__(self, config: ChaosConfig, org: OrgSpec, share: float = 1.0) -> None:
        self.config = replace(config, **{k: getattr(config, k) * share for k in PER_WAVE})
        self.org = org
        self.rng = random.Random(f"{config.seed}-{org.key}")
        self.docs: list[Doc] = []
        self.numbers: Counter[str] = Counter()
        tag = org.tag.lower()
        self.contacts: dict[str, list[Contact]] = {
            "client": [Contact(f"seed-{tag}-client-{i}", n, -1) for i, n in enumerate(org.clients)],
            "supplier": [
                Contact(f"seed-{tag}-supplier-{i}", n, -1) for i, n in enumerate(org.suppliers)
            ],
        }

    # contacts -----------------------------------------------------------------------------

    def _new_contact(self, role: str, wave: int) -> Contact:
        self.numbers[f"contact-{role}"] += 1
        k = self.numbers[f"contact-{role}"]
        tag, label = self.org.tag.lower(), self.org.label
        if role == "client":
            return Contact(f"chaos-{tag}-client-{k}", f"Chaos {label} Client {k} Pty Ltd", wave)
        return Contact(f"chaos-{tag}-supplier-{k}", f"Chaos {label} Supplier {k}", wave)

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
            url = f"https://jobs.example/{self.org.key}/{kind}/{n}"
        numbered = self.rng.random() < 0.6
        doc = Doc(kind, n, contact, wave, numbered=numbered, url=url, org=self.org.tag, **more)
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

    def wave(self, wave: int) -> list[Push]:
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
        for doc in self._pick(existing, per_wave(cfg.repeats, wave), wave, touched):
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
        for doc in self._pick(editable, per_wave(cfg.changes, wave), wave, touched):
            current = doc.variants[-1]
            variant = max(doc.variants) + 1
            if doc.kind == "purchase_order":
                doc.status_of[variant] = doc.status_of.get(current, "approved")
            doc.new_version(variant, wave)
            pushes.append(Push(doc, variant, "change", "updated"))
        movable = [d for d in editable if len(set(d.variants)) > 1]
        for doc in self._pick(movable, per_wave(cfg.reverts, wave), wave, touched):
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
