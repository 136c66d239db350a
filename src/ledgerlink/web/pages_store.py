"""Accounting channel: Xero, the store hub's form for one connection (seed 003): channel name,
account nominal code, the Xero app's client id and secret, Add Products to Xero, Create
Nonexistent Products, Is Active; and the accounts of orders' shipping and discount lines.

Nothing here is stored twice: the channel name is the connection's ``name``, the account
nominal code its ``payment_account_code`` (where paid orders' payments go), Add Products to
Xero is the product kind being sent (``not_sent``), Is Active its ``active``; the client id and
secret are the workspace's own Xero app ("Use your own Xero app"), changed only when typed
(the secret is never shown; an unchanged id keeps it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.connection_settings import ConnectionSettings
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import get_workspace, set_workspace_app
from ledgerlink.sync.refresh import ring_for
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, require_two_factor, services
from ledgerlink.web.pages_connection_edit import save_changes, wake_if_released
from ledgerlink.web.render import go, page
from ledgerlink.web.xero_lists import xero_lists

router = APIRouter(include_in_schema=False)

PRODUCT_KIND = "product"
TEXTS = ("name", "payment_account_code", "shipping_account_code", "discount_account_code")
SWITCHES = ("create_nonexistent_products", "active")
ADD_PRODUCTS = "add_products"


def _shown(settings: ConnectionSettings, client_id: str) -> dict[str, Any]:
    data = settings.model_dump()
    values: dict[str, Any] = {name: data[name] or "" for name in TEXTS}
    values.update({name: bool(data[name]) for name in SWITCHES})
    values[ADD_PRODUCTS] = PRODUCT_KIND not in settings.not_sent
    values["client_id"] = client_id
    return values


def _posted(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (*TEXTS, "client_id"):
        raw = form.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else ""
    values.update({name: form.get(name) == "on" for name in (*SWITCHES, ADD_PRODUCTS)})
    return values


def _changes(values: dict[str, Any], current: ConnectionSettings) -> dict[str, Any]:
    """The settings the person changed, as ``save_settings`` takes them."""
    data = current.model_dump()
    changes: dict[str, Any] = {
        name: values[name] or None for name in TEXTS if values[name] != (data[name] or "")
    }
    changes.update({n: values[n] for n in SWITCHES if values[n] != data[n]})
    sent = PRODUCT_KIND not in current.not_sent
    if values[ADD_PRODUCTS] != sent:
        off = [k for k in current.not_sent if k != PRODUCT_KIND]
        changes["not_sent"] = off if values[ADD_PRODUCTS] else [*off, PRODUCT_KIND]
    return changes


def _save_app(request: Request, who: Person, client_id: str, secret: str) -> None:
    """The workspace's own Xero app, when its id or secret was typed (its tier and webhook key
    are kept; an unchanged id keeps its secret)."""
    svc = services(request)
    ring = ring_for(svc.settings)
    with transaction(svc.factory) as session:
        workspace = get_workspace(session, who.workspace_id)
        assert workspace is not None
        same = client_id == (workspace.xero_client_id or "")
        if same and not secret:
            return
        require_two_factor(who)
        if not client_id:
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                "client_id is empty: copy the Client ID from the app in Xero's developer portal.",
                "client_id",
            )
        kept = ring.open_field(workspace, "xero_client_secret_enc") if same else None
        set_workspace_app(
            session,
            ring,
            who.workspace_id,
            client_id,
            secret or kept,
            workspace.xero_app_tier,
            ring.open_field(workspace, "xero_webhook_key_enc"),
        )


def _form_page(
    request: Request,
    who: Person,
    connection_id: str,
    values: dict[str, Any] | None = None,
    error: LedgerlinkError | None = None,
) -> Response:
    with services(request).factory() as session:
        row = conns.get_connection(session, who.workspace_id, connection_id)
        shown = conns.shown_settings(session, row)
        workspace = get_workspace(session, who.workspace_id)
        client_id = (workspace.xero_client_id if workspace else None) or ""
        context = {
            "connection": row,
            "name": shown.name or row.tenant_name or row.tenant_id,
            "values": values if values is not None else _shown(shown, client_id),
            "has_secret": bool(workspace and workspace.xero_client_secret_enc),
            "lists": xero_lists(session, row.id),
            "error": error,
        }
    status = error.http_status if error else 200
    return page(request, "connection_store.html", context, status=status)


@router.get("/connections/{connection_id}/store")
def store_page(request: Request, who: Viewer, connection_id: str) -> Response:
    return _form_page(request, who, connection_id)


@router.post("/connections/{connection_id}/store")
async def save_store(request: Request, who: Editor, connection_id: str) -> Response:
    form = await check_form(request, who)
    values = _posted(form)
    secret = str(form.get("client_secret") or "").strip()
    try:
        changes = save_changes(
            request, who, connection_id, lambda current: _changes(values, current)
        )
        _save_app(request, who, values["client_id"], secret)
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        return _form_page(request, who, connection_id, values, exc)
    wake_if_released(request, changes)
    return go(f"/connections/{connection_id}/store", "saved")
