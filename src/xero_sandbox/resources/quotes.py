"""Sales quotes: GET (Xero's own filters, paging, If-Modified-Since), PUT/POST batches, POST by id.

The spec gives GET /Quotes no ``where``: its filters are DateFrom, DateTo, ExpiryDateFrom,
ExpiryDateTo, ContactID, Status and QuoteNumber, plus ``order`` and ``page`` (100 a page, line
items always included). POST matches an element by QuoteID, else by an existing QuoteNumber.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import doc_common
from xero_sandbox.resources.quote_build import commit, find_by_number, prepare
from xero_sandbox.resources.ref_common import find_record, text
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

_DATE_FILTERS: tuple[tuple[str, str, Callable[[date, date], bool]], ...] = (
    ("DateFrom", "Date", lambda d, b: d >= b),
    ("DateTo", "Date", lambda d, b: d <= b),
    ("ExpiryDateFrom", "ExpiryDate", lambda d, b: d >= b),
    ("ExpiryDateTo", "ExpiryDate", lambda d, b: d <= b),
)


def present(ctx: ApiContext, record: Record) -> Record:
    shown = doc_common.present(ctx, record)
    shown.setdefault("Terms", "")
    for key in ("Date", "ExpiryDate"):
        if record.get(key) is not None:
            shown[f"{key}String"] = wire.iso_date_string(record[key])
    return shown


def _bound(ctx: ApiContext, name: str) -> date | None:
    value = ctx.query.get(name)
    if not value:
        return None
    try:
        return wire.parse_date(value, name)
    except wire.PostDataInvalid as exc:
        raise errors.ApiException(f"The value '{value}' is not valid for {name}.") from exc


def list_quotes(ctx: ApiContext) -> Response:
    records = list(ctx.org.quotes.values())
    for param, field, keep in _DATE_FILTERS:
        bound = _bound(ctx, param)
        if bound is not None:
            records = [r for r in records if r.get(field) and keep(r[field], bound)]
    contact = ctx.query.get("ContactID")
    if contact:
        wanted = query.canonical_guid(contact)
        if wanted is None:
            raise errors.UnparsableParameter("ContactID")
        records = [r for r in records if str(r.get("ContactID", "")).lower() == wanted]
    status = ctx.query.get("Status")
    if status:
        records = [r for r in records if r["Status"] == status.strip().upper()]
    number = ctx.query.get("QuoteNumber")
    if number:
        records = [r for r in records if r["QuoteNumber"].lower() == number.strip().lower()]
    records = query.modified_since(ctx, records)
    shown = [present(ctx, r) for r in records]
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    page, pagination = query.paginate(ctx, shown)
    return envelope(ctx, "Quotes", page, pagination=pagination)


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.quotes, "QuoteID", ref)


def get_quote(ctx: ApiContext) -> Response:
    found = _find(ctx, ctx.params["QuoteID"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "Quotes", [present(ctx, found)])


def _write(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> Record:
    return commit(ctx, prepare(ctx, element, existing))


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    given = text(element, "QuoteID")
    if given and given.strip() and _find(ctx, given) is not None:
        raise errors.element_error(
            f"Quote with ID '{given.strip()}' already exists; use POST to update it."
        )
    return _write(ctx, element, None)


def _upsert(ctx: ApiContext, element: dict[str, Any]) -> Record:
    given = text(element, "QuoteID")
    if given and given.strip():
        existing = _find(ctx, given)
        if existing is None:
            raise errors.element_error(f"Quote with ID '{given.strip()}' could not be found.")
        return _write(ctx, element, existing)
    number = text(element, "QuoteNumber")
    existing = find_by_number(ctx.org, number) if number and number.strip() else None
    return _write(ctx, element, existing)


def _batch(ctx: ApiContext, handle: Callable[[dict[str, Any]], Record]) -> Response:
    return run_batch(ctx, "Quotes", "Quote", handle, present=lambda r: present(ctx, r))


def put_quotes(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _create(ctx, e))


def post_quotes(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _upsert(ctx, e))


def post_quote(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["QuoteID"])
    if existing is None:
        raise errors.NotFound()
    return _batch(ctx, lambda e: _write(ctx, e, existing))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Quotes/{QuoteID}", get_quote),
    ApiRoute("POST", "/Quotes/{QuoteID}", post_quote),
    ApiRoute("GET", "/Quotes", list_quotes),
    ApiRoute("PUT", "/Quotes", put_quotes),
    ApiRoute("POST", "/Quotes", post_quotes),
]
