"""Edit connection: the settings of one organisation, as the seeds' "Edit Connection" screen:
branches served, the invoice number sequence (its next number editable), default revenue and
expense accounts and tax types and the payment account (from Xero's own lists, filtered by what
fits), the default currency (from the currencies the organisation holds), sync mode and
schedule, polling, the active switch, and the inventory mode with its valuation accounts (the
inventory app's "Do not sync inventory / Post valuation entries / Sync inventory"). The OAuth
round trip lands here.

The settings are in tabs as the inventory app's (``connection_tabs``: ``?tab=items`` and so on;
none: All settings, the whole form); a tab's form saves its own fields only and comes back to it.

Saving sends ``connections.update_settings`` only what the person changed (it validates; its
error is shown next to the field it names, with what was typed kept). The next invoice number
moves as numbers are given out, so the form carries the number it showed: posting that back
unchanged moves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.connection_settings import ConnectionSettings, bills_approved
from ledgerlink.sync import directions
from ledgerlink.web.connection_tabs import TABS, Tab, tab_named
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, services
from ledgerlink.web.pages_connections import STATUS_WORDS
from ledgerlink.web.render import go, page
from ledgerlink.web.xero_lists import inventory_accounts, xero_lists

router = APIRouter(include_in_schema=False)

# Shown and posted as text (None: an empty field).
TEXTS = (
    "name",
    "invoice_number_prefix",
    "invoice_next_number",
    "invoice_number_digits",
    "default_revenue_account",
    "default_sales_tax_type",
    "default_expense_account",
    "default_purchase_tax_type",
    "payment_account_code",
    "mode",
    "schedule",
    "poll_minutes",
    "inventory_mode",
    "inventory_asset_account",
    "inventory_cogs_account",
    "inventory_adjustment_account",
    "default_currency",
    "tracked_inventory_asset_account",
    "tracked_cogs_account",
)
# checkboxes: absent from the form is off
SWITCHES = ("active", "bill_number_required", "inventory_allow_backorders")
SHOWN_NEXT = "shown_next_number"  # the next number as the page showed it
NUMBERS = ("invoice_next_number", "invoice_number_digits", "poll_minutes")
DIRECTIONS_SHOWN = "directions_shown"  # the What syncs boxes were on the form posted
# Approved expenses go to Xero approved: the radio's value and the stored approve_bills.
APPROVE_BILLS = {"default": None, "true": True, "false": False}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _shown_values(settings: ConnectionSettings) -> dict[str, Any]:
    """The settings as the form's fields hold them."""
    data = settings.model_dump()
    values: dict[str, Any] = {name: _text(data[name]) for name in TEXTS}
    values.update({name: bool(data[name]) for name in SWITCHES})
    values["branches"] = "\n".join(settings.branches)
    values[SHOWN_NEXT] = values["invoice_next_number"]
    values["send"] = [k for k in kinds.names() if k not in settings.not_sent]
    values["read"] = [k for k in kinds.names() if k not in settings.not_read]
    values["approve_bills"] = _text(settings.approve_bills).lower() or "default"
    return values


def _posted_values(form: FormData, tab: Tab) -> dict[str, Any]:
    """What the person sent of the tab's fields, in the same shape (kept as typed when it is
    refused); the fields of other tabs are not there, so nothing reads them as emptied."""
    values: dict[str, Any] = {}
    texts = tab.texts()
    if "branches" in tab.sections:
        texts.append("branches")
    if "invoice_next_number" in texts:
        texts.append(SHOWN_NEXT)
    for name in texts:
        raw = form.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else ""
    values.update({name: form.get(name) == "on" for name in tab.switches()})
    chosen = form.get("approve_bills")
    if "approve_bills" in tab.sections and chosen:  # a radio none of is checked: unchanged
        values["approve_bills"] = str(chosen)
    if tab.kinds() and form.get(DIRECTIONS_SHOWN) == "1":  # the form had the What syncs boxes
        for name in ("send", "read"):
            values[name] = [str(v) for v in form.getlist(name)]
    return values


def _same_number(posted: str, current: Any) -> bool:
    try:
        return float(posted) == float(current)
    except (TypeError, ValueError):
        return False


