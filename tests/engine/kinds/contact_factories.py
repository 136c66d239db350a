"""Customers and suppliers as a source app (an inventory app's customer and vendor lists)
sends them, and readers of what the sandbox holds for them: the only truth about "one
contact in Xero"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledgerlink.store.twoway import Event
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox.seed import DEMO_TENANT


def customer(n: int, **changes: Any) -> dict[str, Any]:
    """Customer ``client-n``: the key the harness's invoices name their contact by."""
    data: dict[str, Any] = {
        "source_id": f"client-{n}",
        "name": f"Client {n} Pty Ltd",
        "first_name": "Dana",
        "last_name": f"Client{n}",
        "email": f"accounts{n}@client{n}.example",
        "account_number": f"ACC-{n:04d}",
        "tax_number": f"12 345 678 {n:03d}",
        "phones": [
            {"type": "default", "number": f"555 01{n:02d}", "area_code": "02"},
            {"type": "mobile", "number": f"0400 000 {n:03d}"},
        ],
        "addresses": [
            {
                "type": "street",
                "lines": [f"{n} Main Street", "Level 2"],
                "city": "Sydney",
                "region": "NSW",
                "postal_code": "2000",
                "country": "Australia",
            },
            {"type": "pobox", "lines": [f"PO Box {n}"], "city": "Sydney", "postal_code": "2001"},
        ],
        "sales_account_code": "200",
        "sales_tax_type": "OUTPUT",
        "payment_terms": {"day": 14, "type": "days_after_invoice"},
    }
    data.update(changes)
    return data


def supplier(n: int, **changes: Any) -> dict[str, Any]:
    """Supplier ``supplier-n``: the key the harness's expenses and POs name theirs by."""
    data: dict[str, Any] = {
        "source_id": f"supplier-{n}",
        "name": f"Supplier {n}",
        "email": f"sales@supplier{n}.example",
        "phones": [{"type": "ddi", "number": f"555 02{n:02d}"}],
        "addresses": [{"type": "pobox", "lines": [f"PO Box 9{n}"], "city": "Melbourne"}],
        "purchase_account_code": "400",
        "purchase_tax_type": "INPUT",
        "payment_terms": {"day": 20, "type": "of_following_month"},
    }
    data.update(changes)
    return data


def xero_contacts(harness: SyncHarness, *, archived: bool = True) -> list[dict[str, Any]]:
    org = harness.server.state.orgs[DEMO_TENANT]
    found = [dict(c) for c in list(org.contacts.values())]
    return [c for c in found if archived or c.get("ContactStatus") == "ACTIVE"]


def numbered(harness: SyncHarness, number: str) -> list[dict[str, Any]]:
    """The sandbox's contacts carrying this ContactNumber (one, when all went well)."""
    return [c for c in xero_contacts(harness) if c.get("ContactNumber") == number]


def told(harness: SyncHarness, type_: str) -> list[dict[str, Any]]:
    with harness.factory() as session:
        rows = session.scalars(select(Event).where(Event.type == type_).order_by(Event.id))
        return [dict(r.data) for r in rows]


def all_done(harness: SyncHarness) -> None:
    left = [
        (i.document_id, i.state, i.error_code, i.error_message)
        for i in harness.items()
        if i.state not in ("done", "superseded")
    ]
    assert left == []


__all__ = ["all_done", "customer", "numbered", "supplier", "told", "xero_contacts"]
