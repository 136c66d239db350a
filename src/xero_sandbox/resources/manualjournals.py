"""Manual journals: GET (where, order, paging, If-Modified-Since), PUT/POST batches, POST by id.

The rules for one journal live in ``ref_journal``. Warnings (an unknown account code removed
from a line) come back on the element, as Xero returns them.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import find_record, text
from xero_sandbox.resources.ref_journal import commit, prepare
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record


def present(record: Record, warnings: list[str] | None = None) -> Record:
    shown = dict(record)
    if record.get("Date") is not None:
        shown["DateString"] = wire.iso_date_string(record["Date"])
    if warnings:
        shown["Warnings"] = [{"Message": m} for m in warnings]
    return shown


def _journal_or_404(ctx: ApiContext) -> Record:
    found = find_record(ctx.org.manual_journals, "ManualJournalID", ctx.params["ManualJournalID"])
    if found is None:
        raise errors.NotFound()
    return found


def list_journals(ctx: ApiContext) -> Response:
    records = query.modified_since(ctx, list(ctx.org.manual_journals.values()))
    records = query.where_filter(ctx, records)
    records = query.order_by(ctx, records, "Date")
    page, pagination = query.paginate(ctx, records)
    return envelope(ctx, "ManualJournals", [present(r) for r in page], pagination=pagination)


def get_journal(ctx: ApiContext) -> Response:
    return envelope(ctx, "ManualJournals", [present(_journal_or_404(ctx))])


def _write(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> Record:
    record, warnings = prepare(ctx, element, existing)
    return present(commit(ctx, record, existing), warnings)


def _upsert(ctx: ApiContext, element: dict[str, Any]) -> Record:
    journal_id = text(element, "ManualJournalID")
    if journal_id and journal_id.strip():
        existing = find_record(ctx.org.manual_journals, "ManualJournalID", journal_id)
        if existing is None:
            raise errors.element_error(
                f"Manual journal with ManualJournalID '{journal_id.strip()}' could not be found."
            )
        return _write(ctx, element, existing)
    return _write(ctx, element, None)


def put_journals(ctx: ApiContext) -> Response:
    return run_batch(ctx, "ManualJournals", "ManualJournal", lambda e: _write(ctx, e, None))


def post_journals(ctx: ApiContext) -> Response:
    return run_batch(ctx, "ManualJournals", "ManualJournal", lambda e: _upsert(ctx, e))


def post_journal(ctx: ApiContext) -> Response:
    existing = _journal_or_404(ctx)
    return run_batch(ctx, "ManualJournals", "ManualJournal", lambda e: _write(ctx, e, existing))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/ManualJournals/{ManualJournalID}", get_journal),
    ApiRoute("POST", "/ManualJournals/{ManualJournalID}", post_journal),
    ApiRoute("GET", "/ManualJournals", list_journals),
    ApiRoute("PUT", "/ManualJournals", put_journals),
    ApiRoute("POST", "/ManualJournals", post_journals),
]
