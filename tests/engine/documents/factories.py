"""Documents for tests: a valid invoice and expense as plain JSON-like dicts, and a seeded
generator of many varied invoices (no hypothesis here: a fixed seed keeps failures repeatable)."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from typing import Any


def invoice_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": "inv-1",
        "number": "ST-1001",
        "contact": {"key": "client-7", "name": "Bayside Club", "email": "a@bayside.example"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "draft",
        "reference": "Job 42",
        "lines": [
            {"description": "Design", "quantity": "2", "unit_amount": "150.00"},
            {"description": "Printing", "quantity": "1", "unit_amount": "80.50"},
        ],
    }
    data.update(changes)
    return data


def expense_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": "exp-1",
        "supplier": {"key": "supp-3", "name": "Office Supplies Co"},
        "reference": "OS-7781",
        "date": "2026-03-05",
        "due_date": "2026-04-05",
        "status": "approved",
        "lines": [{"description": "Paper", "quantity": "10", "unit_amount": "4.95"}],
    }
    data.update(changes)
    return data


def with_line(data: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["lines"][index].update(changes)
    return out


def _amount(rng: random.Random, places: int) -> Decimal:
    whole = rng.choice([0, 1, 3, 9, 19, 99, 149, 999, 12345])
    frac = rng.randrange(10**places)
    return Decimal(whole) + Decimal(frac).scaleb(-places)


def random_invoice(rng: random.Random, index: int) -> dict[str, Any]:
    """A valid invoice with awkward figures: 3-4 dp prices, odd quantities, discounts, mixes
    of tax rates and all three amount types."""
    lines = []
    for n in range(rng.randint(1, 6)):
        line: dict[str, Any] = {
            "description": f"Line {n}",
            "quantity": str(_amount(rng, rng.choice([0, 1, 2, 4])) + Decimal("0.0001")),
            "unit_amount": str(_amount(rng, rng.choice([2, 2, 3, 4]))),
            "tax_type": rng.choice(["OUTPUT", "OUTPUT", "EXEMPTOUTPUT", "BASEXCLUDED"]),
        }
        if rng.random() < 0.25:
            line["discount_rate"] = str(rng.choice(["5", "12.5", "33.33", "50", "100"]))
        lines.append(line)
    return invoice_data(
        source_id=f"gen-{index}",
        number=f"GEN-{index:05d}",
        amounts_are=rng.choice(["exclusive", "inclusive", "no_tax"]),
        lines=lines,
    )
