"""Exactly once, checked on Xero's side: what the sandbox's demo organisation holds for each
kind, matched document by document to what the demo pushed.

Invoices and bills are matched by the Url marker ledgerlink puts on each (it ends with the
document's id), purchase orders and credit notes by their numbers, a credit note's allocations
by the invoice each applies to, and payments by how many each invoice has. A document missing,
one in Xero twice, and a record no pushed document accounts for each show, not only a count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledgerlink.demo.documents import Doc, Workload

Record = Mapping[str, Any]
# kind -> source_id -> the document as GET /api/v1/documents shows it (id, link, ...)
EngineView = Mapping[str, Mapping[str, Mapping[str, Any]]]


@dataclass
class InXero:
    """One kind's documents as Xero holds them."""

    records: int = 0  # live records of this kind in Xero that a pushed document accounts for
    twice: int = 0  # copies beyond the first, over all documents
    missing: list[str] = field(default_factory=list)  # valid documents not in Xero
    strangers: int = 0  # live records no pushed document accounts for

    @property
    def once(self) -> bool:
        return not (self.twice or self.missing or self.strangers)

    def problem(self, kind: str) -> str | None:
        if self.once:
            return None
        first = f" (first: {self.missing[0]})" if self.missing else ""
        return (
            f"{kind}: {len(self.missing)} missing in Xero{first}, {self.twice} in Xero twice, "
            f"{self.strangers} not from any document pushed"
        )


def _tally(wanted: Mapping[str, int], seen: Counter[str], strangers: int = 0) -> InXero:
    """``wanted``: how many records each key should have; ``seen``: how many Xero holds."""
    out = InXero(strangers=strangers)
    for key, count in wanted.items():
        have = seen.get(key, 0)
        out.records += min(have, count)
        out.twice += max(0, have - count)
        if have < count:
            out.missing.append(key)
    out.strangers += sum(n for key, n in seen.items() if key not in wanted)
    return out


def _live(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.get("Status") != "DELETED"]


def _marked(url: str) -> str:
    """The document id in ledgerlink's Url marker (``.../documents/<id>`` or
    ``...#ledgerlink=<id>`` after the app's own link)."""
    if "ledgerlink=" in url:
        return url.rsplit("ledgerlink=", 1)[1]
    return url.rstrip("/").rsplit("/", 1)[-1]


def by_url(
    records: Iterable[Record],
    xero_type: str,
    docs: Mapping[str, Mapping[str, Any]],
    valid: list[str],
) -> InXero:
    """Sales invoices (ACCREC) or bills (ACCPAY), one per valid document, by Url marker."""
    source_of = {str(doc["id"]): source for source, doc in docs.items()}
    seen: Counter[str] = Counter()
    for record in _live(records):
        if record.get("Type") == xero_type:
            seen[source_of.get(_marked(str(record.get("Url") or "")), "?")] += 1
    return _tally(dict.fromkeys(valid, 1), seen)


def by_number(
    records: Iterable[Record], number_field: str, pushed: list[Doc], valid: list[str]
) -> InXero:
    """Purchase orders or credit notes, one per valid document, by the number each was sent
    with (the source_id when it has none)."""
    keep = set(valid)
    number_of = {d["source_id"]: d.get("number") or d["source_id"] for d in pushed}
    source_of = {number_of[s]: s for s in keep}
    seen: Counter[str] = Counter()
    for record in _live(records):
        seen[source_of.get(str(record.get(number_field) or ""), "?")] += 1
    return _tally(dict.fromkeys(valid, 1), seen)


def allocations(
    records: Iterable[Record], notes: list[Doc], valid: list[str], invoices: Mapping[str, Any]
) -> InXero:
    """Each valid credit note's allocations: one in Xero per invoice it applies to."""
    keep = set(valid)
    by_number = {str(r.get("CreditNoteNumber") or ""): r for r in _live(records)}
    wanted: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for note in notes:
        if note["source_id"] not in keep or not note.get("allocations"):
            continue
        record = by_number.get(note.get("number") or note["source_id"], {})
        made = Counter(
            str((a.get("Invoice") or {}).get("InvoiceID") or "").lower()
            for a in record.get("Allocations") or []
            if not a.get("IsDeleted")
        )
        for allocation in note["allocations"]:
            target = _xero_id(invoices, allocation["document"])
            key = f"{note['source_id']} -> {allocation['document']}"
            wanted[key] = 1
            seen[key] = made.pop(target, 0)
        seen["?"] += sum(made.values())
    return _tally(wanted, seen)


def payments(
    records: Iterable[Record], pushed: list[Doc], valid: list[str], invoices: Mapping[str, Any]
) -> InXero:
    """Payments by invoice: as many in Xero on each invoice as the valid payments naming it."""
    keep = set(valid)
    wanted = Counter(p["document"]["source_id"] for p in pushed if p["source_id"] in keep)
    source_of = {_xero_id(invoices, source): source for source in wanted}
    seen: Counter[str] = Counter()
    for record in _live(records):
        seen[source_of.get(_paid(record), "?")] += 1
    out = _tally(dict(wanted), seen)
    out.missing = [f"payment on {source}" for source in out.missing]
    return out


def _paid(record: Record) -> str:
    """The Xero id of the invoice a payment is on: ``Invoice`` as the API shows it, or the
    reference the sandbox keeps in its own state (``_document``)."""
    shown = (record.get("Invoice") or {}).get("InvoiceID") or record.get("_document")
    return str(shown or "").lower()


def _xero_id(docs: Mapping[str, Any], source_id: str) -> str:
    link = (docs.get(source_id) or {}).get("link") or {}
    return str(link.get("xero_id") or "").lower()


def count_in_xero(org: Any, work: Workload, engine: EngineView) -> dict[str, InXero]:
    """Every kind the workload has, as the sandbox's organisation holds it."""
    invoices = engine.get("invoice", {})
    found: dict[str, InXero] = {}
    for kind in work.kinds():
        valid = work.valid(kind)
        pushed = work.documents(kind)
        if kind == "invoice":
            found[kind] = by_url(org.invoices.values(), "ACCREC", invoices, valid)
        elif kind == "expense":
            found[kind] = by_url(org.invoices.values(), "ACCPAY", engine.get(kind, {}), valid)
        elif kind == "purchase_order":
            found[kind] = by_number(
                org.purchase_orders.values(), "PurchaseOrderNumber", pushed, valid
            )
        elif kind == "credit_note":
            found[kind] = by_number(org.credit_notes.values(), "CreditNoteNumber", pushed, valid)
            found["allocation"] = allocations(org.credit_notes.values(), pushed, valid, invoices)
        elif kind == "payment":
            found[kind] = payments(org.payments.values(), pushed, valid, invoices)
    return found
