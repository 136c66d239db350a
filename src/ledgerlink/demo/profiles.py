"""The demo's profiles: one flow per kind of source app ledgerlink serves.

``ledgerlink demo --profile NAME`` connects the profile's organisation with its settings, then
runs its flow; the default, ``mixed``, is the job-management flow followed by a short pass of
every other product's, so one run shows every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def _mixed(stage: Stage, documents: int) -> int:
    return jobs_flow(stage, documents)


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "mixed",
            "a job-management app's documents, then every other product's",
            "Demo Trades Pty Ltd",
            _mixed,
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
    )
}
DEFAULT_PROFILE = "mixed"
