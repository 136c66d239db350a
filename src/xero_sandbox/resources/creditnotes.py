"""The credit notes endpoints, and allocating a credit note to invoices."""

from __future__ import annotations

from starlette.responses import Response

from xero_sandbox.context import ApiContext
from xero_sandbox.resources import allocations
from xero_sandbox.resources.allocations import Allocatable
from xero_sandbox.resources.doc_http import get_document, list_documents, write_documents
from xero_sandbox.resources.doc_kinds import CREDIT_NOTE, find_document
from xero_sandbox.resources.doc_money import document_ref, touch
from xero_sandbox.routing import ApiRoute

_PAIRS = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def get_credit_notes(ctx: ApiContext) -> Response:
    return list_documents(ctx, CREDIT_NOTE)


def get_credit_note(ctx: ApiContext) -> Response:
    return get_document(ctx, CREDIT_NOTE, ctx.params["CreditNoteID"])


def put_credit_notes(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=True)


def post_credit_notes(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=False)


def post_credit_note(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=False, path_ref=ctx.params["CreditNoteID"])


# What allocating needs to know about a credit note; the routine is ``allocations``'.
ALLOCATABLE = Allocatable(
    label="Credit Note",
    plural="credit notes",
    invoice_key="CreditNotes",
    id_field="CreditNoteID",
    find=lambda org, ref: find_document(org, CREDIT_NOTE, ref),
    invoice_type=lambda note: _PAIRS[note["Type"]],
    applied=lambda note: {
        "CreditNoteID": note["CreditNoteID"],
        "CreditNoteNumber": note.get("CreditNoteNumber"),
        "ID": note["CreditNoteID"],
    },
    refresh=lambda ctx, note: touch(ctx, CREDIT_NOTE, note),
    ref=lambda note: document_ref(CREDIT_NOTE, note),
)


def put_allocations(ctx: ApiContext) -> Response:
    """Allocate an AUTHORISED credit note to invoices of the matching type and contact."""
    return allocations.put(ctx, ALLOCATABLE)


def delete_allocation(ctx: ApiContext) -> Response:
    """Take an allocation back: the invoice owes again and the credit is free again."""
    return allocations.delete(ctx, ALLOCATABLE)


ROUTES: list[ApiRoute] = [
    ApiRoute("DELETE", "/CreditNotes/{CreditNoteID}/Allocations/{AllocationID}", delete_allocation),
    ApiRoute("PUT", "/CreditNotes/{CreditNoteID}/Allocations", put_allocations),
    ApiRoute("GET", "/CreditNotes/{CreditNoteID}", get_credit_note),
    ApiRoute("POST", "/CreditNotes/{CreditNoteID}", post_credit_note),
    ApiRoute("GET", "/CreditNotes", get_credit_notes),
    ApiRoute("PUT", "/CreditNotes", put_credit_notes),
    ApiRoute("POST", "/CreditNotes", post_credit_notes),
]
