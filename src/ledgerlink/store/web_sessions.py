"""Dashboard sign-in sessions and invitations, kept server-side and found by the hash of the
token the browser holds (a stolen database holds no usable cookie or invitation link).

A session is made anew at each step of signing in (password, then second factor) and the
previous one deleted: an id set in the browser before sign-in never becomes a signed-in one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.accounts import (
    add_member,
    check_password,
    check_role,
    create_user,
    digest,
    find_user,
    normal_email,
)
from ledgerlink.store.people import Invitation, User, WebSession

PASSWORD_STAGE = "password"  # the password was right; the second factor is asked for
SIGNED_IN = "signed_in"
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
HALF_WAY = timedelta(minutes=10)  # a password-stage session lasts this long
SEEN_EVERY = timedelta(minutes=1)  # seen_at is written at most this often
INVITATION_LIFE = timedelta(days=7)


@dataclass(frozen=True)
class Opened:
    token: str
    row: WebSession


def open_session(
    session: Session,
    user_id: str,
    workspace_id: str,
    stage: str,
    now: datetime,
    *,
    replacing: str | None = None,
) -> Opened:
    """A new session (and its cookie token); ``replacing``: the browser's previous token,
    whose session is deleted."""
    if replacing:
        close_session(session, replacing)
    token = secrets.token_urlsafe(32)
    life = LIFETIME if stage == SIGNED_IN else HALF_WAY
    row = WebSession(
        id_hash=digest(token),
        user_id=user_id,
        workspace_id=workspace_id,
        stage=stage,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        seen_at=now,
        expires_at=now + life,
    )
    session.add(row)
    session.flush()
    return Opened(token, row)


def find_session(session: Session, token: str | None, now: datetime) -> WebSession | None:
    """The live session for the token: unknown, expired or idle too long is None."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSession, digest(token))
    if row is None:
        return None
    if row.expires_at <= now or (row.stage == SIGNED_IN and row.seen_at + IDLE <= now):
        session.delete(row)
        session.flush()
        return None
    if now - row.seen_at >= SEEN_EVERY:
        row.seen_at = now
        session.flush()
    return row


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(token)))


def close_user_sessions(session: Session, user_id: str, *, keep: str | None = None) -> None:
    """Sign the user out everywhere (but ``keep``: the token of the browser doing it)."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep:
        query = query.where(WebSession.id_hash != digest(keep))
    session.execute(query)


def invite(
    session: Session,
    workspace_id: str,
    email: str,
    role: str,
    invited_by: str | None,
    now: datetime,
) -> str:
    """An invitation's token (shown once, as a link)."""
    email = normal_email(email)
    check_role(role)
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            token_hash=digest(token),
            workspace_id=workspace_id,
            email=email,
            role=role,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFE,
        )
    )
    session.flush()
    return token


def open_invitation(session: Session, token: str, now: datetime) -> Invitation:
    row = session.get(Invitation, digest(token)) if token and len(token) < 200 else None
    if row is None or row.accepted_at is not None or row.expires_at <= now:
        raise LedgerlinkError(
            "INVITATION_INVALID", "This invitation link is unknown, used or expired.", "token"
        )
    return row


def pending_invitations(session: Session, workspace_id: str, now: datetime) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at)
    )
    return list(session.scalars(query))


def accept_invitation(
    session: Session, token: str, password: str, name: str, now: datetime
) -> User:
    """Take the seat: a new account with this password, or (for an address that has one) the
    existing account once its password is given."""
    invitation = open_invitation(session, token, now)
    user = find_user(session, invitation.email)
    if user is None:
        user = create_user(session, invitation.email, password, name)
    elif check_password(session, invitation.email, password, now) is None:
        raise LedgerlinkError(
            "SIGNIN_FAILED",
            f"password: give the password of the existing account {invitation.email}.",
            "password",
        )
    add_member(session, invitation.workspace_id, user.id, invitation.role)
    invitation.accepted_at = now
    session.flush()
    return user
