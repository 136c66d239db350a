"""Who is looking at a dashboard page, and what they may do.

Every page takes ``Viewer`` (signed in, any role) or ``Editor`` (owner or admin); both carry
the workspace the session is in, and every read and write below is scoped to it, so a person
sees nothing of a workspace they have no seat in. Every form posts its session's CSRF token
(``check_form``); forms shown before sign-in use a token bound to a cookie of their own.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.accounts import role_in
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Workspace
from ledgerlink.store.people import User
from ledgerlink.store.web_sessions import SIGNED_IN, find_session
from ledgerlink.sync.engine import Engine

SESSION_COOKIE = "ll_session"
FORM_COOKIE = "ll_form"  # before sign-in: the CSRF token's other half
EDITORS = ("owner", "admin")


class SignInNeeded(Exception):
    """The page needs a signed-in person: the handler sends them to sign in, then back."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


@dataclass(frozen=True)
class Person:
    user_id: str
    email: str
    name: str
    two_factor: bool
    workspace_id: str
    workspace_name: str
    role: str
    csrf: str
    token: str

    @property
    def can_edit(self) -> bool:
        return self.role in EDITORS


def services(request: Request) -> Engine:
    """The process's engine, kept on the app's state by ``api.app.create_app``."""
    found = request.app.state.services
    assert isinstance(found, Engine)
    return found


def now() -> datetime:
    return datetime.now(UTC)


def secure_cookies(request: Request) -> bool:
    """Cookies are marked Secure whenever the dashboard is reached over HTTPS (directly or
    behind a proxy that says so); plain HTTP is only for loopback development."""
    if request.url.scheme == "https":
        return True
    return request.headers.get("x-forwarded-proto", "") == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def _back_to(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path if request.method == "GET" else "/"


def person(request: Request) -> Person:
    token = request.cookies.get(SESSION_COOKIE)
    svc = services(request)
    with transaction(svc.factory) as session:
        row = find_session(session, token, now())
        if row is None or row.stage != SIGNED_IN:
            raise SignInNeeded(_back_to(request))
        user = session.get(User, row.user_id)
        workspace = session.get(Workspace, row.workspace_id)
        role = role_in(session, row.user_id, row.workspace_id)
        if user is None or workspace is None or role is None:
            session.delete(row)  # the seat was taken away: this session is over
            raise SignInNeeded(_back_to(request))
        found = Person(
            user_id=user.id,
            email=user.email,
            name=user.name,
            two_factor=user.totp_enabled_at is not None,
            workspace_id=workspace.id,
            workspace_name=workspace.name,
            role=role,
            csrf=row.csrf_token,
            token=token or "",
        )
    request.state.person = found
    return found


def editor(found: Annotated[Person, Depends(person)]) -> Person:
    if not found.can_edit:
        raise LedgerlinkError(
            "ROLE_FORBIDDEN",
            f"Your role in {found.workspace_name} is {found.role}: it shows, but does not change.",
            "role",
        )
    return found


Viewer = Annotated[Person, Depends(person)]
Editor = Annotated[Person, Depends(editor)]


def require_two_factor(found: Person) -> None:
    """The seed's rule: no connecting, reconnecting or changing credentials without 2FA."""
    if not found.two_factor:
        raise LedgerlinkError(
            "TWO_FACTOR_REQUIRED",
            "Two-factor sign-in is off for your account: connecting Xero, reconnecting and "
            "changing a connection's credentials need it.",
            "two_factor",
        )


def _same(given: Any, expected: str) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given, expected)


async def check_form(request: Request, found: Person) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    if not _same(form.get("csrf_token"), found.csrf):
        raise LedgerlinkError(
            "CSRF_FAILED", "The form's security token is missing or stale.", "csrf_token"
        )
    return form


def form_token(request: Request) -> str:
    """For a form shown before sign-in: the token this browser's form cookie carries (a new
    one is made and set by ``keep_form_token``)."""
    existing = request.cookies.get(FORM_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return existing
    made = getattr(request.state, "form_token", None)
    if made is None:
        made = secrets.token_urlsafe(32)
        request.state.form_token = made
    return str(made)


def keep_form_token(request: Request, response: Response) -> None:
    made = getattr(request.state, "form_token", None)
    if made is not None:
        set_cookie(request, response, FORM_COOKIE, made, max_age=3600)


async def check_open_form(request: Request) -> FormData:
    form = await request.form()
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not _same(form.get("csrf_token"), cookie):
        raise LedgerlinkError(
            "CSRF_FAILED", "The form's security token is missing or stale.", "csrf_token"
        )
    return form


def sign_in_url(back_to: str) -> str:
    return "/signin?next=" + quote(back_to, safe="")


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
