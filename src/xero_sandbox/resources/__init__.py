"""The Accounting API endpoints, one module per resource."""

from __future__ import annotations

from xero_sandbox.resources import (
    accounts,
    aged,
    allocations,
    balancesheet,
    banksummary,
    banktransactions,
    banktransfers,
    brandingthemes,
    contactgroups,
    contacts,
    creditnotes,
    credits,
    currencies,
    history,
    invoices,
    items,
    journals,
    linkedtransactions,
    manualjournals,
    organisation,
    payments,
    profitandloss,
    purchaseorders,
    quotes,
    repeatinginvoices,
    taxrates,
    tracking,
    trialbalance,
    users,
)
from xero_sandbox.routing import ApiRoute

MODULES = (
    organisation,
    accounts,
    taxrates,
    currencies,
    tracking,
    contacts,
    items,
    invoices,
    creditnotes,
    payments,
    purchaseorders,
    manualjournals,
    users,
    brandingthemes,
    contactgroups,
    quotes,
    repeatinginvoices,
    linkedtransactions,
    journals,
    trialbalance,
    profitandloss,
    balancesheet,
    aged,
    banksummary,
    banktransactions,
    banktransfers,
    credits,
    allocations,
    history,
)


def all_routes() -> list[ApiRoute]:
    routes: list[ApiRoute] = []
    for module in MODULES:
        routes.extend(module.ROUTES)
    return routes