def _changes(values: dict[str, Any], current: ConnectionSettings, tab: Tab) -> dict[str, Any]:
    """Only the fields of the tab the person changed, as ``update_settings`` takes them."""
    data = current.model_dump()
    changes: dict[str, Any] = {}
    for name in TEXTS:
        if name not in values:
            continue
        posted = values[name] or None
        if name == "invoice_next_number":
            if values[name] != values[SHOWN_NEXT]:
                changes[name] = posted  # text: "0042" also sets the digits
            continue
        was = data[name]
        if values[name] == _text(was):
            continue
        if name in NUMBERS and _same_number(values[name], was):
            continue
        changes[name] = posted
    for name in SWITCHES:
        if name in values and values[name] != data[name]:
            changes[name] = values[name]
    if "branches" in values:
        branches = [line.strip() for line in values["branches"].splitlines() if line.strip()]
        if branches != current.branches:
            changes["branches"] = branches
    if "approve_bills" in values:
        chosen = _approve_bills(values["approve_bills"])
        if chosen != current.approve_bills:
            changes["approve_bills"] = chosen
    shown = tab.kinds()
    for name, field in (("send", "not_sent"), ("read", "not_read")):
        if name not in values:
            continue
        was = list(getattr(current, field))
        # the kinds of other tabs keep what they had; the tab's own are as posted
        ticked = set(values[name])
        off = [k for k in was if k not in shown or k not in ticked]
        off += [k for k in shown if k not in ticked and k not in was]
        if off != was:
            changes[field] = off
    return changes


def _approve_bills(posted: str) -> bool | None:
    if posted not in APPROVE_BILLS:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "approve_bills must be one of the three choices shown "
            f"({', '.join(APPROVE_BILLS)}; got {posted!r}).",
            field="approve_bills",
        )
    return APPROVE_BILLS[posted]


def _form_error(exc: LedgerlinkError) -> LedgerlinkError:
    """``update_settings`` names fields as ``settings.x``; the form's field is ``x``."""
    field = exc.field or ""
    if field.startswith("settings."):
        field = field.split(".", 2)[1]
    return LedgerlinkError(exc.code, exc.message, field or None)


def _edit_page(
    request: Request,
    who: Person,
    connection_id: str,
    tab: Tab,
    values: dict[str, Any] | None = None,
    error: LedgerlinkError | None = None,
) -> Response:
    with services(request).factory() as session:
        row = conns.get_connection(session, who.workspace_id, connection_id)
        shown = conns.shown_settings(session, row)
        lists = xero_lists(session, row.id)
        rows = tab.kinds()
        context = {
            "connection": row,
            "name": shown.name or row.tenant_name or row.tenant_id,
            "status_word": STATUS_WORDS.get(row.status, row.status),
            "tab": tab,
            "tabs": TABS,
            "kinds": [(k.name, k.noun) for k in kinds.all_kinds() if k.name in rows],
            # what was posted (kept as typed when refused) over what is stored
            "values": {**_shown_values(shown), **(values or {})},
            "lists": lists,
            "inventory_accounts": inventory_accounts(session, row.id),
            "bills_approved": bills_approved(shown.model_dump()),
            "error": error,
        }
    return page(
        request, "connection_edit.html", context, status=error.http_status if error else 200
    )


@router.get("/connections/{connection_id}/edit")
def edit_page(request: Request, who: Viewer, connection_id: str, tab: str = "") -> Response:
    return _edit_page(request, who, connection_id, tab_named(tab))


def save_changes(
    request: Request,
    who: Person,
    connection_id: str,
    changes_of: Callable[[ConnectionSettings], dict[str, Any]],
) -> dict[str, Any]:
    """Save what a settings form changed (``changes_of`` the stored settings) through
    ``directions.save_settings``; the changes. Refusals raise, named for the form's fields."""
    svc = services(request)
    try:
        with svc.factory() as session:
            row = conns.get_connection(session, who.workspace_id, connection_id)
            changes = changes_of(conns.connection_settings(row))
        if changes:
            directions.save_settings(svc.factory, who.workspace_id, connection_id, changes)
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        raise _form_error(exc) from exc
    return changes


def wake_if_released(request: Request, changes: dict[str, Any]) -> None:
    """Any change may release held documents (the connection or a kind switched on, a switch,
    an account or a currency that fixes a hold): the worker looks at once, not at its next
    poll; with nothing due it does nothing."""
    hook = getattr(request.app.state, "on_intake", None)
    if hook is not None and changes:
        hook()


@router.post("/connections/{connection_id}/edit")
async def save(request: Request, who: Editor, connection_id: str) -> Response:
    form = await check_form(request, who)
    posted_tab = form.get("tab")
    tab = tab_named(posted_tab if isinstance(posted_tab, str) else None)
    values = _posted_values(form, tab)
    try:
        changes = save_changes(
            request, who, connection_id, lambda current: _changes(values, current, tab)
        )
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        return _edit_page(request, who, connection_id, tab, values, exc)
    wake_if_released(request, changes)
    return go(tab.href(connection_id), "saved")
