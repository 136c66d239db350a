"""The dashboard: server-rendered pages for the people who use ledgerlink (the source app's
customers and their bookkeepers), served by ``ledgerlink serve`` at ``/`` beside the REST API.

Every page works without script; ``static/live.js`` only refreshes live parts and asks before
a destructive button. Nothing is loaded from another site.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ledgerlink.errors import LedgerlinkError
from ledgerlink.web import (
    pages_account,
    pages_connection_edit,
    pages_connections,
    pages_developers,
    pages_documents,
    pages_jobs,
    pages_mappings,
    pages_payroll,
    pages_people,
    pages_queue,
    pages_signin,
    pages_store,
)
from ledgerlink.web.guard import SignInNeeded, sign_in_url
from ledgerlink.web.render import HERE, SecurityHeaders, error_page, go

PAGES = (
    pages_signin,
    pages_account,
    pages_connections,
    pages_connection_edit,
    pages_mappings,
    pages_queue,
    pages_jobs,
    pages_documents,
    pages_developers,
    pages_people,
    pages_payroll,
    pages_store,
)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    if request.headers.get("x-partial"):
        return Response(status_code=401)
    return go(sign_in_url(exc.back_to))


def render_error(request: Request, exc: LedgerlinkError) -> Response:
    return error_page(request, exc)


def install(app: FastAPI, authorize_url: str) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in PAGES:
        app.include_router(module.router)
    app.add_exception_handler(SignInNeeded, _sign_in)
    app.state.render_error = render_error
    app.add_middleware(SecurityHeaders, authorize_url=authorize_url)
