"""What the list pages (queue, jobs, documents) share: numbers read from the address bar with
an error naming the parameter, previous and next links that keep the filters, the
workspace's connections for the filter lists, and where a form goes back to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from starlette.datastructures import FormData

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.web.guard import safe_next, services

MAX_OFFSET = 1_000_000_000
STATE_WORDS = {
    "queued": "Queued",
    "in_flight": "In flight",
    "done": "Done",
    "needs_attention": "Needs attention",
    "failed": "Failed",
    "superseded": "Superseded",
    "dismissed": "Dismissed",
    "unqueued": "Not queued",
}
STATE_BADGES = {"done": "ok", "needs_attention": "bad", "failed": "bad", "in_flight": "warn"}


def whole(value: str, name: str, default: int, low: int, high: int) -> int:
    """A whole number from the query (empty: ``default``), VALIDATION_FAILED naming it."""
    if not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"{name} must be a whole number from {low} to {high:,}.", name
        )
    return number


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int
    previous: str | None = None
    next: str | None = None


def paging(limit: str, offset: str, default: int = 50, most: int = 200) -> Paging:
    return Paging(
        whole(limit, "limit", default, 1, most), whole(offset, "offset", 0, 0, MAX_OFFSET)
    )


def with_links(path: str, filters: Mapping[str, str], at: Paging, more: bool) -> Paging:
    """``at`` with links to the pages before and after (``more``: there is a next one)."""

    def link(offset: int) -> str:
        values = {k: v for k, v in filters.items() if v}
        values |= {"limit": str(at.limit), "offset": str(offset)}
        return f"{path}?{urlencode(values)}"

    previous = link(max(0, at.offset - at.limit)) if at.offset > 0 else None
    following = link(at.offset + at.limit) if more else None
    return Paging(at.limit, at.offset, previous, following)


def query(filters: Mapping[str, str]) -> str:
    """The filters as a query string (empty ones left out), for links and live fragments."""
    return urlencode({k: v for k, v in filters.items() if v})


def connection_names(request: Request, workspace_id: str) -> dict[str, str]:
    """The workspace's connections by id, named by their organisation."""
    with services(request).factory() as session:
        rows = conns.list_connections(session, workspace_id)
    return {row.id: row.tenant_name or row.tenant_id for row in rows}


def back_to(form: FormData, prefix: str) -> str:
    """Where the form was (a page under ``prefix``, filters kept), never anywhere else."""
    value = form.get("back")
    path = safe_next(value if isinstance(value, str) else None)
    return path if path == prefix or path.startswith((prefix + "?", prefix + "/")) else prefix


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def wake_worker(request: Request) -> None:
    """In ``ledgerlink serve`` the worker loop starts on new work at once instead of polling."""
    hook = getattr(request.app.state, "on_intake", None)
    if hook is not None:
        hook()
