"""Pages from templates: one Jinja2 environment, the context every page gets, the security
headers every dashboard answer carries, and an error page a person can act on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import RedirectResponse, Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.web.guard import form_token, keep_form_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

# What a redirect may ask the next page to say (a key, never free text from the address bar).
NOTICES = {
    "connected": "Connected to Xero. Check the settings below, then save.",
    "saved": "Saved.",
    "synchronized": "Synchronized: Xero's lists are up to date.",
    "retried": "Queued again: the worker sends it now.",
    "dismissed": "Dismissed: it stays listed and is never sent.",
    "two_factor_on": "Two-factor sign-in is on.",
    "signed_out": "You are signed out.",
    "two_factor_next": "Welcome. Turn on two-factor sign-in now: connecting Xero needs it.",
    "switched": "Switched workspace.",
    "disconnected": "Disconnected: the documents and links are kept; reconnect any time.",
    "job_started": "The job has started.",
    "key_revoked": "The API key is revoked: requests with it are refused from now on.",
    "password_changed": "Your password is changed; other browsers are signed out.",
    "invited": "Invitation made: send the link below to the person.",
    "removed": "Removed.",
    "unlocked": "Unlocked: they can sign in again now.",
    "sent_again": "Sent again: the attempt is at the top of the log.",
    "role_changed": "The role is changed.",
    "backfill_none": "Nothing to backfill: every stored document of that kind (from that day) "
    "is already waiting in the queue, or none is stored.",
    "generating": "Data is being generated: the worker makes the bills now; the record below "
    "shows each generation.",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else ""


templates.env.filters["when"] = _when
# A filter's dropdown takes (value, words) pairs: a kind's name, a state's words.
templates.env.filters["kind_choice"] = lambda kind: (kind, kind.replace("_", " "))
templates.env.filters["with_word"] = lambda state, words: (state, words.get(state, state))
templates.env.globals["notices"] = NOTICES


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> Response:
    """A page; ``person`` (when signed in) and the form token are in every context."""
    values: dict[str, Any] = {
        "person": getattr(request.state, "person", None),
        "notice": NOTICES.get(request.query_params.get("said", "")),
        "path": request.url.path,
    }
    if values["person"] is not None:
        values["csrf"] = values["person"].csrf
    else:
        values["csrf"] = form_token(request)
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status)
    keep_form_token(request, response)
    return response


def go(path: str, said: str | None = None) -> RedirectResponse:
    """After a form: 303 to ``path`` (a GET), with a notice key."""
    if said:
        path += ("&" if "?" in path else "?") + f"said={said}"
    return RedirectResponse(path, status_code=303)


def error_page(request: Request, exc: LedgerlinkError) -> Response:
    return page(request, "error.html", {"error": exc}, status=exc.http_status)


class SecurityHeaders(BaseHTTPMiddleware):
    """Every dashboard answer: a strict CSP (no inline script or style; forms may go to this
    site and to Xero's consent page only), no framing, no sniffing, no referrer off-site."""

    def __init__(self, app: Any, authorize_url: str) -> None:
        super().__init__(app)
        parts = urlsplit(authorize_url)
        xero = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        self.csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; form-action 'self' {xero}; frame-ancestors 'none'; "
            "base-uri 'none'"
        ).replace("  ", " ")

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/api/v1/docs"):
            return response  # Swagger UI's own page (its script is inline)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/"):
            headers.setdefault("Content-Security-Policy", self.csp)
            headers.setdefault("X-Frame-Options", "DENY")
            headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
            headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
            headers.setdefault("Cache-Control", "no-store")
        return response
