"""Mappings: how a source line finds its account code and tax type beyond the connection's
defaults, one section per kind of mapping, for one connection at a time.

Item overrides are the first section (item code -> account and tax type, per usage: sales or
purchase), chosen from Xero's own lists; a later kind of mapping (pay items, products) is one
more ``Section`` here with its partial template and its own form routes, on the same page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store import overrides
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection
from ledgerlink.sync.reference_view import ReferenceView
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, services
from ledgerlink.web.render import go, page
from ledgerlink.web.xero_lists import XeroLists, xero_lists

router = APIRouter(include_in_schema=False)
USAGE_WORDS = {
    "sales": "Sales items (invoices, credit notes)",
    "purchase": "Purchase items (bills, purchase orders)",
}
# Which of Xero's account lists an override of each usage chooses from (web.xero_lists).
USAGE_ACCOUNTS = {"sales": "revenue", "purchase": "purchase"}


@dataclass(frozen=True)
class Wanted:
    """What the page was asked to show beyond the lists: a row to change, a refused form."""

    usage: str = ""
    item: str = ""
    posted: dict[str, str] | None = None
    error: LedgerlinkError | None = None


@dataclass(frozen=True)
class Section:
    """One kind of mapping: its heading, its partial template, and what that template reads."""

    key: str
    heading: str
    template: str
    load: Callable[[Session, Connection, XeroLists, Wanted], dict[str, Any]]


def _label(choices: list[Any], value: str | None) -> str:
    for choice in choices:
        if choice.value == value:
            return str(choice.label)
    return value or ""


def _items(session: Session, row: Connection, lists: XeroLists, wanted: Wanted) -> dict[str, Any]:
    listed = overrides.list_overrides(session, row.workspace_id, row.id)
    by_usage: dict[str, list[dict[str, str]]] = {usage: [] for usage in overrides.USAGES}
    for found in listed:
        accounts = lists.accounts[USAGE_ACCOUNTS[found.usage]]
        by_usage[found.usage].append(
            {
                "item_code": found.item_code,
                "account_code": found.account_code or "",
                "account": _label(accounts, found.account_code),
                "tax_type": found.tax_type or "",
                "tax": _label(lists.tax_rates[found.usage], found.tax_type),
            }
        )
    forms: dict[str, dict[str, str]] = {usage: {} for usage in overrides.USAGES}
    if wanted.posted is not None:
        forms[wanted.usage] = wanted.posted
    elif wanted.usage in forms:
        for shown in by_usage[wanted.usage]:
            if shown["item_code"] == wanted.item:
                forms[wanted.usage] = shown
    items = ReferenceView(session, row.id).all("items")
    return {
        "usages": [(u, USAGE_WORDS[u], USAGE_ACCOUNTS[u]) for u in overrides.USAGES],
        "rows": by_usage,
        "forms": forms,
        "item_codes": [str(i["Code"]) for i in items if i.get("Code")],
        "error_usage": wanted.usage if wanted.error is not None else "",
    }


SECTIONS = (Section("items", "Item overrides", "mappings_items.html", _items),)


def _mappings_page(
    request: Request, who: Person, connection_id: str, wanted: Wanted | None = None
) -> Response:
    wanted = wanted or Wanted()
    with services(request).factory() as session:
        listed = conns.list_connections(session, who.workspace_id)
        context: dict[str, Any] = {
            "connections": [(c.id, c.tenant_name or c.tenant_id) for c in listed],
            "error": wanted.error,
            "sections": SECTIONS,
        }
        if not connection_id and listed:
            connection_id = listed[0].id
        if connection_id:
            row = conns.get_connection(session, who.workspace_id, connection_id)
            lists = xero_lists(session, row.id)
            context["connection"] = row
            context["lists"] = lists
            context["data"] = {s.key: s.load(session, row, lists, wanted) for s in SECTIONS}
    status = wanted.error.http_status if wanted.error is not None else 200
    return page(request, "mappings.html", context, status=status)


@router.get("/mappings")
def mappings(
    request: Request, who: Viewer, connection: str = "", usage: str = "", item: str = ""
) -> Response:
    return _mappings_page(request, who, connection, Wanted(usage=usage, item=item))


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _back(connection_id: str) -> str:
    return f"/mappings?connection={connection_id}"


@router.post("/mappings/item-overrides")
async def save_override(request: Request, who: Editor) -> Response:
    """Add an item override, or change the one the item has for that usage."""
    form = await check_form(request, who)
    posted = {
        name: _field(form, name)
        for name in ("connection", "usage", "item_code", "account_code", "tax_type")
    }
    try:
        with transaction(services(request).factory) as session:
            overrides.put_override(
                session,
                who.workspace_id,
                posted["connection"],
                posted["usage"],
                posted["item_code"],
                posted["account_code"] or None,
                posted["tax_type"] or None,
            )
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        wanted = Wanted(usage=posted["usage"], posted=posted, error=exc)
        return _mappings_page(request, who, posted["connection"], wanted)
    return go(_back(posted["connection"]), "saved")


@router.post("/mappings/item-overrides/delete")
async def delete_override(request: Request, who: Editor) -> Response:
    """Remove an item override: the item's lines fall back to Xero's item or the default."""
    form = await check_form(request, who)
    connection_id = _field(form, "connection")
    usage, item_code = _field(form, "usage"), _field(form, "item_code")
    with transaction(services(request).factory) as session:
        overrides.delete_override(session, who.workspace_id, connection_id, usage, item_code)
    return go(_back(connection_id), "removed")
