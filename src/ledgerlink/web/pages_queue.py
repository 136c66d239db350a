"""The sync queue: items filtered by state, kind and connection, live counts by state, and for
each held item its code, field, sentence and fix with a link to the page that fixes it; retry
one, retry all of a code, dismiss (kept, shown as dismissed, never sent)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select, tuple_
from starlette.responses import Response

from ledgerlink import kinds
from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.mapping import currency
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Document, DocumentVersion, QueueItem
from ledgerlink.sync import lifecycle, listing, queue
from ledgerlink.web.guard import Editor, Viewer, check_form, services
from ledgerlink.web.paging import (
    STATE_BADGES,
    STATE_WORDS,
    Paging,
    back_to,
    connection_names,
    field,
    paging,
    query,
    wake_worker,
    with_links,
)
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)

CODE = re.compile(r"[A-Z][A-Z0-9_]{1,59}")
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(account_code|tax_type)$")
LINE_CODES = ("XERO_ACCOUNT_CODE_INVALID", "XERO_ACCOUNT_CODE_MISSING", "XERO_TAX_TYPE_INVALID")
SETTINGS_CODES = ("PAYMENT_ACCOUNT_MISSING", "XERO_FIELD_REQUIRED", "BRANCH_UNKNOWN")
SYNCHRONIZE_CODES = {
    "XERO_ITEM_UNKNOWN": "Add the item in Xero (Products and Services)",
}
RECONNECT_CODES = (
    "CONNECTION_NEEDS_REAUTH",
    "CONNECTION_INACTIVE",
    "XERO_UNAUTHORIZED",
    "XERO_FORBIDDEN",
    "XERO_SCOPE_MISSING",
)
HOME = "Your connections"
RETRYABLE = tuple(state.value for state in lifecycle.RETRYABLE)
HELD = tuple(state.value for state in lifecycle.HELD)


@dataclass(frozen=True)
class Fix:
    """What fixes a held item: a sentence, and the page where it is done (None: elsewhere)."""

    sentence: str
    href: str | None = None
    label: str = ""


def _currency_fix(code: str, where: str | None, settings: str) -> Fix:
    """A currency hold is judged again by itself once what held it changes (the default
    currency saved, or Synchronize after a change in Xero): no retry is needed."""
    if where == currency.DEFAULT_FIELD:
        return Fix(
            "Choose a currency the organisation holds as the connection's default currency: "
            "what it held is then sent.",
            settings,
            "Edit connection",
        )
    if code == currency.NOT_AVAILABLE:
        return Fix(
            "Upgrade the organisation's Xero plan, then press Synchronize on the connection's "
            "tile (what it held is then sent); or send the document in a currency it holds.",
            "/",
            HOME,
        )
    return Fix(
        "Enable the currency in Xero (Settings > Currencies), then press Synchronize on the "
        "connection's tile: what it held is then sent.",
        "/",
        HOME,
    )


def fix_for(code: str, where: str | None, body: dict[str, Any], connection_id: str) -> Fix | None:
    """The page that fixes ``code`` (on ``where``, a field of ``body``); None when unknown."""
    settings = f"/connections/{connection_id}/edit"
    found = LINE_FIELD.match(where or "")
    if code in LINE_CODES and found:
        index, name = int(found.group(1)), found.group(2)
        lines = body.get("lines") or []
        line = lines[index] if index < len(lines) and isinstance(lines[index], dict) else {}
        if line.get(name):
            return Fix(f"The line names {where} itself: correct it in the source app and send it.")
        if line.get("item_code"):
            item = line["item_code"]
            return Fix(
                f"Line {index + 1} is item {item!r}: set its account and tax type in Mappings, "
                "then retry.",
                f"/mappings?connection={connection_id}",
                f"Mappings: item {item}",
            )
        return Fix(
            "Set the connection's default account and tax type, then retry.",
            settings,
            "Edit connection",
        )
    if code in LINE_CODES or code in SETTINGS_CODES:
        return Fix("Set it in the connection's settings, then retry.", settings, "Edit connection")
    if code in currency.CODES:
        return _currency_fix(code, where, settings)
    if code in SYNCHRONIZE_CODES:
        return Fix(
            f"{SYNCHRONIZE_CODES[code]}, then press Synchronize on the connection's tile, then "
            "retry.",
            "/",
            HOME,
        )
    if code in RECONNECT_CODES:
        return Fix("Reconnect the organisation, then retry.", "/", HOME)
    if code == "CONNECTION_SWITCHED_OFF":
        return Fix("Switch the connection on (Is Active): its documents are then sent.", "/", HOME)
    return None


@dataclass(frozen=True)
class Row:
    item: QueueItem
    document: Document
    connection: str
    code: str | None
    field: str | None
    sentence: str | None
    fix: str
    how: Fix | None


def _filters(state: str, kind: str, connection: str) -> dict[str, str]:
    return {"state": state.strip(), "kind": kind.strip(), "connection": connection.strip()}


def _counted(filters: dict[str, str], counts: dict[str, int]) -> dict[str, Any]:
    """What the live counts show: each state's count, linked to the queue showing it."""
    return {
        "filters": filters,
        "counts": counts,
        "states": listing.STATES,
        "words": STATE_WORDS,
        "badges": STATE_BADGES,
        "state_links": {s: "/queue?" + query(filters | {"state": s}) for s in listing.STATES},
    }


