"""A person's own account: two-factor sign-in (QR code made here, recovery codes shown once),
the password, and which of their workspaces they are in."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Request
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.accounts import (
    begin_totp,
    check_password,
    confirm_totp,
    digest,
    new_recovery_codes,
    provisioning_uri,
    recovery_codes_left,
    role_in,
    seats,
    set_password,
    totp_secret,
)
from ledgerlink.store.db import transaction
from ledgerlink.store.people import User, WebSession
from ledgerlink.store.web_sessions import close_user_sessions
from ledgerlink.sync.refresh import ring_for
from ledgerlink.web.guard import Person, Viewer, check_form, now, services
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)


def _qr(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URL (made here; nothing is fetched)."""
    # An SVG read as an image needs its namespace, which segno's inline form leaves out.
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#1d2733"))


def _account(request: Request, who: Person, **extra: object) -> Response:
    with services(request).factory() as session:
        places = [(w.id, w.name, m.role) for w, m in seats(session, who.user_id)]
        left = recovery_codes_left(session, who.user_id) if who.two_factor else 0
    context = {"places": places, "codes_left": left} | extra
    status = 200
    error = extra.get("error")
    if isinstance(error, LedgerlinkError):
        status = error.http_status
    return page(request, "account.html", context, status=status)


@router.get("/account")
def account(request: Request, who: Viewer) -> Response:
    return _account(request, who)


@router.post("/account/two-factor/start")
async def start_two_factor(request: Request, who: Viewer) -> Response:
    await check_form(request, who)
    svc = services(request)
    with transaction(svc.factory) as session:
        user = session.get(User, who.user_id)
        assert user is not None
        begin_totp(session, ring_for(svc.settings), user)
    return go("/account/two-factor")


@router.get("/account/two-factor")
def enrol_page(request: Request, who: Viewer) -> Response:
    if who.two_factor:
        return go("/account")
    svc = services(request)
    with svc.factory() as session:
        user = session.get(User, who.user_id)
        assert user is not None
        secret = totp_secret(ring_for(svc.settings), user)
    if secret is None:
        return go("/account")
    uri = provisioning_uri(secret, who.email)
    return page(request, "two_factor.html", {"secret": secret, "qr": _qr(uri), "uri": uri})


@router.post("/account/two-factor/confirm")
async def confirm_two_factor(request: Request, who: Viewer) -> Response:
    form = await check_form(request, who)
    code = form.get("code")
    svc = services(request)
    try:
        with transaction(svc.factory) as session:
            user = session.get(User, who.user_id)
            assert user is not None
            ring = ring_for(svc.settings)
            secret = totp_secret(ring, user) or ""
            codes = confirm_totp(session, ring, user, code if isinstance(code, str) else "", now())
    except LedgerlinkError as exc:
        uri = provisioning_uri(secret, who.email) if secret else ""
        context = {"secret": secret, "qr": _qr(uri) if uri else "", "uri": uri, "error": exc}
        return page(request, "two_factor.html", context, status=exc.http_status)
    return page(request, "recovery_codes.html", {"codes": codes, "first": True})


@router.post("/account/recovery-codes")
async def renew_codes(request: Request, who: Viewer) -> Response:
    await check_form(request, who)
    if not who.two_factor:
        return go("/account")
    with transaction(services(request).factory) as session:
        user = session.get(User, who.user_id)
        assert user is not None
        codes = new_recovery_codes(session, user)
    return page(request, "recovery_codes.html", {"codes": codes, "first": False})


@router.post("/account/password")
async def change_password(request: Request, who: Viewer) -> Response:
    form = await check_form(request, who)
    current, new = form.get("current_password"), form.get("new_password")
    try:
        with transaction(services(request).factory) as session:
            user = check_password(
                session, who.email, current if isinstance(current, str) else "", now()
            )
            if user is None:
                raise LedgerlinkError(
                    "SIGNIN_FAILED", "current_password is not your password.", "current_password"
                )
            set_password(session, user, new if isinstance(new, str) else "")
            close_user_sessions(session, user.id, keep=who.token)
    except LedgerlinkError as exc:
        if exc.field == "password":
            exc = LedgerlinkError(
                exc.code, exc.message.replace("password", "new_password", 1), "new_password"
            )
        return _account(request, who, error=exc)
    return go("/account", "password_changed")


@router.post("/workspace/switch")
async def switch_workspace(request: Request, who: Viewer) -> Response:
    form = await check_form(request, who)
    wanted = form.get("workspace_id")
    with transaction(services(request).factory) as session:
        if not isinstance(wanted, str) or role_in(session, who.user_id, wanted) is None:
            raise LedgerlinkError(
                "NOT_FOUND", "You have no seat in that workspace.", "workspace_id"
            )
        row = session.get(WebSession, digest(who.token))
        assert row is not None
        row.workspace_id = wanted
    return go("/", "switched")
