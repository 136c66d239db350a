"""GET /Journals: the general ledger's journals, read-only, paged by journal number.

Xero pages journals by ``offset``: the journals whose JournalNumber is greater than it, at most
100 a call, in number order; a caller reads on from the last number it saw. ``If-Modified-Since``
compares with CreatedDateUTC (a journal never changes once made). A journal is found by its
JournalID or by its JournalNumber. PUT and POST answer 405: the router knows the path.

``paymentsOnly=true`` asks for journals on a cash basis: documents post nothing, their payments
post to the documents' own accounts (``postings``), manual journals not shown on cash basis
reports are left out. Both views share one numbering.
# UNCONFIRMED: whether Xero numbers the cash basis journals apart from the accrual ones.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import Response

from xero_sandbox import errors
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.journals import on_basis, settle
from xero_sandbox.resources import postings  # noqa: F401  (registers the posters)
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

PAGE = 100


def get_journals(ctx: ApiContext) -> Response:
    settle(ctx.state, ctx.org)
    offset = max(ctx.query.integer("offset") or 0, 0)
    # Numbers run 1, 2, ... in list order, so the journals after ``offset`` start at its index.
    chosen = ctx.org.journals[offset:]
    since = ctx.if_modified_since()
    if since is not None:
        since = (since if since.tzinfo else since.replace(tzinfo=UTC)).replace(microsecond=0)
        chosen = [j for j in chosen if _created(j) >= since]
    chosen = on_basis(chosen, ctx.query.flag("paymentsOnly"))
    return envelope(ctx, "Journals", chosen[:PAGE])


def _created(journal: Record) -> datetime:
    moment: datetime = journal["CreatedDateUTC"]
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_journal(ctx: ApiContext) -> Response:
    settle(ctx.state, ctx.org)
    wanted = ctx.params["JournalRef"].strip().lower()
    journals = ctx.org.journals
    found: Record | None = None
    if wanted.isdigit():
        number = int(wanted)
        found = journals[number - 1] if 0 < number <= len(journals) else None
    else:
        found = next((j for j in journals if j["JournalID"] == wanted), None)
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "Journals", [found])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Journals/{JournalRef}", get_journal),
    ApiRoute("GET", "/Journals", get_journals),
]
