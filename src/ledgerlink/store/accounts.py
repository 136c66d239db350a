"""People: accounts, passwords, two-factor sign-in, recovery codes and seats in workspaces.

Passwords are argon2id hashes (re-hashed when the parameters grow). A TOTP code is accepted
once: the step it belongs to is written with a compare-and-set, so two requests racing with the
same code cannot both pass, on either database. Failed sign-ins (password or code) count toward
a lockout, recorded even though the attempt is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import lock_row
from ledgerlink.store.models import Workspace, new_id
from ledgerlink.store.people import ROLES, Membership, RecoveryCode, User
from ledgerlink.store.secrets import KeyRing

LOCK_AFTER = 5  # failed attempts in a row
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
RECOVERY_CODES = 10
ISSUER = "ledgerlink"

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong address costs the same as a wrong
# password and the answer's timing does not tell which addresses have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if (
        not 3 <= len(email) <= 254
        or email.count("@") != 1
        or email.startswith("@")
        or email.endswith("@")
        or any(c.isspace() or ord(c) < 32 for c in email)
    ):
        raise LedgerlinkError(
            "VALIDATION_FAILED", "email must be an address such as ana@example.com.", "email"
        )
    return email


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise LedgerlinkError(
            "PASSWORD_WEAK",
            f"{field} must be {MIN_PASSWORD} to {MAX_PASSWORD:,} characters long.",
            field,
        )


def check_role(role: str) -> str:
    if role not in ROLES:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"role must be one of {', '.join(ROLES)}.", "role"
        )
    return role


def find_user(session: Session, email: str) -> User | None:
    try:
        email = normal_email(email)
    except LedgerlinkError:
        return None
    return session.scalars(select(User).where(User.email == email)).first()


def create_user(session: Session, email: str, password: str, name: str = "") -> User:
    email = normal_email(email)
    check_password_rules(password)
    if find_user(session, email) is not None:
        raise LedgerlinkError("EMAIL_TAKEN", f"An account for {email} exists already.", "email")
    user = User(
        id=new_id(),
        email=email,
        name=name.strip()[:200],
        password_hash=_hasher.hash(password),
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    session.flush()


def add_member(session: Session, workspace_id: str, user_id: str, role: str) -> Membership:
    """Give the user a seat (or change the role of the one they have)."""
    check_role(role)
    seat = session.get(Membership, (workspace_id, user_id))
    if seat is None:
        seat = Membership(workspace_id=workspace_id, user_id=user_id, role=role)
        session.add(seat)
    else:
        seat.role = role
    session.flush()
    return seat


def remove_member(session: Session, workspace_id: str, user_id: str) -> None:
    """Take a seat away; the last owner keeps theirs (a workspace always has someone in charge)."""
    lock_row(session, Workspace, workspace_id)  # two owners removing each other take turns
    seat = session.get(Membership, (workspace_id, user_id))
    if seat is None:
        raise LedgerlinkError("NOT_FOUND", "No such person in this workspace.", "user_id")
    if seat.role == "owner" and len(owners(session, workspace_id)) == 1:
        raise LedgerlinkError(
            "ROLE_FORBIDDEN", "The last owner cannot be removed: make another owner first.", "role"
        )
    session.delete(seat)
    session.flush()


def change_role(session: Session, workspace_id: str, user_id: str, role: str) -> Membership:
    """Change the role of a seat the user has; the last owner stays an owner."""
    check_role(role)
    lock_row(session, Workspace, workspace_id)  # two demotions at once take turns
    seat = session.get(Membership, (workspace_id, user_id))
    if seat is None:
        raise LedgerlinkError("NOT_FOUND", "No such person in this workspace.", "user_id")
    if seat.role == "owner" and role != "owner" and len(owners(session, workspace_id)) == 1:
        raise LedgerlinkError(
            "ROLE_FORBIDDEN",
            "The last owner stays an owner: make another owner first.",
            "role",
        )
    return add_member(session, workspace_id, user_id, role)


def check_owner_rule(acting_role: str, *roles: str | None) -> None:
    """Only an owner may make an owner or take an owner's seat or role away (``roles``: the
    roles the change gives or takes)."""
    if "owner" in roles and acting_role != "owner":
        raise LedgerlinkError(
            "ROLE_FORBIDDEN", "Only an owner may make an owner or change or remove one.", "role"
        )


def owners(session: Session, workspace_id: str) -> list[str]:
    query = select(Membership.user_id).where(
        Membership.workspace_id == workspace_id, Membership.role == "owner"
    )
    return list(session.scalars(query))


def members(session: Session, workspace_id: str) -> list[tuple[User, Membership]]:
    query = (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.email)
    )
    return [(user, seat) for user, seat in session.execute(query)]


def seats(session: Session, user_id: str) -> list[tuple[Workspace, Membership]]:
    """The workspaces the user has a seat in, by name."""
    query = (
        select(Workspace, Membership)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name, Workspace.id)
    )
    return [(workspace, seat) for workspace, seat in session.execute(query)]


def role_in(session: Session, user_id: str, workspace_id: str) -> str | None:
    seat = session.get(Membership, (workspace_id, user_id))
    return seat.role if seat is not None else None


def locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def unlock(session: Session, user_id: str) -> None:
    """A person's lockout lifted by someone in charge of a workspace they sit in."""
    user = lock_row(session, User, user_id)
    if user is not None:
        user.locked_until = None
        user.failed_logins = 0
        session.flush()