def _bodies(session: Any, items: list[QueueItem]) -> dict[tuple[str, int], dict[str, Any]]:
    """The pushed version's body of each held item (its lines say what fixes it)."""
    keys = [(i.document_id, i.version) for i in items if i.error_code]
    if not keys:
        return {}
    query_ = select(DocumentVersion).where(
        tuple_(DocumentVersion.document_id, DocumentVersion.version).in_(keys)
    )
    return {(v.document_id, v.version): v.body for v in session.scalars(query_)}


@dataclass(frozen=True)
class Shown:
    counts: dict[str, int]
    rows: list[Row]
    more: bool
    codes: dict[str, int]  # held and failed items by code (retry all of a code)
    names: dict[str, str]  # the workspace's connections


def _shown(request: Request, workspace_id: str, filters: dict[str, str], at: Paging) -> Shown:
    names = connection_names(request, workspace_id)
    limit = at.limit
    with services(request).factory() as session:
        found = listing.queue_page(
            session,
            workspace_id,
            state=filters["state"] or None,
            kind=filters["kind"] or None,
            connection_id=filters["connection"] or None,
            limit=limit + 1,
            offset=at.offset,
        )
        shown = found.rows[:limit]
        items = [item for item, _ in shown]
        waits = queue.waits(session, items, datetime.now(UTC))
        bodies = _bodies(session, items)
        codes = listing.held_codes(
            session,
            workspace_id,
            kind=filters["kind"] or None,
            connection_id=filters["connection"] or None,
        )
    rows = []
    for item, document in shown:
        wait = waits.get(item.id)
        code, where, sentence = item.error_code, item.error_field, item.error_message
        if wait is not None:
            code, where, sentence = wait.code or code, wait.field or where, wait.sentence
        body = bodies.get((item.document_id, item.version), {})
        how = fix_for(code, where, body, item.connection_id) if code else None
        fix = CATALOGUE.get(code, (0, ""))[1] if code else ""
        name = names.get(item.connection_id, item.connection_id)
        rows.append(Row(item, document, name, code, where, sentence, fix, how))
    return Shown(found.counts, rows, len(found.rows) > limit, codes, names)


@router.get("/queue")
def queue_page(
    request: Request,
    who: Viewer,
    state: str = "",
    kind: str = "",
    connection: str = "",
    limit: str = "",
    offset: str = "",
) -> Response:
    filters = _filters(state, kind, connection)
    at = paging(limit, offset)
    shown = _shown(request, who.workspace_id, filters, at)
    context = _counted(filters, shown.counts) | {
        "query": query(filters),
        "rows": shown.rows,
        "codes": shown.codes,
        "connections": shown.names,
        "kinds": kinds.names(),
        "retryable": RETRYABLE,
        "held": HELD,
        "paging": with_links("/queue", filters, at, shown.more),
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    return page(request, "queue.html", context)


@router.get("/queue/counts")
def queue_counts(
    request: Request, who: Viewer, state: str = "", kind: str = "", connection: str = ""
) -> Response:
    """The live part of the queue page: counts by state with the page's filters."""
    filters = _filters(state, kind, connection)
    with services(request).factory() as session:
        found = listing.queue_page(
            session,
            who.workspace_id,
            kind=filters["kind"] or None,
            connection_id=filters["connection"] or None,
            limit=1,
        )
    return page(request, "queue_counts.html", _counted(filters, found.counts))


@router.post("/queue/{item_id}/retry")
async def retry(request: Request, who: Editor, item_id: str) -> Response:
    form = await check_form(request, who)
    queue.retry_one(services(request).factory, who.workspace_id, item_id, datetime.now(UTC))
    wake_worker(request)
    return go(back_to(form, "/queue"), "retried")


@router.post("/queue/{item_id}/dismiss")
async def dismiss(request: Request, who: Editor, item_id: str) -> Response:
    form = await check_form(request, who)
    queue.dismiss_one(services(request).factory, who.workspace_id, item_id, datetime.now(UTC))
    return go(back_to(form, "/queue"), "dismissed")


@router.post("/queue/retry-code")
async def retry_code(request: Request, who: Editor) -> Response:
    """Every held or failed item stopped by one code (of one connection) is queued again."""
    form = await check_form(request, who)
    code, connection = field(form, "code"), field(form, "connection")
    svc = services(request)
    if connection:
        with svc.factory() as session:
            conns.get_connection(session, who.workspace_id, connection)
    if not CODE.fullmatch(code):
        raise LedgerlinkError(
            "VALIDATION_FAILED", "code: give an error code as the queue shows it.", "code"
        )
    moved = queue.retry_code(
        svc.factory, who.workspace_id, code, datetime.now(UTC), connection or None
    )
    if not moved:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"code: no held or failed item has {code} now (retried or sent meanwhile).",
            "code",
            status=409,
        )
    wake_worker(request)
    return go(back_to(form, "/queue"), "retried")
