"""What a reconciliation report says, apart from how it is gathered (``sync.reconcile``): the
REST API, the CLI and a library caller read the same entries, counts and sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

MISSING = "missing_in_xero"
UNKNOWN = "unknown_to_source"
DIFFER = "differ"
CATEGORIES = (MISSING, UNKNOWN, DIFFER)


@dataclass(frozen=True)
class Entry:
    """One document on which the source and Xero disagree, and a sentence saying how."""

    category: str
    kind: str
    source_id: str | None
    xero_id: str | None
    xero_number: str | None
    xero_status: str | None
    source_status: str | None
    xero_amount: Decimal | None
    source_amount: Decimal | None
    date: date | None
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "kind": self.kind,
            "source_id": self.source_id,
            "xero_id": self.xero_id,
            "xero_number": self.xero_number,
            "xero_status": self.xero_status,
            "source_status": self.source_status,
            "xero_amount": _text(self.xero_amount),
            "source_amount": _text(self.source_amount),
            "date": self.date.isoformat() if self.date else None,
            "explanation": self.explanation,
        }


@dataclass
class Report:
    """A connection's documents of a date range against Xero's; ``calls``: Xero calls made."""

    connection_id: str
    from_date: date
    to_date: date
    kinds: list[str]
    entries: list[Entry] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self) -> None:
        order = {name: n for n, name in enumerate(CATEGORIES)}
        self.entries.sort(
            key=lambda e: (
                order[e.category],
                e.kind,
                e.date or date.min,
                e.source_id or "",
                e.xero_number or "",
                e.xero_id or "",
            )
        )

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per kind and category; every kind asked about is there, zeros included."""
        found = {kind: dict.fromkeys(CATEGORIES, 0) for kind in self.kinds}
        for entry in self.entries:
            found.setdefault(entry.kind, dict.fromkeys(CATEGORIES, 0))[entry.category] += 1
        return found

    def of(self, category: str) -> list[Entry]:
        return [e for e in self.entries if e.category == category]

    def as_dict(self) -> dict[str, Any]:
        return {
            "connection_id": self.connection_id,
            "from": self.from_date.isoformat(),
            "to": self.to_date.isoformat(),
            "kinds": list(self.kinds),
            "calls": self.calls,
            "counts": self.counts(),
            "entries": [e.as_dict() for e in self.entries],
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def amount_of(record: dict[str, Any]) -> Decimal | None:
    """Xero's figure for a record: its Total, or a payment's Amount."""
    value = record.get("Total", record.get("Amount"))
    return None if value is None else Decimal(str(value))


def explain_differ(
    noun: str,
    status: str | None,
    xero_status: str | None,
    xero_words: str | None,
    totals: tuple[Decimal | None, Decimal | None] | None,
) -> str:
    """The one sentence of a linked document Xero holds otherwise: its status (``xero_status``
    given when it differs), its totals (source, Xero; given when they differ), or both."""
    parts = []
    if xero_status is not None:
        shown = f"{xero_status} ({xero_words})" if xero_words else xero_status
        parts.append(f"is {status} in the source but {shown} in Xero")
    if totals is not None:
        parts.append(f"totals {totals[0]} in the source but {totals[1]} in Xero")
    return f"{noun} {' and '.join(parts)}."