def record_failure(session: Session, user: User, now: datetime) -> None:
    """One more failed attempt; the fifth in a row locks the account for a while."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= LOCK_AFTER:
        user.locked_until = now + LOCK_FOR
        user.failed_logins = 0
    session.flush()


def refuse_if_locked(user: User, now: datetime) -> None:
    if locked(user, now):
        assert user.locked_until is not None
        until = user.locked_until.strftime("%H:%M UTC")
        raise LedgerlinkError(
            "SIGNIN_LOCKED", f"Too many failed attempts: sign-in is locked until {until}.", "email"
        )


def check_password(session: Session, email: str, password: str, now: datetime) -> User | None:
    """The user if the password is right; None otherwise, with the failure counted (the caller
    commits it before refusing). A locked account is refused without looking at the password."""
    user = find_user(session, email)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    user = lock_row(session, User, user.id)
    assert user is not None
    refuse_if_locked(user, now)
    if not _verify(user.password_hash, password):
        record_failure(session, user, now)
        return None
    user.failed_logins = 0
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password[:MAX_PASSWORD])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Two-factor sign-in ------------------------------------------------------------------------


def begin_totp(session: Session, ring: KeyRing, user: User) -> str:
    """A new secret for the user to add to an authenticator; it counts once a code confirms it."""
    if user.totp_enabled_at is not None:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "Two-factor sign-in is on already.", "two_factor"
        )
    secret = pyotp.random_base32()
    ring.seal_field(user, "totp_secret_enc", secret)
    session.flush()
    return secret


def totp_secret(ring: KeyRing, user: User) -> str | None:
    return ring.open_field(user, "totp_secret_enc")


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step the code belongs to (now, or one step either side for clock drift)."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    here = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return here + offset
    return None


def _spend_step(session: Session, user_id: str, step: int) -> bool:
    """Record the step as used unless it (or a later one) was used: True for the first only."""
    done = session.execute(
        update(User)
        .where(User.id == user_id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def confirm_totp(
    session: Session, ring: KeyRing, user: User, code: str, now: datetime
) -> list[str]:
    """Turn two-factor on with a code from the new secret; the recovery codes, shown once."""
    secret = totp_secret(ring, user)
    step = _matching_step(secret, code, now) if secret else None
    if step is None or not _spend_step(session, user.id, step):
        raise LedgerlinkError(
            "TOTP_INVALID", "code does not match the authenticator's current code.", "code"
        )
    session.refresh(user)
    user.totp_enabled_at = now
    session.flush()
    return new_recovery_codes(session, user)


def verify_second_factor(
    session: Session, ring: KeyRing, user: User, code: str, now: datetime
) -> bool:
    """A TOTP code (each accepted once) or an unused recovery code; a failure is counted."""
    locked_user = lock_row(session, User, user.id)
    assert locked_user is not None
    refuse_if_locked(locked_user, now)
    secret = totp_secret(ring, locked_user)
    step = _matching_step(secret, code, now) if secret else None
    ok = step is not None and _spend_step(session, locked_user.id, step)
    if not ok:
        ok = use_recovery_code(session, locked_user.id, code, now)
    if ok:
        session.refresh(locked_user)
        locked_user.failed_logins = 0
        session.flush()
    else:
        record_failure(session, locked_user, now)
    return ok


def _normal_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten fresh one-time codes (the old ones stop working); only their hashes are kept."""
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(id=new_id(), user_id=user.id, code_hash=digest(raw)))
    session.flush()
    return codes


def use_recovery_code(session: Session, user_id: str, code: str, now: datetime) -> bool:
    wanted = digest(_normal_code(code))
    done = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == wanted,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def recovery_codes_left(session: Session, user_id: str) -> int:
    query = select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
    )
    return len(list(session.scalars(query)))
