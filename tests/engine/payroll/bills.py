"""What the sandbox holds of a pay run's bills: the judge of every payroll test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerlink.store.payroll import PayRunGeneration
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox.seed import DEMO_TENANT

GONE = ("DELETED", "VOIDED")


def bills(harness: SyncHarness) -> list[dict[str, Any]]:
    """The live ACCPAY bills of the organisation."""
    org = harness.server.state.orgs[DEMO_TENANT]
    return [
        dict(r)
        for r in list(org.invoices.values())
        if r.get("Type") == "ACCPAY" and r.get("Status") not in GONE
    ]


def by_contact(harness: SyncHarness) -> dict[str, tuple[dict[str, str], str]]:
    """Each live bill by its contact's name: its line amount per account and its total; a
    second bill for one contact fails here."""
    org = harness.server.state.orgs[DEMO_TENANT]
    found: dict[str, tuple[dict[str, str], str]] = {}
    for bill in bills(harness):
        name = str(org.contacts[bill["Contact"]["ContactID"]]["Name"])
        assert name not in found, f"two bills for {name}"
        lines: dict[str, str] = {}
        for line in bill["LineItems"]:
            assert line["AccountCode"] not in lines, f"two lines on {line['AccountCode']}"
            lines[str(line["AccountCode"])] = str(Decimal(str(line["LineAmount"])))
        found[name] = (lines, str(Decimal(str(bill["Total"]))))
    return found


def generations(harness: SyncHarness) -> list[PayRunGeneration]:
    with harness.factory() as session:
        rows = list(session.scalars(select(PayRunGeneration).order_by(PayRunGeneration.created_at)))
        for row in rows:
            session.expunge(row)
        return rows
