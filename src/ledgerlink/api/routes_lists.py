"""Xero's lists for the source app's dropdowns, from the connection's cached reference data.

Accounts are filtered by what fits a document kind (revenue accounts for invoices, expense or
liability accounts for bills and purchase orders, bank accounts for payments: the kind says);
tax rates by the account they would go with; items, tracking categories with their options and
currencies as Xero holds them. The cache is filled by "Synchronize" (POST .../reference/refresh)
and by the worker; nothing here calls Xero.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ledgerlink import kinds
from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping.preflight import account_class, tax_rate_choices
from ledgerlink.store import connections as conns
from ledgerlink.sync.reference import ReferenceView

router = APIRouter(prefix="/connections", tags=["connections"], responses=ERROR_RESPONSES)
LISTS = ("accounts", "tax_rates", "items", "tracking", "currencies")


class ListOut(BaseModel):
    name: str = Field(description="accounts, tax_rates, items, tracking or currencies.")
    kind: str | None = None
    fetched_at: str | None = Field(
        None, description="When the list was last read from Xero (null: never: Synchronize)."
    )
    items: list[dict[str, Any]]


def _account(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": record.get("Code"),
        "name": record.get("Name"),
        "class": account_class(record),
        "type": record.get("Type"),
        "tax_type": record.get("TaxType"),
    }


@router.get("/{connection_id}/lists/{name}", response_model=ListOut)
def get_list(
    request: Request,
    workspace_id: WorkspaceId,
    connection_id: str,
    name: str,
    kind: str | None = Query(None, description="Accounts that fit this document kind."),
    variant: str | None = Query(None, description="A kind's variant (credit_note: supplier)."),
    account_code: str | None = Query(None, description="Tax rates valid for this account."),
) -> ListOut:
    """One of Xero's lists: accounts, tax_rates, items, tracking, currencies."""
    if name not in LISTS:
        raise LedgerlinkError(
            "NOT_FOUND", f"list must be one of {', '.join(LISTS)} (got {name!r}).", field="name"
        )
    spec = kinds.get(kind) if kind else None
    if variant is not None and (spec is None or variant not in spec.variants()):
        known = ", ".join(spec.variants()) if spec and spec.variants() else "none"
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"variant must be one of: {known}.", field="variant"
        )
    with services(request).factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
        view = ReferenceView(session, connection_id)
        source = "tracking" if name == "tracking" else name
        fetched = view.fetched_at(source)
        if name == "accounts":
            records = view.all("accounts")
            if spec is not None:
                records = spec.account_choices(records, variant)
            items = [_account(r) for r in records]
        elif name == "tax_rates":
            items = _tax_rates(view, account_code)
        else:
            items = [dict(r) for r in view.all(source)]
    return ListOut(
        name=name,
        kind=spec.name if spec else None,
        fetched_at=fetched.isoformat() if fetched else None,
        items=items,
    )


def _tax_rates(view: ReferenceView, account_code: str | None) -> list[dict[str, Any]]:
    account = None
    if account_code is not None:
        account = view.account(account_code)
        if account is None:
            raise LedgerlinkError(
                "XERO_ACCOUNT_CODE_INVALID",
                f"account_code '{account_code}' is not in the organisation's chart of accounts.",
                field="account_code",
            )
    return [
        {
            "tax_type": r.get("TaxType"),
            "name": r.get("Name"),
            "rate": r.get("EffectiveRate", r.get("DisplayTaxRate")),
        }
        for r in tax_rate_choices(view.tax_rates(), account)
    ]
