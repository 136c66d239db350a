"""The demo's profiles: one flow per kind of source app ledgerlink serves.

``ledgerlink demo --profile NAME`` connects the profile's organisation with its settings, then
runs its flow. The default, ``mixed``, is the demo as it always was: a trades business's sales
invoices and expenses with the job-management kinds around them (the same flow as ``jobs``);
payroll, store and inventory each run their product's flow on an organisation of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledgerlink.demo.flow_inventory import inventory_flow
from ledgerlink.demo.flow_jobs import jobs_flow
from ledgerlink.demo.flow_payroll import payroll_flow
from ledgerlink.demo.flow_store import store_flow
from ledgerlink.demo.jobs import MIN_DOCUMENTS
from ledgerlink.demo.stage import Stage

Flow = Callable[[Stage, int], int]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    workspace: str
    flow: Flow
    tenant: str = "demo"  # the sandbox organisation connected (its key)
    settings: Mapping[str, Any] = field(
        default_factory=lambda: {
            "default_revenue_account": "200",
            "default_expense_account": "429",
        }
    )
    min_documents: int = MIN_DOCUMENTS


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "mixed",
            "a trades business's invoices and expenses, with the job-management kinds",
            "Demo Trades Pty Ltd",
            jobs_flow,
        ),
        Profile(
            "jobs",
            "a job-management app: invoices, expenses, purchase orders, credit notes, payments",
            "Demo Trades Pty Ltd",
            jobs_flow,
        ),
        Profile(
            "payroll",
            "a payroll app: pay runs become bills through pay-item types",
            "Demo Payroll Pty Ltd",
            payroll_flow,
            min_documents=30,
        ),
        Profile(
            "store",
            "an online-store hub: products become items, orders invoices, paid ones paid",
            "Demo Garden Store",
            store_flow,
            min_documents=30,
        ),
        Profile(
            "inventory",
            "an inventory app: customers, vendors, tracked items, valuation journals",
            "Demo Furniture Warehouse",
            inventory_flow,
            min_documents=30,
        ),
    )
}
DEFAULT_PROFILE = "mixed"
