"""Money applied to documents: payments and credit note allocations change both sides at once."""

from __future__ import annotations

from xero_sandbox.context import ApiContext
from xero_sandbox.resources.doc_kinds import DocKind, amount_due_fields
from xero_sandbox.state import Record


def touch(ctx: ApiContext, kind: DocKind, record: Record) -> None:
    """Recompute a document's balance after money moved, and announce the change."""
    amount_due_fields(kind, record)
    ctx.state.stamp(record)
    data = {"Type": record["Type"], "Status": record["Status"]} if kind.event_data else None
    ctx.state.emit(ctx.org, kind.category, "UPDATE", record[kind.id_field], kind.key, data)


def document_ref(kind: DocKind, record: Record) -> Record:
    """How a document shows inside a payment or an allocation."""
    return {
        kind.id_field: record[kind.id_field],
        kind.number_field: record.get(kind.number_field),
        "Type": record["Type"],
        "Status": record["Status"],
        "Total": record["Total"],
        "CurrencyCode": record["CurrencyCode"],
        "Contact": dict(record["Contact"]),
    }
