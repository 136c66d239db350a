"""Documents of the job-management kinds for the flow tests, and readers of what the sandbox
holds for them (the only truth about "in Xero exactly once")."""

from __future__ import annotations

from typing import Any

from tests.engine.sync.conftest import SyncHarness, expense, harness, invoice, sync_server
from xero_sandbox.seed import DEMO_TENANT

__all__ = ["harness", "sync_server"]


def purchase_order(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"po-{n}",
        "supplier": {"key": f"supplier-{n % 5}", "name": f"Supplier {n % 5}"},
        "date": "2026-03-03",
        "delivery_date": "2026-03-20",
        "status": "approved",
        "lines": [
            {"description": "Timber", "quantity": "4", "unit_amount": f"{20 + n}.00"},
            {"description": "Freight", "quantity": "1", "unit_amount": "35.00"},
        ],
    }
    data.update(changes)
    return data


def credit_note(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"cn-{n}",
        "contact": {"key": f"client-{n % 20}", "name": f"Client {n % 20} Pty Ltd"},
        "date": "2026-03-10",
        "status": "sent",
        "lines": [{"description": "Goodwill", "quantity": "1", "unit_amount": "50.00"}],
    }
    data.update(changes)
    return data


def payment(n: int, paid: str, amount: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"pay-{n}",
        "document": {"kind": "invoice", "source_id": paid},
        "amount": amount,
        "date": "2026-03-15",
        "account_code": "090",
        "reference": f"Deposit {n}",
    }
    data.update(changes)
    return data


def org(harness: SyncHarness) -> Any:
    return harness.server.state.orgs[DEMO_TENANT]


def live(records: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in list(records.values()) if r.get("Status") != "DELETED"]


def purchase_orders(harness: SyncHarness) -> list[dict[str, Any]]:
    return live(org(harness).purchase_orders)


def credit_notes(harness: SyncHarness) -> list[dict[str, Any]]:
    return live(org(harness).credit_notes)


def payments(harness: SyncHarness) -> list[dict[str, Any]]:
    return live(org(harness).payments)


def link_of(harness: SyncHarness, kind: str, source_id: str) -> Any:
    from sqlalchemy import select

    from ledgerlink.store.models import Document, Link

    with harness.factory() as session:
        row = session.execute(
            select(Link)
            .join(Document, Document.id == Link.document_id)
            .where(Document.kind == kind, Document.source_id == source_id)
        ).scalar_one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def item_of(harness: SyncHarness, kind: str, source_id: str) -> Any:
    from sqlalchemy import select

    from ledgerlink.store.models import Document, QueueItem

    with harness.factory() as session:
        row = (
            session.execute(
                select(QueueItem)
                .join(Document, Document.id == QueueItem.document_id)
                .where(Document.kind == kind, Document.source_id == source_id)
                .order_by(QueueItem.version.desc())
            )
            .scalars()
            .first()
        )
        if row is not None:
            session.expunge(row)
        return row


def all_done(harness: SyncHarness) -> None:
    left = [
        (i.document_id, i.version, i.state, i.error_code, i.error_message)
        for i in harness.items()
        if i.state not in ("done", "superseded")
    ]
    assert left == []


__all__ += [
    "all_done",
    "credit_note",
    "credit_notes",
    "expense",
    "invoice",
    "item_of",
    "link_of",
    "org",
    "payment",
    "payments",
    "purchase_order",
    "purchase_orders",
]
