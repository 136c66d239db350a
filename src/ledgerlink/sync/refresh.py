"""Keeping a token set's access token alive, across workers (Authlib over httpx2).

Refresh tokens rotate on every use and a spent one is refused after Xero's 30-minute grace, so
a token set is refreshed by one worker at a time under a row lock, and the new tokens are
committed before the access token is handed out: a crash after the refresh can lose at most a
reply, which the grace period covers, never the only live refresh token. Also which Xero app
(client id and secret) a workspace connects with, and the key ring that seals the tokens.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx2
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store import tokens as tok
from ledgerlink.store.db import lock_row, transaction
from ledgerlink.store.models import TokenSet
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.workspaces import workspace_app
from ledgerlink.sync import events
from ledgerlink.xero import identity as idn

REFRESH_MARGIN_SECONDS = 60.0


def ring_for(settings: Settings) -> KeyRing:
    return KeyRing.from_settings(settings)


def app_for(session: Session, settings: Settings, workspace_id: str) -> idn.XeroApp:
    """The workspace's own Xero app if it brought one, else ledgerlink's default app."""
    own = workspace_app(session, ring_for(settings), workspace_id)
    if own is not None:
        return idn.XeroApp(own.client_id, own.client_secret)
    if not settings.xero_client_id:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "No Xero app is configured: set LEDGERLINK_XERO_CLIENT_ID and "
            "LEDGERLINK_XERO_CLIENT_SECRET, or give the workspace its own Xero app.",
            field="xero_client_id",
        )
    return idn.XeroApp(settings.xero_client_id, settings.xero_client_secret or None)


def secret_for(
    session: Session, settings: Settings, workspace_id: str, client_id: str
) -> str | None:
    own = workspace_app(session, ring_for(settings), workspace_id)
    if own is not None and own.client_id == client_id:
        return own.client_secret
    if client_id == settings.xero_client_id:
        return settings.xero_client_secret or None
    raise LedgerlinkError(
        "CONNECTION_NEEDS_REAUTH",
        f"The Xero app {client_id} that made this connection is no longer configured.",
        field="xero_client_id",
    )


def access_token(
    factory: sessionmaker[Session],
    token_set_id: str,
    now: datetime | None = None,
    *,
    settings: Settings,
    transport: httpx2.BaseTransport | None = None,
    rejected: str | None = None,
) -> str:
    """A live access token for the token set, refreshed once (across workers) when due.

    Under the row lock the set is read again: if another worker refreshed it meanwhile, its
    token is used; else the token endpoint is called and the new tokens are committed before
    this returns. ``invalid_grant`` marks the set (and its connections) as needing a reconnect.

    ``rejected`` is a token Xero answered 401 to. Our clock's idea of "fresh" is then wrong
    (skew, or Xero ended the token early), so while it is still the stored token it is
    refreshed whatever its expiry says; once another worker has replaced it, theirs is used.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    ring = ring_for(settings)
    with transaction(factory) as session:
        seen = tok.load_token_set(session, ring, token_set_id)
    _check_usable(seen, token_set_id)
    assert seen is not None
    if seen.access_token != rejected and seen.fresh(now, REFRESH_MARGIN_SECONDS):
        return str(seen.access_token)
    refused: LedgerlinkError | None = None
    with transaction(factory) as session:
        row = lock_row(session, TokenSet, token_set_id)
        current = None if row is None else tok.open_tokens(ring, row)
        _check_usable(current, token_set_id)
        assert row is not None and current is not None
        moved = current.version != seen.version
        usable = current.fresh(now, REFRESH_MARGIN_SECONDS) or (moved and current.fresh(now, 0))
        if current.access_token != rejected and usable:
            return str(current.access_token)
        app = idn.XeroApp(current.client_id, current.client_secret)
        if current.kind == tok.OAUTH:
            app = idn.XeroApp(
                current.client_id,
                secret_for(session, settings, current.workspace_id, current.client_id),
            )
        try:
            granted = idn.renew(
                settings,
                app,
                custom=current.kind == tok.CUSTOM,
                refresh_token=current.refresh_token,
                transport=transport,
            )
        except LedgerlinkError as exc:
            if exc.code != "CONNECTION_NEEDS_REAUTH":
                raise
            row.status = tok.NEEDS_REAUTH
            for connection in conns.connections_for_token_set(session, token_set_id):
                if connection.status == conns.ACTIVE:
                    connection.status = conns.NEEDS_REAUTH
                    events.needs_reauth(session, connection, now, exc.message)
            refused = exc
        else:
            issued = now + timedelta(seconds=time.monotonic() - started)
            tok.store_new_tokens(
                ring,
                row,
                access_token=granted.access_token,
                refresh_token=granted.refresh_token,
                expires_at=issued + timedelta(seconds=granted.expires_in),
                scopes=granted.scope or None,
            )
    if refused is not None:
        raise refused
    return granted.access_token


def _check_usable(tokens: tok.Tokens | None, token_set_id: str) -> None:
    if tokens is None:
        raise LedgerlinkError(
            "CONNECTION_NOT_FOUND", f"No token set {token_set_id}: connect again.", "connection_id"
        )
    if tokens.status == tok.NEEDS_REAUTH:
        raise LedgerlinkError(
            "CONNECTION_NEEDS_REAUTH",
            "Xero refused this connection's tokens; a person must connect it again.",
            "connection_id",
        )
