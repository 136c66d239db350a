"""People: who has a seat in the workspace and with which role (owner, admin, viewer).

Owners and admins invite by email and role (the invitation's link is shown once, on the page
that answers the form), change a role and take a seat away. Only an owner makes, changes or
removes an owner, and the last owner keeps the seat and the role (``store.accounts``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.accounts import (
    change_role,
    check_owner_rule,
    find_user,
    locked,
    members,
    remove_member,
    role_in,
    unlock,
)
from ledgerlink.store.db import transaction
from ledgerlink.store.people import ROLES
from ledgerlink.store.web_sessions import invite, pending_invitations
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, now, services
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)
ROLE_WORDS = {
    "owner": "Owner: everything, and people's roles",
    "admin": "Admin: changes settings, connections and keys",
    "viewer": "Viewer: sees everything, changes nothing",
}


def _people_page(
    request: Request, who: Person, *, error: LedgerlinkError | None = None, **extra: Any
) -> Response:
    with services(request).factory() as session:
        seated = [
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "role": seat.role,
                "two_factor": user.totp_enabled_at is not None,
                "locked_until": user.locked_until if locked(user, now()) else None,
                "since": seat.created_at,
            }
            for user, seat in members(session, who.workspace_id)
        ]
        waiting = pending_invitations(session, who.workspace_id, now())
    # Roles this person may give (an admin gives no owner seat) and change.
    giving = [r for r in ROLES if who.role == "owner" or r != "owner"]
    context = {
        "members": seated,
        "owners": sum(1 for m in seated if m["role"] == "owner"),
        "invitations": waiting,
        "roles": giving,
        "role_words": ROLE_WORDS,
        "error": error,
        "values": {},
        "error_in": "",  # "invite", or the id of the member whose row the error is about
    } | extra
    return page(request, "people.html", context, status=error.http_status if error else 200)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@router.get("/people")
def people(request: Request, who: Viewer) -> Response:
    return _people_page(request, who)


@router.post("/people/invite")
async def invite_person(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    email, role = _text(form.get("email")), _text(form.get("role"))
    try:
        check_owner_rule(who.role, role)
        with transaction(services(request).factory) as session:
            _refuse_seated(session, who, email)
            token = invite(session, who.workspace_id, email, role, who.user_id, now())
    except LedgerlinkError as exc:
        values = {"email": email, "role": role}
        return _people_page(request, who, error=exc, values=values, error_in="invite")
    link = str(request.base_url).rstrip("/") + f"/invitations/{token}"
    return _people_page(request, who, invited={"email": email, "role": role, "link": link})


def _refuse_seated(session: Any, who: Person, email: str) -> None:
    """Someone with a seat already changes role below (an invitation would bypass the rules
    on owners when taken up)."""
    user = find_user(session, email)
    if user is not None and role_in(session, user.id, who.workspace_id) is not None:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"email: {user.email} has a seat in this workspace already; change the role below.",
            "email",
        )


def _seat_role(session: Any, who: Person, user_id: str) -> str:
    """The role the user has here; another workspace's person is not found, like no one."""
    role = role_in(session, user_id, who.workspace_id)
    if role is None:
        raise LedgerlinkError("NOT_FOUND", "No such person in this workspace.", "user_id")
    return role


@router.post("/people/{user_id}/role")
async def set_role(request: Request, who: Editor, user_id: str) -> Response:
    form = await check_form(request, who)
    role = _text(form.get("role"))
    try:
        with transaction(services(request).factory) as session:
            check_owner_rule(who.role, _seat_role(session, who, user_id), role)
            change_role(session, who.workspace_id, user_id, role)
    except LedgerlinkError as exc:
        if exc.code == "NOT_FOUND":
            raise
        return _people_page(request, who, error=exc, error_in=user_id)
    return go("/people", "role_changed")


@router.post("/people/{user_id}/unlock")
async def unlock_person(request: Request, who: Editor, user_id: str) -> Response:
    """Lift a lockout (five failed sign-ins) before its time, for a person of this workspace."""
    await check_form(request, who)
    with transaction(services(request).factory) as session:
        _seat_role(session, who, user_id)
        unlock(session, user_id)
    return go("/people", "unlocked")


@router.post("/people/{user_id}/remove")
async def remove_person(request: Request, who: Editor, user_id: str) -> Response:
    await check_form(request, who)
    try:
        with transaction(services(request).factory) as session:
            check_owner_rule(who.role, _seat_role(session, who, user_id))
            remove_member(session, who.workspace_id, user_id)
    except LedgerlinkError as exc:
        if exc.code == "NOT_FOUND":
            raise
        return _people_page(request, who, error=exc, error_in=user_id)
    if user_id == who.user_id:
        return go("/signin")  # their own seat: this session is over
    return go("/people", "removed")
