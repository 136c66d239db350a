"""People's accounts on both databases: passwords kept only as argon2 hashes, lockout after
repeated failures, a TOTP code accepted once (even by two requests at the same moment),
recovery codes used once, sessions made anew at each sign-in step, invitations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import accounts
from ledgerlink.store.db import transaction
from ledgerlink.store.people import User
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.web_sessions import (
    PASSWORD_STAGE,
    SIGNED_IN,
    accept_invitation,
    find_session,
    invite,
    open_session,
)
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync.refresh import ring_for

PASSWORD = "a long enough password"
NOW = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def ring(settings: Settings) -> KeyRing:
    return ring_for(settings)


def _person(factory: sessionmaker[Session], email: str = "ana@example.com") -> tuple[str, str]:
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Ana Trades")
        user = accounts.create_user(session, email, PASSWORD, "Ana")
        accounts.add_member(session, workspace.id, user.id, "owner")
        return user.id, workspace.id


def _with_totp(factory: sessionmaker[Session], ring: KeyRing, user_id: str) -> str:
    with transaction(factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        secret = accounts.begin_totp(session, ring, user)
        accounts.confirm_totp(session, ring, user, pyotp.TOTP(secret).at(NOW), NOW)
    return secret


def test_the_password_is_kept_as_an_argon2_hash_and_checked(
    session_factory: sessionmaker[Session],
) -> None:
    user_id, _ = _person(session_factory)
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert accounts.check_password(session, "ANA@example.com ", PASSWORD, NOW) is not None
        assert accounts.check_password(session, "ana@example.com", "wrong password!", NOW) is None
        assert accounts.check_password(session, "nobody@example.com", PASSWORD, NOW) is None


def test_short_passwords_bad_addresses_and_a_second_account_are_refused(
    session_factory: sessionmaker[Session],
) -> None:
    _person(session_factory)
    with transaction(session_factory) as session:
        with pytest.raises(LedgerlinkError) as short:
            accounts.create_user(session, "bo@example.com", "short")
        assert (short.value.code, short.value.field) == ("PASSWORD_WEAK", "password")
        with pytest.raises(LedgerlinkError) as bad:
            accounts.create_user(session, "not an address", PASSWORD)
        assert bad.value.field == "email"
        with pytest.raises(LedgerlinkError) as taken:
            accounts.create_user(session, "Ana@Example.com", PASSWORD)
        assert taken.value.code == "EMAIL_TAKEN"


def test_five_failures_in_a_row_lock_the_account_even_for_the_right_password(
    session_factory: sessionmaker[Session],
) -> None:
    _person(session_factory)
    for _ in range(accounts.LOCK_AFTER):
        with transaction(session_factory) as session:
            assert (
                accounts.check_password(session, "ana@example.com", "nope nope nope", NOW) is None
            )
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as locked:
        accounts.check_password(session, "ana@example.com", PASSWORD, NOW + timedelta(minutes=1))
    assert locked.value.code == "SIGNIN_LOCKED"
    later = NOW + accounts.LOCK_FOR + timedelta(seconds=1)
    with transaction(session_factory) as session:
        assert accounts.check_password(session, "ana@example.com", PASSWORD, later) is not None


def test_a_totp_code_is_accepted_once_and_an_older_one_never(
    session_factory: sessionmaker[Session], ring: KeyRing
) -> None:
    user_id, _ = _person(session_factory)
    secret = _with_totp(session_factory, ring, user_id)
    later = NOW + timedelta(seconds=90)
    code = pyotp.TOTP(secret).at(later)
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert accounts.verify_second_factor(session, ring, user, code, later)
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert not accounts.verify_second_factor(session, ring, user, code, later)
        older = pyotp.TOTP(secret).at(later - timedelta(seconds=30))
        assert not accounts.verify_second_factor(session, ring, user, older, later)
        assert not accounts.verify_second_factor(session, ring, user, "12345", later)


def test_two_requests_with_the_same_code_at_once_let_one_in(
    session_factory: sessionmaker[Session], ring: KeyRing
) -> None:
    user_id, _ = _person(session_factory)
    secret = _with_totp(session_factory, ring, user_id)
    later = NOW + timedelta(minutes=5)
    code = pyotp.TOTP(secret).at(later)
    results: list[bool] = []
    start = threading.Barrier(4)

    def attempt() -> None:
        start.wait()
        try:
            with transaction(session_factory) as session:
                user = session.get(User, user_id)
                assert user is not None
                results.append(accounts.verify_second_factor(session, ring, user, code, later))
        except Exception:  # SQLite's busy writer: that attempt did not get in either
            results.append(False)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_a_recovery_code_works_once(session_factory: sessionmaker[Session], ring: KeyRing) -> None:
    user_id, _ = _person(session_factory)
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        secret = accounts.begin_totp(session, ring, user)
        codes = accounts.confirm_totp(session, ring, user, pyotp.TOTP(secret).at(NOW), NOW)
    assert len(set(codes)) == accounts.RECOVERY_CODES
    with transaction(session_factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert accounts.verify_second_factor(session, ring, user, codes[3].upper(), NOW)
        assert not accounts.verify_second_factor(session, ring, user, codes[3], NOW)
        assert accounts.recovery_codes_left(session, user_id) == accounts.RECOVERY_CODES - 1


def test_a_wrong_code_counts_toward_the_lockout(
    session_factory: sessionmaker[Session], ring: KeyRing
) -> None:
    user_id, _ = _person(session_factory)
    secret = _with_totp(session_factory, ring, user_id)
    for _ in range(accounts.LOCK_AFTER):
        with transaction(session_factory) as session:
            user = session.get(User, user_id)
            assert user is not None
            assert not accounts.verify_second_factor(session, ring, user, "000000", NOW)
    good = pyotp.TOTP(secret).at(NOW + timedelta(seconds=60))
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as locked:
        user = session.get(User, user_id)
        assert user is not None
        accounts.verify_second_factor(session, ring, user, good, NOW + timedelta(seconds=60))
    assert locked.value.code == "SIGNIN_LOCKED"


def test_each_sign_in_step_makes_a_new_session_and_ends_the_last(
    session_factory: sessionmaker[Session],
) -> None:
    user_id, workspace_id = _person(session_factory)
    with transaction(session_factory) as session:
        first = open_session(session, user_id, workspace_id, PASSWORD_STAGE, NOW)
        second = open_session(session, user_id, workspace_id, SIGNED_IN, NOW, replacing=first.token)
    with transaction(session_factory) as session:
        assert find_session(session, first.token, NOW) is None
        found = find_session(session, second.token, NOW)
        assert found is not None and found.stage == SIGNED_IN
        assert found.id_hash != second.token  # only the hash is kept
        idle = NOW + timedelta(hours=3)
        assert find_session(session, second.token, idle) is None


def test_an_invitation_makes_the_account_and_the_seat_once(
    session_factory: sessionmaker[Session],
) -> None:
    _, workspace_id = _person(session_factory)
    with transaction(session_factory) as session:
        token = invite(session, workspace_id, "Bo@Example.com", "viewer", None, NOW)
    with transaction(session_factory) as session:
        user = accept_invitation(session, token, PASSWORD, "Bo", NOW)
        assert accounts.role_in(session, user.id, workspace_id) == "viewer"
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as used:
        accept_invitation(session, token, PASSWORD, "Bo", NOW)
    assert used.value.code == "INVITATION_INVALID"


def test_the_last_owner_keeps_the_seat(session_factory: sessionmaker[Session]) -> None:
    user_id, workspace_id = _person(session_factory)
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as last:
        accounts.remove_member(session, workspace_id, user_id)
    assert last.value.code == "ROLE_FORBIDDEN"
