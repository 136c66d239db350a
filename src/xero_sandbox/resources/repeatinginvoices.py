"""Repeating invoice templates: GET (``where``, ``order``), PUT creates, POST creates or deletes.

The spec gives GET /RepeatingInvoices ``where`` and ``order`` and no paging or
If-Modified-Since; the sandbox serves it so.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import doc_common
from xero_sandbox.resources.ref_common import find_record, text
from xero_sandbox.resources.repeating_build import commit_new, delete, prepare_new
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.repeating_invoices, "RepeatingInvoiceID", ref)


def list_templates(ctx: ApiContext) -> Response:
    shown = [doc_common.present(ctx, r) for r in ctx.org.repeating_invoices.values()]
    shown = query.where_filter(ctx, shown)
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    return envelope(ctx, "RepeatingInvoices", shown)


def get_template(ctx: ApiContext) -> Response:
    found = _find(ctx, ctx.params["RepeatingInvoiceID"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "RepeatingInvoices", [doc_common.present(ctx, found)])


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    return commit_new(ctx, prepare_new(ctx, element))


def _create_or_delete(ctx: ApiContext, element: dict[str, Any]) -> Record:
    given = text(element, "RepeatingInvoiceID") or text(element, "ID")
    if given and given.strip():
        existing = _find(ctx, given)
        if existing is None:
            raise errors.element_error(
                f"Repeating invoice with ID '{given.strip()}' could not be found."
            )
        return delete(ctx, element, existing)
    return _create(ctx, element)


def _batch(ctx: ApiContext, handle: Any) -> Response:
    return run_batch(
        ctx,
        "RepeatingInvoices",
        "RepeatingInvoice",
        handle,
        present=lambda r: doc_common.present(ctx, r),
    )


def put_templates(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _create(ctx, e))


def post_templates(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _create_or_delete(ctx, e))


def post_template(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["RepeatingInvoiceID"])
    if existing is None:
        raise errors.NotFound()
    return _batch(ctx, lambda e: delete(ctx, e, existing))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/RepeatingInvoices/{RepeatingInvoiceID}", get_template),
    ApiRoute("POST", "/RepeatingInvoices/{RepeatingInvoiceID}", post_template),
    ApiRoute("GET", "/RepeatingInvoices", list_templates),
    ApiRoute("PUT", "/RepeatingInvoices", put_templates),
    ApiRoute("POST", "/RepeatingInvoices", post_templates),
]
