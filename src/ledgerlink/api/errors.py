"""Every refusal over REST has one shape: ``{"error": {"code", "message", "field", "fix"}}``.

A source app's developer writes one error handler, keyed on stable codes from the catalogue,
whatever went wrong: our own LedgerlinkError, FastAPI's parameter validation, an unknown route,
or a bug (which answers 500 with a code, never a stack trace).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledgerlink.documents.validation import errors_from_pydantic, failure, field_path
from ledgerlink.errors import LedgerlinkError
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """What went wrong, the field it concerns and what to do about it."""

    code: str
    message: str
    field: str | None = None
    fix: str
    errors: list[dict[str, Any]] | None = None


class ErrorReply(BaseModel):
    error: ErrorBody


# Documented on every route so the OpenAPI tells a client what an error looks like.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorReply, "description": "Malformed request (JSON_MALFORMED, OAUTH_...)."},
    401: {"model": ErrorReply, "description": "AUTH_MISSING or AUTH_INVALID."},
    404: {"model": ErrorReply, "description": "NOT_FOUND or CONNECTION_NOT_FOUND."},
    413: {"model": ErrorReply, "description": "PAYLOAD_TOO_LARGE."},
    422: {"model": ErrorReply, "description": "VALIDATION_FAILED naming the field."},
}


# A query or path parameter is not the document: the catalogue's "send the document again"
# would point the wrong way.
PARAMETER_FIX = (
    "Correct the parameter named as the message says (each parameter's type and bounds are in "
    "/openapi.json) and send the request again."
)


def error_response(error: LedgerlinkError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error.as_dict()}, status_code=error.http_status, headers=headers)


def _page_error(request: Request, exc: LedgerlinkError) -> Response | None:
    """A dashboard page's error is a page a person reads, not JSON."""
    render = getattr(request.app.state, "render_error", None)
    if render is None or request.url.path.startswith("/api/"):
        return None
    answer = render(request, exc)
    assert isinstance(answer, Response)
    return answer


async def _ledgerlink(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LedgerlinkError)
    shown = _page_error(request, exc)
    if shown is not None:
        return shown
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return error_response(exc, headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    # FastAPI prefixes where the value came from ("query", "path", "body"); a person wants the
    # parameter's own name.
    parts = list(loc)
    if parts and parts[0] in ("query", "path", "body", "header"):
        parts = parts[1:]
    return field_path(parts)


async def _request_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems: list[LedgerlinkError] = []
    for item in exc.errors():
        loc = item.get("loc", ())
        where = _location(loc)
        advice = PARAMETER_FIX if loc and loc[0] in ("query", "path") else None
        problems.append(
            LedgerlinkError(
                "VALIDATION_FAILED", f"{where}: {item.get('msg')}.", field=where, advice=advice
            )
        )
    first = problems[0] if problems else LedgerlinkError("VALIDATION_FAILED", "Invalid request.")
    shown = _page_error(_request, first)
    if shown is not None:
        return shown
    body = first.as_dict()
    body["errors"] = [p.as_dict() for p in problems]
    return JSONResponse({"error": body}, status_code=first.http_status)


async def _model_validation(_request: Request, exc: Exception) -> JSONResponse:
    """A body checked against one of our pydantic models (settings, credentials)."""
    assert isinstance(exc, ValidationError)
    return error_response(failure(errors_from_pydantic(exc)))


async def _xero(_request: Request, exc: Exception) -> JSONResponse:
    """Xero's answer to a call made for this request; the status is ours (the key was fine)."""
    assert isinstance(exc, XeroError)
    return error_response(exc.as_error())


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error = LedgerlinkError("NOT_FOUND", "No such route: check the path.", status=404)
    elif exc.status_code == 405:
        error = LedgerlinkError(
            "METHOD_NOT_ALLOWED", "This route does not take that method.", status=405
        )
    else:
        error = LedgerlinkError("HTTP_ERROR", str(exc.detail), status=exc.status_code)
    shown = _page_error(request, error)
    if shown is not None:
        return shown
    return error_response(error, dict(exc.headers) if exc.headers else None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    error = LedgerlinkError(
        "INTERNAL_ERROR",
        "ledgerlink failed unexpectedly; nothing already accepted was lost. Try again, and "
        "report it if it persists.",
        status=500,
    )
    return error_response(error)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LedgerlinkError, _ledgerlink)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _model_validation)
    app.add_exception_handler(XeroError, _xero)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
