"""The demo's workload as a job-management app sends it: the trades business's invoices and
expenses (documents.py), the purchase orders it raises for materials, the credit notes it
gives (some applied to invoices, one crediting a whole invoice), and its clients' payments.

Invoices stay the majority. Two invoices are settled in full, so "Refresh from Xero" has
something to show: one paid by its client (a deposit, then the balance), one credited in full.
Their lines carry GST that is exact to the cent, so the app knows their totals as Xero will.

Besides the five bad invoices and expenses, one bad document per new kind shows a rule: a
purchase order line on a revenue account (XERO_ACCOUNT_CODE_INVALID, held), a payment above
what is still due (PAYMENT_INVALID, held), and a draft credit note applied to an invoice
(VALIDATION_FAILED at intake: Xero allocates only approved credit notes).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from ledgerlink.demo.documents import (
    CLIENTS,
    SUPPLIERS,
    Doc,
    Workload,
    bad_invoices_and_expenses,
    expense,
    invoice,
)

MIN_DOCUMENTS = 40
# Shares of the documents that are not deliberately bad; invoices take the rest (about 55%).
SHARES = {"expense": 0.14, "purchase_order": 0.10, "credit_note": 0.06, "payment": 0.15}
TRADE_SUPPLIERS = [
    "Bunnings Trade",
    "Reece Plumbing",
    "Middy's Electrical",
    "Dulux Trade Centre",
    "Boral Timber",
]
# description, unit price, account (Cost of Goods Sold, Freight; None: the connection's default)
MATERIALS = [
    ("Copper pipe 15 mm (per m)", Decimal("4.85"), "310"),
    ("PVC fittings pack", Decimal("23.40"), "310"),
    ("TPS cable 2.5 mm (100 m)", Decimal("189.00"), "310"),
    ("Pine framing 90x45 (per m)", Decimal("7.95"), "310"),
    ("Interior paint 10 L", Decimal("142.50"), None),
    ("Delivery", Decimal("45.00"), "425"),
]
# The lines of the invoices settled in full: 272.00 + GST 27.20, and 430.50 + GST 43.05.
SETTLED_LINES: list[list[Doc]] = [
    [
        {"description": "Call-out fee", "quantity": "1", "unit_amount": "95.00"},
        {"description": "Labour (per hour)", "quantity": "2", "unit_amount": "88.50"},
    ],
    [
        {
            "description": "Site inspection",
            "quantity": "1",
            "unit_amount": "165.00",
            "account_code": "260",
        },
        {"description": "Labour (per hour)", "quantity": "3", "unit_amount": "88.50"},
    ],
]
GST = Decimal("0.10")
CENT = Decimal("0.01")
BANK_ACCOUNT = "090"  # the demo organisation's Business Bank Account
PAID, CREDITED = "paid in full", "credited in full"


def _key(prefix: str, name: str) -> str:
    return f"{prefix}-" + name.lower().replace(" ", "-")


def subtotal(doc: Doc) -> Decimal:
    """The lines before tax, to the cent (every demo line is tax-exclusive)."""
    return sum(
        ((Decimal(x["quantity"]) * Decimal(x["unit_amount"])).quantize(CENT) for x in doc["lines"]),
        Decimal(0),
    )


def total_with_gst(doc: Doc) -> Decimal:
    """The total as Xero works it out for lines on GST on Income (10%), tax per line."""
    amounts = [
        (Decimal(x["quantity"]) * Decimal(x["unit_amount"])).quantize(CENT) for x in doc["lines"]
    ]
    return sum((a + (a * GST).quantize(CENT) for a in amounts), Decimal(0))


def _share(doc: Doc, fraction: str) -> Decimal:
    return (subtotal(doc) * Decimal(fraction)).quantize(CENT, rounding=ROUND_DOWN)


def purchase_order(rng: random.Random, n: int, start: date) -> Doc:
    """Materials ordered from a trade supplier for a job; most approved, some still drafts."""
    supplier = rng.choice(TRADE_SUPPLIERS)
    ordered = start + timedelta(days=rng.randint(0, 60))
    lines = []
    for _ in range(rng.randint(1, 3)):
        text, price, account = rng.choice(MATERIALS)
        line: Doc = {
            "description": text,
            "quantity": str(rng.choice([1, 2, 5, 10, 25])),
            "unit_amount": str(price),
        }
        if account:
            line["account_code"] = account
        lines.append(line)
    return {
        "source_id": f"po-{n:05d}",
        "number": f"PO-{n:05d}",
        "supplier": {"key": _key("supplier", supplier), "name": supplier},
        "date": ordered.isoformat(),
        "delivery_date": (ordered + timedelta(days=rng.randint(3, 14))).isoformat(),
        "reference": f"Job {1000 + rng.randint(1, 500)}",
        "status": "approved" if rng.random() < 0.6 else "draft",
        "lines": lines,
    }


def credit_note(rng: random.Random, n: int, start: date, *, client: str | None = None) -> Doc:
    """A credit to a client (a discount, a goodwill gesture) or, one in five, from a supplier
    (goods returned); sent mostly, some drafts."""
    dated = (start + timedelta(days=rng.randint(30, 70))).isoformat()
    if client is None and rng.random() < 0.2:
        supplier, account = rng.choice(SUPPLIERS)
        return {
            "source_id": f"cn-{n:05d}",
            "number": f"CN-{n:05d}",
            "type": "supplier",
            "contact": {"key": _key("supplier", supplier), "name": supplier},
            "date": dated,
            "status": "sent",
            "reference": f"Return RA-{300 + n}",
            "lines": [
                {
                    "description": "Goods returned",
                    "quantity": "1",
                    "unit_amount": str(Decimal(rng.randint(2000, 20000)).scaleb(-2)),
                    "account_code": account,
                }
            ],
        }
    name = client or rng.choice(CLIENTS)
    text = rng.choice(["Loyalty discount", "Goodwill: missed appointment", "Overcharge refund"])
    return {
        "source_id": f"cn-{n:05d}",
        "number": f"CN-{n:05d}",
        "contact": {"key": _key("client", name), "name": name},
        "date": dated,
        "status": "sent" if rng.random() < 0.7 else "draft",
        "reference": f"Credit {n}",
        "lines": [
            {
                "description": text,
                "quantity": "1",
                "unit_amount": str(Decimal(rng.randint(1500, 9000)).scaleb(-2)),
            }
        ],
    }


def payment(n: int, paid: Doc, amount: Decimal, days: int, reference: str) -> Doc:
    """A client's payment on a sent invoice, into the bank account."""
    when = date.fromisoformat(paid["issue_date"]) + timedelta(days=days)
    return {
        "source_id": f"pay-{n:05d}",
        "document": {"kind": "invoice", "source_id": paid["source_id"]},
        "amount": str(amount),
        "date": when.isoformat(),
        "account_code": BANK_ACCOUNT,
        "reference": f"{reference} {paid['number']}",
    }


