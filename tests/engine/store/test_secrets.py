"""Sealed secrets: bound to their row, readable across a key change, re-sealed by rotate_all."""

from __future__ import annotations

import base64
import secrets
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store.db import transaction
from ledgerlink.store.models import TokenSet
from ledgerlink.store.secrets import KeyRing, SecretUnreadable, rotate_all
from ledgerlink.store.tokens import create_token_set, load_token_set
from ledgerlink.store.workspaces import create_workspace, set_workspace_app, workspace_app


def key() -> bytes:
    return secrets.token_bytes(32)


def test_seal_and_open_round_trip() -> None:
    ring = KeyRing([key()])
    blob = ring.seal("refresh-token-value", "token_sets:1:refresh_token")
    assert b"refresh-token-value" not in blob
    assert ring.open(blob, "token_sets:1:refresh_token") == "refresh-token-value"


def test_value_moved_to_another_row_does_not_open() -> None:
    ring = KeyRing([key()])
    blob = ring.seal("secret", "token_sets:1:refresh_token")
    with pytest.raises(SecretUnreadable, match="does not belong to this row"):
        ring.open(blob, "token_sets:2:refresh_token")
    with pytest.raises(SecretUnreadable):
        ring.open(blob, "token_sets:1:access_token")


def test_tampered_value_does_not_open() -> None:
    ring = KeyRing([key()])
    blob = bytearray(ring.seal("secret", "a"))
    blob[-1] ^= 1
    with pytest.raises(SecretUnreadable):
        ring.open(bytes(blob), "a")


def test_old_key_opens_until_rotated_then_can_be_dropped() -> None:
    old, new = key(), key()
    before = KeyRing([old]).seal("secret", "row:1:x")
    both = KeyRing([new, old])
    assert both.open(before, "row:1:x") == "secret"
    rotated = both.rotate(before, "row:1:x")
    assert rotated != before
    assert KeyRing([new]).open(rotated, "row:1:x") == "secret"
    with pytest.raises(SecretUnreadable, match="not in LEDGERLINK_SECRET_KEYS"):
        KeyRing([new]).open(before, "row:1:x")


def test_bad_keys_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Settings(secret_keys=(base64.urlsafe_b64encode(b"short").decode(),)).resolved_secret_keys()


def test_key_file_is_made_once_beside_the_sqlite_database(tmp_path: object) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/x/ledgerlink.db")
    first = settings.resolved_secret_keys()
    assert settings.key_file.exists()
    assert settings.key_file.parent.name == "x"
    assert oct(settings.key_file.stat().st_mode)[-3:] == "600"
    assert settings.resolved_secret_keys() == first


def test_rotate_all_reseals_every_stored_secret(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    old_ring = KeyRing.from_settings(settings)
    with transaction(session_factory) as session:
        workspace, _ = create_workspace(session, "Acme")
        set_workspace_app(session, old_ring, workspace.id, "OWN-APP", "own-secret")
        token_set = create_token_set(
            session,
            old_ring,
            workspace_id=workspace.id,
            client_id="OWN-APP",
            kind="oauth",
            access_token="access-1",
            refresh_token="refresh-1",
            expires_at=datetime.now(UTC),
        )
        ids = workspace.id, token_set.id

    new_key = base64.urlsafe_b64encode(key()).decode()
    both = replace(settings, secret_keys=(new_key, *settings.secret_keys))
    new_ring = KeyRing.from_settings(both)
    with transaction(session_factory) as session:
        assert rotate_all(session, new_ring) == 3
    with transaction(session_factory) as session:
        assert rotate_all(session, new_ring) == 0

    only_new = KeyRing.from_settings(replace(settings, secret_keys=(new_key,)))
    with transaction(session_factory) as session:
        tokens = load_token_set(session, only_new, ids[1])
        assert tokens is not None
        assert (tokens.access_token, tokens.refresh_token) == ("access-1", "refresh-1")
        app = workspace_app(session, only_new, ids[0])
        assert app is not None and app.client_secret == "own-secret"
        row = session.scalars(select(TokenSet)).one()
        with pytest.raises(SecretUnreadable):
            old_ring.open(row.access_token_enc or b"", f"token_sets:{row.id}:access_token")
