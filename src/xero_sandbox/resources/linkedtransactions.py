"""Linked transactions (billable expenses): GET, PUT creates, POST by id updates, DELETE by id.

One element per request, as the spec's request bodies have it (PUT takes a LinkedTransaction,
POST by id a LinkedTransactions list of which Xero reads the first). GET filters by
LinkedTransactionID, SourceTransactionID, ContactID, Status (with or without ContactID) and
TargetTransactionID, and pages with ``page`` (100 a page); the spec gives it no ``where``,
``order`` or If-Modified-Since. A link posts nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import error_element
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.linked_rules import BILLED_DELETE, prepare, status
from xero_sandbox.resources.ref_common import find_record, single_write
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record, new_id

_ID_FILTERS = (
    "LinkedTransactionID",
    "SourceTransactionID",
    "ContactID",
    "TargetTransactionID",
)


def present(ctx: ApiContext, record: Record) -> Record:
    shown = dict(record)
    shown["Status"] = status(ctx, record)
    return shown


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.linked_transactions, "LinkedTransactionID", ref)


def list_links(ctx: ApiContext) -> Response:
    shown = [present(ctx, r) for r in ctx.org.linked_transactions.values()]
    for name in _ID_FILTERS:
        value = ctx.query.get(name)
        if not value:
            continue
        wanted = query.canonical_guid(value)
        if wanted is None:
            raise errors.UnparsableParameter(name)
        shown = [r for r in shown if str(r.get(name) or "").lower() == wanted]
    wanted_status = ctx.query.get("Status")
    if wanted_status:
        shown = [r for r in shown if r["Status"] == wanted_status.strip().upper()]
    page, pagination = query.paginate(ctx, shown)
    return envelope(ctx, "LinkedTransactions", page, pagination=pagination)


def get_link(ctx: ApiContext) -> Response:
    found = _find(ctx, ctx.params["LinkedTransactionID"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "LinkedTransactions", [present(ctx, found)])


def _store(ctx: ApiContext, record: Record, existing: Record | None) -> Record:
    if existing is None:
        record["LinkedTransactionID"] = new_id()
        target = record
    else:
        existing.clear()
        existing.update(record)
        target = existing
    ctx.state.stamp(target)
    ctx.org.linked_transactions[target["LinkedTransactionID"]] = target
    return target


def _write(ctx: ApiContext, existing: Record | None) -> Response:
    def handle(element: dict[str, Any]) -> Record:
        return _store(ctx, prepare(ctx, element, existing), existing)

    return single_write(
        ctx, "LinkedTransactions", "LinkedTransaction", handle, lambda r: present(ctx, r)
    )


def put_link(ctx: ApiContext) -> Response:
    return _write(ctx, None)


def post_link(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["LinkedTransactionID"])
    if existing is None:
        raise errors.NotFound()
    return _write(ctx, existing)


def delete_link(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["LinkedTransactionID"])
    if existing is None:
        raise errors.NotFound()
    if status(ctx, existing) == "BILLED":
        failure = errors.element_error(BILLED_DELETE)
        raise errors.validation_exception([error_element(present(ctx, existing), failure)])
    del ctx.org.linked_transactions[existing["LinkedTransactionID"]]
    return Response(status_code=204)


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/LinkedTransactions/{LinkedTransactionID}", get_link),
    ApiRoute("POST", "/LinkedTransactions/{LinkedTransactionID}", post_link),
    ApiRoute("DELETE", "/LinkedTransactions/{LinkedTransactionID}", delete_link),
    ApiRoute("GET", "/LinkedTransactions", list_links),
    ApiRoute("PUT", "/LinkedTransactions", put_link),
]