class _Free:
    """Sent invoices nothing is applied to yet, handed out once each (by client if asked)."""

    def __init__(self, invoices: list[Doc]) -> None:
        self.left = [d for d in invoices if d["status"] == "sent"]

    def take(self, client: str | None = None) -> Doc | None:
        for doc in self.left:
            if client is None or doc["contact"]["name"] == client:
                self.left.remove(doc)
                return doc
        return None

    def busiest_client(self) -> str:
        names = [d["contact"]["name"] for d in self.left]
        return max(sorted(set(names)), key=names.count)


def _settle(free: _Free) -> list[Doc]:
    """Two sent invoices get the lines whose totals the app knows to the cent."""
    settled = []
    for lines in SETTLED_LINES:
        doc = free.take()
        if doc is None:
            raise ValueError("too few sent invoices to settle two in full")
        doc["lines"] = [dict(x) for x in lines]
        settled.append(doc)
    return settled


def _credit_notes(
    rng: random.Random, count: int, start: date, free: _Free, credited: Doc
) -> list[Doc]:
    """The credit notes: the first applied to up to three invoices of one client, the second
    crediting a whole invoice (its lines copied at intake) and applied to it in full."""
    client = free.busiest_client()
    first = credit_note(rng, 1, start, client=client)
    targets = [t for t in (free.take(client) for _ in range(3)) if t is not None]
    first["allocations"] = [
        {"document": t["source_id"], "amount": str(min(Decimal("25.00"), _share(t, "0.3")))}
        for t in targets
    ]
    first["status"] = "sent"
    first["lines"][0]["unit_amount"] = str(sum(Decimal(a["amount"]) for a in first["allocations"]))
    first["date"] = max(date.fromisoformat(t["issue_date"]) for t in targets).isoformat()
    whole = {
        "source_id": "cn-00002",
        "number": "CN-00002",
        "date": credited["issue_date"],
        "status": "sent",
        "reference": f"Job cancelled: {credited['number']}",
        "credits_invoice": credited["source_id"],
        "allocations": [
            {"document": credited["source_id"], "amount": str(total_with_gst(credited))}
        ],
    }
    notes = [first, whole]
    for n in range(3, count + 1):
        note = credit_note(rng, n, start)
        if note.get("type") != "supplier" and note["status"] == "sent" and rng.random() < 0.2:
            target = free.take(note["contact"]["name"])
            if target is not None:
                credit = Decimal(note["lines"][0]["unit_amount"])
                amount = min(credit, _share(target, "0.1"))
                note["allocations"] = [{"document": target["source_id"], "amount": str(amount)}]
                note["date"] = max(note["date"], target["issue_date"])
        notes.append(note)
    return notes


