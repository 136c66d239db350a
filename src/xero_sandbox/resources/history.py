"""History and notes: ``GET`` and ``PUT /{Resource}/{id}/History`` for every resource in
``history.KINDS``, generated from that table.

GET answers the record's ``HistoryRecords`` newest first (what ``xero_sandbox.history`` wrote as
the record changed, and the notes added to it). PUT adds notes: ``{"HistoryRecords":
[{"Details": "..."}]}``, each a history record with Changes "Note" by "System Generated", Details
required and at most 250 characters (developer.xero.com/documentation/api/history-and-notes).
Xero documents POST as the same as PUT, but its OpenAPI declares only PUT, which is all the
sandbox serves.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, Handler, envelope
from xero_sandbox.history import KINDS, Kind, entry
from xero_sandbox.resources.ref_common import find_record, text, too_long
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

DETAILS_LIMIT = 250
# Xero's answer to a note on an id it does not know (reported in XeroAPI/xero-node#431: 400,
# ErrorNumber 10).
NOT_FOUND = "The document with the supplied id was not found for this endpoint."
# UNCONFIRMED: Xero's wording for a note without Details and for one over 250 characters.
DETAILS_REQUIRED = "Details is required to add a note."


def _record(ctx: ApiContext, kind: Kind) -> Record | None:
    collection: dict[str, Record] = getattr(ctx.org, kind.collection)
    return find_record(collection, kind.id_field, ctx.params[kind.id_field])


def get_history(ctx: ApiContext, kind: Kind) -> Response:
    record = _record(ctx, kind)
    if record is None:
        # UNCONFIRMED: that Xero answers an unknown id on GET History with its plain 404.
        raise errors.NotFound()
    records = ctx.org.history.get(str(record[kind.id_field]), [])
    return envelope(ctx, "HistoryRecords", list(reversed(records)))


def _add_note(ctx: ApiContext, record_id: str, element: dict[str, Any]) -> Record:
    details = text(element, "Details")
    if details is None or not details.strip():
        raise errors.ElementErrors([DETAILS_REQUIRED])
    problems = too_long(details, DETAILS_LIMIT, "Details")
    if problems:
        raise errors.ElementErrors(problems)
    note = entry(ctx.state, "Note", details)
    ctx.org.history.setdefault(record_id, []).append(note)
    # Xero's example answer to a note: its date and Details.
    return {k: note[k] for k in ("DateUTCString", "DateUTC", "Details")}


def put_history(ctx: ApiContext, kind: Kind) -> Response:
    record = _record(ctx, kind)
    if record is None:
        raise errors.ApiException(NOT_FOUND)
    record_id = str(record[kind.id_field])
    return run_batch(ctx, "HistoryRecords", "HistoryRecord", lambda e: _add_note(ctx, record_id, e))


def _bind(handler: Any, kind: Kind) -> Handler:
    def handle(ctx: ApiContext) -> Response:
        result: Response = handler(ctx, kind)
        return result

    return handle


ROUTES: list[ApiRoute] = [
    ApiRoute(method, f"/{kind.path}/{{{kind.id_field}}}/History", _bind(handler, kind))
    for kind in KINDS
    for method, handler in (("GET", get_history), ("PUT", put_history))
]
