"""Signing in and out: password, then the second factor when it is on; open sign-up when the
install allows it; taking up an invitation.

Each step makes a new session and deletes the browser's previous one (no fixation); a failed
attempt is counted (and committed) before it is refused, and the fifth in a row locks the
account for a while.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.accounts import (
    add_member,
    check_password,
    create_user,
    find_user,
    seats,
    verify_second_factor,
)
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Workspace
from ledgerlink.store.people import User
from ledgerlink.store.web_sessions import (
    LIFETIME,
    PASSWORD_STAGE,
    SIGNED_IN,
    accept_invitation,
    close_session,
    find_session,
    open_invitation,
    open_session,
)
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync.refresh import ring_for
from ledgerlink.web.guard import (
    SESSION_COOKIE,
    Viewer,
    check_form,
    check_open_form,
    now,
    safe_next,
    services,
    set_cookie,
)
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _signed_in(request: Request, token: str, back_to: str) -> Response:
    response = go(safe_next(back_to))
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(LIFETIME.total_seconds()))
    return response


@router.get("/signin")
def signin_page(request: Request, next: str = "/") -> Response:
    open_signup = services(request).open_signup
    return page(request, "signin.html", {"next": safe_next(next), "open_signup": open_signup})


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await check_open_form(request)
    email, password = _text(form, "email"), _text(form, "password")
    back_to = safe_next(_text(form, "next"))
    svc = services(request)
    error: LedgerlinkError | None = None
    try:
        with transaction(svc.factory) as session:
            user = check_password(session, email, password, now())
            if user is None:
                error = LedgerlinkError(
                    "SIGNIN_FAILED", "The email address or the password is not right.", "password"
                )
            else:
                places = seats(session, user.id)
                if not places:
                    raise LedgerlinkError(
                        "ROLE_FORBIDDEN", "Your account has no seat in any workspace.", "email"
                    )
                stage = PASSWORD_STAGE if user.totp_enabled_at else SIGNED_IN
                opened = open_session(
                    session,
                    user.id,
                    places[0][0].id,
                    stage,
                    now(),
                    replacing=request.cookies.get(SESSION_COOKIE),
                )
    except LedgerlinkError as exc:
        error = exc
    if error is not None:
        context = {"error": error, "email": email, "next": back_to}
        return page(request, "signin.html", context, status=error.http_status)
    if stage == PASSWORD_STAGE:
        response = go(f"/signin/code?next={back_to}")
        set_cookie(request, response, SESSION_COOKIE, opened.token, max_age=600)
        return response
    return _signed_in(request, opened.token, back_to)


@router.get("/signin/code")
def code_page(request: Request, next: str = "/") -> Response:
    return page(request, "signin_code.html", {"next": safe_next(next)})


@router.post("/signin/code")
async def signin_code(request: Request) -> Response:
    form = await check_open_form(request)
    back_to = safe_next(_text(form, "next"))
    svc = services(request)
    token = request.cookies.get(SESSION_COOKIE)
    error: LedgerlinkError | None = None
    opened = None
    try:
        with transaction(svc.factory) as session:
            row = find_session(session, token, now())
            if row is None or row.stage != PASSWORD_STAGE:
                return go("/signin")
            user = session.get(User, row.user_id)
            assert user is not None
            if verify_second_factor(
                session, ring_for(svc.settings), user, _text(form, "code"), now()
            ):
                opened = open_session(
                    session, user.id, row.workspace_id, SIGNED_IN, now(), replacing=token
                )
            else:
                error = LedgerlinkError(
                    "TOTP_INVALID", "code is not the current one, or was used already.", "code"
                )
    except LedgerlinkError as exc:
        error = exc
    if opened is None:
        assert error is not None
        context = {"error": error, "next": back_to}
        return page(request, "signin_code.html", context, status=error.http_status)
    return _signed_in(request, opened.token, back_to)


@router.post("/signout")
async def signout(request: Request, who: Viewer) -> Response:
    await check_form(request, who)
    with transaction(services(request).factory) as session:
        close_session(session, who.token)
    response = go("/signin", "signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signup_context(values: dict[str, str], error: LedgerlinkError | None = None) -> dict[str, Any]:
    return {
        "heading": "Create a workspace",
        "action": "/signup",
        "button": "Create workspace",
        "values": values,
        "error": error,
    }


@router.get("/signup")
def signup_page(request: Request) -> Response:
    if not services(request).open_signup:
        return go("/signin")
    return page(request, "signup.html", _signup_context({}))


@router.post("/signup")
async def signup(request: Request) -> Response:
    svc = services(request)
    if not svc.open_signup:
        return go("/signin")
    form = await check_open_form(request)
    values = {k: _text(form, k) for k in ("workspace", "email", "name")}
    try:
        with transaction(svc.factory) as session:
            user = create_user(session, values["email"], _text(form, "password"), values["name"])
            workspace, _key = create_workspace(session, values["workspace"])
            add_member(session, workspace.id, user.id, "owner")
            opened = open_session(
                session,
                user.id,
                workspace.id,
                SIGNED_IN,
                now(),
                replacing=request.cookies.get(SESSION_COOKIE),
            )
    except LedgerlinkError as exc:
        return page(request, "signup.html", _signup_context(values, exc), status=exc.http_status)
    return _signed_in(request, opened.token, "/account?said=two_factor_next")


def _invitation_context(request: Request, token: str) -> dict[str, Any]:
    with services(request).factory() as session:
        invitation = open_invitation(session, token, now())
        workspace = session.get(Workspace, invitation.workspace_id)
        existing = find_user(session, invitation.email) is not None
        return {
            "heading": "Take your seat",
            "action": f"/invitations/{token}",
            "button": "Join",
            "values": {},
            "invitation": invitation,
            "workspace_name": workspace.name if workspace else "",
            "existing": existing,
        }


@router.get("/invitations/{token}")
def invitation_page(request: Request, token: str) -> Response:
    return page(request, "signup.html", _invitation_context(request, token))


@router.post("/invitations/{token}")
async def take_invitation(request: Request, token: str) -> Response:
    form = await check_open_form(request)
    svc = services(request)
    try:
        with transaction(svc.factory) as session:
            invitation = open_invitation(session, token, now())
            user = accept_invitation(
                session, token, _text(form, "password"), _text(form, "name"), now()
            )
            stage = PASSWORD_STAGE if user.totp_enabled_at else SIGNED_IN
            opened = open_session(
                session,
                user.id,
                invitation.workspace_id,
                stage,
                now(),
                replacing=request.cookies.get(SESSION_COOKIE),
            )
    except LedgerlinkError as exc:
        context = _invitation_context(request, token) | {"error": exc}
        return page(request, "signup.html", context, status=exc.http_status)
    if stage == PASSWORD_STAGE:
        response = go("/signin/code?next=/")
        set_cookie(request, response, SESSION_COOKIE, opened.token, max_age=600)
        return response
    return _signed_in(request, opened.token, "/")
