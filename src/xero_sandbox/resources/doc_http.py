"""GET, PUT and POST for invoices and credit notes, shared by both endpoints."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.doc_build import commit, prepare
from xero_sandbox.resources.doc_kinds import INVOICE, DocKind, find_document, present, records
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.state import Record


def _ids(values: list[str]) -> set[str]:
    return {v.strip().lower() for v in values}


def list_documents(ctx: ApiContext, kind: DocKind) -> Response:
    """The list GET: without ``page`` Xero leaves out line items, with it includes them."""
    found = list(records(ctx.org, kind).values())
    ids = query.guid_list(ctx, "IDs")
    if ids:
        found = [r for r in found if r[kind.id_field].lower() in ids]
    if kind is INVOICE:
        numbers = _ids(ctx.query.csv("InvoiceNumbers"))
        if numbers:
            found = [r for r in found if str(r.get("InvoiceNumber") or "").lower() in numbers]
        contacts = query.guid_list(ctx, "ContactIDs")
        if contacts:
            found = [r for r in found if r["Contact"].get("ContactID", "").lower() in contacts]
        statuses = {s.upper() for s in ctx.query.csv("Statuses")}
        if statuses:
            found = [r for r in found if r["Status"] in statuses]
    if ctx.query.flag("createdByMyApp"):
        found = [r for r in found if r.get("_app") == ctx.client_id]
    found = query.modified_since(ctx, found)
    shown = query.where_filter(ctx, [present(ctx, kind, r) for r in found])
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    chosen, pagination = query.paginate(ctx, shown)
    summary = ctx.query.flag("summaryOnly")
    with_lines = pagination is not None and not summary
    chosen = [_trim(r, with_lines, summary) for r in chosen]
    return envelope(ctx, kind.key, chosen, pagination=pagination)


def _trim(shown: Record, lines: bool, summary: bool) -> Record:
    if summary:
        for name in ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments"):
            shown.pop(name, None)
        shown.pop("Allocations", None)
    elif not lines:
        shown.pop("LineItems", None)
    return shown


def get_document(ctx: ApiContext, kind: DocKind, ref: str) -> Response:
    record = find_document(ctx.org, kind, ref)
    if record is None:
        raise errors.NotFound()
    return envelope(ctx, kind.key, [present(ctx, kind, record)])


def _by_number(ctx: ApiContext, kind: DocKind, element: dict[str, Any]) -> Record | None:
    number = pick(element, kind.number_field)
    given_type = str(pick(element, "Type") or kind.numbered_type).upper()
    if number is None or given_type != kind.numbered_type:
        return None
    wanted = wire.parse_str(number, kind.number_field).strip().lower()
    return next(
        (
            r
            for r in records(ctx.org, kind).values()
            if r["Type"] == kind.numbered_type
            and r["Status"] != "DELETED"
            and str(r.get(kind.number_field) or "").lower() == wanted
        ),
        None,
    )


def write_documents(
    ctx: ApiContext, kind: DocKind, *, create_only: bool, path_ref: str | None = None
) -> Response:
    """PUT creates; POST creates or updates, matched by id or (sales documents) by number."""
    target = None
    if path_ref is not None:
        target = find_document(ctx.org, kind, path_ref)
        if target is None:
            raise errors.NotFound()

    def handle(element: dict[str, Any]) -> Record:
        existing = target
        given = pick(element, kind.id_field)
        if existing is None and given is not None:
            existing = records(ctx.org, kind).get(str(given).lower()) or next(
                (
                    r
                    for r in records(ctx.org, kind).values()
                    if r[kind.id_field].lower() == str(given).strip().lower()
                ),
                None,
            )
            if existing is None and not create_only:
                raise errors.element_error(f"{kind.label} with ID '{given}' could not be found.")
            if existing is not None and create_only:
                raise errors.element_error(
                    f"{kind.label} with ID '{given}' already exists; use POST to update it."
                )
        if existing is None and not create_only:
            existing = _by_number(ctx, kind, element)
        return commit(ctx, prepare(ctx, kind, element, existing))

    return run_batch(
        ctx,
        kind.key,
        kind.key[:-1],
        handle,
        present=lambda record: present(ctx, kind, record),
    )
