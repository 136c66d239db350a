"""The invoices endpoints: sales invoices (ACCREC) and bills (ACCPAY)."""

from __future__ import annotations

from starlette.responses import Response

from xero_sandbox.context import ApiContext
from xero_sandbox.resources.doc_http import get_document, list_documents, write_documents
from xero_sandbox.resources.doc_kinds import INVOICE
from xero_sandbox.routing import ApiRoute


def get_invoices(ctx: ApiContext) -> Response:
    return list_documents(ctx, INVOICE)


def get_invoice(ctx: ApiContext) -> Response:
    return get_document(ctx, INVOICE, ctx.params["InvoiceID"])


def put_invoices(ctx: ApiContext) -> Response:
    return write_documents(ctx, INVOICE, create_only=True)


def post_invoices(ctx: ApiContext) -> Response:
    return write_documents(ctx, INVOICE, create_only=False)


def post_invoice(ctx: ApiContext) -> Response:
    return write_documents(ctx, INVOICE, create_only=False, path_ref=ctx.params["InvoiceID"])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Invoices/{InvoiceID}", get_invoice),
    ApiRoute("POST", "/Invoices/{InvoiceID}", post_invoice),
    ApiRoute("GET", "/Invoices", get_invoices),
    ApiRoute("PUT", "/Invoices", put_invoices),
    ApiRoute("POST", "/Invoices", post_invoices),
]
