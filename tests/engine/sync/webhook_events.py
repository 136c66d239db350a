"""Xero webhook events as a test sends them: what Xero would deliver for an invoice, stored the
way the receiver stores a verified delivery (without HTTP)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.sync import xero_webhooks
from xero_sandbox.seed import DEMO_TENANT


def invoice_event(xero_id: str, when: str) -> dict[str, str]:
    """Xero's INVOICE UPDATE event for one invoice of the demo organisation."""
    return update_event("INVOICE", "Invoices", xero_id, when)


def update_event(category: str, resource: str, xero_id: str, when: str) -> dict[str, str]:
    """Xero's UPDATE event of a category (INVOICE, CONTACT) for one record of the demo
    organisation."""
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/{resource}/{xero_id}",
        "resourceId": xero_id,
        "tenantId": DEMO_TENANT,
        "tenantType": "ORGANISATION",
        "eventCategory": category,
        "eventType": "UPDATE",
        "eventDateUtc": when,
    }


def deliver(
    factory: sessionmaker[Session], events: list[dict[str, str]], now: datetime
) -> xero_webhooks.Received:
    """Store a delivery's events as the receiver does for ledgerlink's own Xero app."""
    with factory() as session, session.begin():
        return xero_webhooks.store(session, xero_webhooks.SERVICE_RECEIVER, events, now)
