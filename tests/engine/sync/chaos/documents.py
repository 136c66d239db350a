"""The source documents of a run and the body of each of their versions.

A ``Doc`` is one source document of the plan; its versions are ``variants`` (one per accepted
version, in order), and ``body(variant)`` is what intake receives for one: equal variants give
equal content, so a revert to an earlier variant is the earlier content again. A variant may
keep the lines of an earlier one (``lines_of``: a purchase order's status flip, a credit note's
allocations added) and carry its own status (``status_of``: purchase orders) or allocations
(``allocations``: credit notes). Everything a document carries that names it (its source id,
number, references) carries its organisation's tag too, so it is known wherever it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.engine.sync.conftest import expense, invoice

Record = dict[str, Any]

# The kinds of a run, in the order a wave goes through intake (what others follow comes first).
KINDS = ("invoice", "expense", "purchase_order", "credit_note", "payment")
PREFIX = {
    "invoice": "inv",
    "expense": "exp",
    "purchase_order": "po",
    "credit_note": "cn",
    "payment": "pay",
}
PLURAL = {
    "invoice": "invoices",
    "expense": "expenses",
    "purchase_order": "purchase orders",
    "credit_note": "credit notes",
    "payment": "payments",
}
PAYMENT_DATE = "2026-03-15"
PAYMENT_ACCOUNT = "090"


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


@dataclass
class Doc:
    kind: str
    n: int
    contact: dict[str, str] | None  # None for a payment (it follows its invoice)
    born: int
    numbered: bool
    url: str | None
    variants: list[int] = field(default_factory=list)  # one per accepted version, in order
    status: str | None = None  # a credit note's, for all its versions
    lines_of: dict[int, int] = field(default_factory=dict)  # variant -> variant of its lines
    status_of: dict[int, str] = field(default_factory=dict)  # a purchase order's, per variant
    allocations: dict[int, list[tuple[Doc, Decimal]]] = field(default_factory=dict)
    paid: Doc | None = None  # a payment's invoice
    amount: Decimal = Decimal(0)  # a payment's amount
    # No more changes (an invoice paid or credited, a credit note allocated): Xero takes none
    # once a payment or an allocation is on it, and a plan asking for one would be the plan's
    # fault, not the engine's.
    frozen: bool = False
    budget: Decimal = Decimal(0)  # a sent invoice: what payments and allocations may still take
    pushed: int = -1  # the wave of its latest new version
    org: str = "DEMO"  # its organisation's tag, in its source id, number and references

    def new_version(self, variant: int, wave: int) -> None:
        self.variants.append(variant)
        self.pushed = wave

    @property
    def source_id(self) -> str:
        return f"chaos-{self.org.lower()}-{PREFIX[self.kind]}-{self.n}"

    @property
    def sent(self) -> bool:
        """An invoice approved in the source (AUTHORISED in Xero): ``invoice()`` makes odd
        numbers sent."""
        return self.kind == "invoice" and self.n % 2 == 1

    @property
    def deleted(self) -> bool:
        """A payment whose newest version deletes it."""
        return self.kind == "payment" and bool(self.variants) and self.variants[-1] == 1

    def newest_lines(self) -> int:
        return self.lines_of.get(self.variants[-1], self.variants[-1])

    def subtotal(self, variant: int) -> Decimal:
        """The lines' amount before tax (Xero's total is at least this)."""
        return sum(
            (Decimal(x["quantity"]) * Decimal(x["unit_amount"]) for x in self._lines(variant)),
            Decimal(0),
        )

    def _lines(self, variant: int) -> list[Record]:
        found = []
        four_places = self.kind in ("invoice", "expense", "credit_note")
        for i in range(1 + (self.n + variant) % 3):
            unit = Decimal(100 + (self.n * 7) % 90 + 13 * variant + i) + Decimal("0.50")
            if four_places and (variant + i) % 4 == 3:
                unit += Decimal("0.0025")  # four decimal places: sent with unitdp=4
            found.append(
                {
                    "description": f"Chaos work {i + 1}, revision {variant}",
                    "quantity": str(1 + (self.n + i + variant) % 4),
                    "unit_amount": str(unit),
                }
            )
        return found

    def body(self, variant: int) -> Record:
        """The document's content for ``variant``: equal variants give equal content."""
        if self.kind == "payment":
            return self._payment(variant)
        lines_variant = self.lines_of.get(variant, variant)
        lines = self._lines(lines_variant)
        if self.kind in ("invoice", "expense"):
            return self._invoice_or_expense(lines_variant, lines)
        contact = dict(self.contact or {})
        data: Record = {"source_id": self.source_id, "lines": lines}
        if self.kind == "purchase_order":
            data.update(
                supplier=contact,
                date="2026-03-03",
                delivery_date="2026-03-20",
                status=self.status_of.get(variant, "approved"),
                reference=f"PO {self.n} rev {lines_variant}",
            )
            if self.numbered:
                data["number"] = f"CH-{self.org}-PO-{self.n:05d}"
        else:
            data.update(
                contact=contact,
                date="2026-03-10",
                status=self.status or "sent",
                reference=f"Credit {self.n} rev {lines_variant}",
            )
            if self.numbered:
                data["number"] = f"CH-{self.org}-CN-{self.n:05d}"
            allocated = self.allocations.get(variant, [])
            if allocated:
                data["allocations"] = [
                    {"document": target.source_id, "amount": money(amount)}
                    for target, amount in allocated
                ]
        return data

    def _invoice_or_expense(self, variant: int, lines: list[Record]) -> Record:
        make = invoice if self.kind == "invoice" else expense
        data = make(self.n, source_id=self.source_id, lines=lines)
        if self.kind == "invoice":
            data.update(contact=dict(self.contact or {}), reference=f"Job {self.n} rev {variant}")
            if self.numbered:
                data["number"] = f"CH-{self.org}-{self.n:05d}"
            else:
                del data["number"]  # Xero numbers it
        else:
            reference = f"BILL-{self.org}-{self.n}-r{variant}"
            data.update(supplier=dict(self.contact or {}), reference=reference)
        if self.url:
            data["url"] = self.url
        return data

    def _payment(self, variant: int) -> Record:
        assert self.paid is not None
        return {
            "source_id": self.source_id,
            "document": {"kind": "invoice", "source_id": self.paid.source_id},
            "amount": money(self.amount),
            "date": PAYMENT_DATE,
            "account_code": PAYMENT_ACCOUNT,
            "reference": self.reference,
            "status": "deleted" if variant == 1 else "recorded",
        }

    @property
    def reference(self) -> str:
        """A payment's reference, its own: what tells its Xero payment from others."""
        return f"Chaos {self.org} payment {self.n}"
