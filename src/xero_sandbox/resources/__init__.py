"""The Accounting API endpoints, one module per resource."""

from __future__ import annotations

from xero_sandbox.resources import (
    accounts,
    contacts,
    creditnotes,
    currencies,
    invoices,
    items,
    journals,
    manualjournals,
    organisation,
    payments,
    purchaseorders,
    taxrates,
    tracking,
    trialbalance,
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
    journals,
    trialbalance,
)


def all_routes() -> list[ApiRoute]:
    routes: list[ApiRoute] = []
    for module in MODULES:
        routes.extend(module.ROUTES)
    return routes
