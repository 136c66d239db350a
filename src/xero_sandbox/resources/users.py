"""Users: who can sign in to the organisation. Read-only in Xero's API.

``GET /Users`` takes ``where``, ``order`` and If-Modified-Since (Xero's spec gives it those and
no paging); ``GET /Users/{UserID}`` answers one user, or Xero's plain 404.
"""

from __future__ import annotations

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import find_record
from xero_sandbox.routing import ApiRoute


def list_users(ctx: ApiContext) -> Response:
    records = list(ctx.org.users.values())
    records = query.modified_since(ctx, records)
    records = query.where_filter(ctx, records)
    # UNCONFIRMED: the order Xero lists users in without ``order``; by name reads naturally.
    records = query.order_by(ctx, records, "FirstName, LastName")
    return envelope(ctx, "Users", records)


def get_user(ctx: ApiContext) -> Response:
    found = find_record(ctx.org.users, "UserID", ctx.params["UserID"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "Users", [found])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Users/{UserID}", get_user),
    ApiRoute("GET", "/Users", list_users),
]