def _fractions() -> Iterator[str]:
    """Each round of payments over the invoices pays a smaller part, 80% of the lines before
    tax at most, so no invoice is paid beyond what it owes."""
    yield from ("0.3", "0.2", "0.1", "0.05", "0.05", "0.05", "0.05")


def _payments(count: int, free: _Free, paid: Doc) -> list[Doc]:
    """The invoice paid in full (a deposit, then the balance), then deposits and progress
    payments on other sent invoices, never more than 80% of one's lines before tax."""
    full = total_with_gst(paid)
    deposit = Decimal("100.00")
    payments = [
        payment(1, paid, deposit, 3, "Deposit"),
        payment(2, paid, full - deposit, 21, "Final payment"),
    ]
    targets = list(free.left)
    if not targets:
        raise ValueError("no sent invoice left to take payments")
    for round_, fraction in enumerate(_fractions()):
        label = "Deposit" if round_ == 0 else "Progress payment"
        for target in targets:
            if len(payments) >= count:
                return payments
            amount = _share(target, fraction)
            if amount > 0:
                payments.append(payment(len(payments) + 1, target, amount, 7 * round_ + 5, label))
    raise ValueError(f"too few sent invoices for {count} payments")


def _bad_new_kinds(
    rng: random.Random, start: date, target: Doc
) -> tuple[Doc, Doc, Doc, dict[str, tuple[str, str]]]:
    """A PO line on Sales, a payment with an extra zero, a draft credit note applied."""
    revenue = purchase_order(rng, 90006, start)
    revenue["source_id"] = "po-bad-revenue-account"
    revenue["lines"][0]["account_code"] = "200"  # Sales: a PO posts to expenses, not revenue
    over = payment(90007, target, _share(target, "10"), 5, "Payment")
    over["source_id"] = "pay-over-due"
    draft = credit_note(rng, 90008, start, client=target["contact"]["name"])
    draft["source_id"] = "cn-draft-allocation"
    draft["status"] = "draft"
    draft["allocations"] = [{"document": target["source_id"], "amount": "10.00"}]
    expected = {
        "po-bad-revenue-account": ("purchase_order", "XERO_ACCOUNT_CODE_INVALID"),
        "pay-over-due": ("payment", "PAYMENT_INVALID"),
        "cn-draft-allocation": ("credit_note", "VALIDATION_FAILED"),
    }
    return revenue, over, draft, expected


def _in_the_middle(docs: list[Doc], bad: list[Doc]) -> None:
    """Bad ones in the middle of the stream: they must not hold back the documents after."""
    docs[len(docs) // 2 : len(docs) // 2] = bad


def job_workload(total: int, *, seed: int = 7, start: date = date(2026, 3, 1)) -> Workload:
    """``total`` documents of every job-management kind, eight of them deliberately bad."""
    if total < MIN_DOCUMENTS:
        raise ValueError(f"the demo needs at least {MIN_DOCUMENTS} documents (got {total})")
    rng = random.Random(seed)
    out = Workload()
    bad_invoices, bad_expenses, expected = bad_invoices_and_expenses(rng, start)
    room = total - len(bad_invoices) - len(bad_expenses) - 3
    sizes = {kind: max(2, round(room * share)) for kind, share in SHARES.items()}
    invoices = [invoice(rng, n, start) for n in range(1, room - sum(sizes.values()) + 1)]
    out.revised = invoices[0]["source_id"]
    free = _Free(invoices[1:])
    paid, credited = _settle(free)
    out.settled = {paid["source_id"]: PAID, credited["source_id"]: CREDITED}
    out.expenses = [expense(rng, n, start) for n in range(1, sizes["expense"] + 1)]
    out.purchase_orders = [
        purchase_order(rng, n, start) for n in range(1, sizes["purchase_order"] + 1)
    ]
    out.purchase_orders[0]["status"] = "approved"
    out.reverted_po = out.purchase_orders[0]["source_id"]
    out.credit_notes = _credit_notes(rng, sizes["credit_note"], start, free, credited)
    bad_po, bad_payment, bad_note, more = _bad_new_kinds(rng, start, paid)
    out.payments = _payments(sizes["payment"], free, paid)
    out.invoices = invoices
    _in_the_middle(out.invoices, bad_invoices)
    _in_the_middle(out.expenses, bad_expenses)
    _in_the_middle(out.purchase_orders, [bad_po])
    _in_the_middle(out.credit_notes, [bad_note])
    _in_the_middle(out.payments, [bad_payment])
    out.expected_errors = {**expected, **more}
    return out
