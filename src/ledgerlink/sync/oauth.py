"""Connecting Xero organisations, and disconnecting them (Authlib over httpx2).

The connect flows (authorization code with PKCE, custom connections) store the token set and
the organisations it reaches; ``refresh`` keeps the tokens alive afterwards.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuthError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store import tokens as tok
from ledgerlink.store.db import lock_row, transaction
from ledgerlink.store.models import Connection, OAuthState, TokenSet
from ledgerlink.sync import lifecycle, refresh
from ledgerlink.sync.clients import connection_client, outbound_http
from ledgerlink.sync.limiter import Limiter, XeroLimits
from ledgerlink.sync.reference import remember_organisation
from ledgerlink.xero import identity as idn
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)


# A person is waiting on the connect page: past this, ShortCode waits for the first refresh.
ORGANISATION_MAX_WAIT = 10.0


def _side_sessions(session: Session) -> sessionmaker[Session]:
    """Sessions for the limiter and the call log while ``session`` is mid-transaction.

    On SQLite that transaction already holds the database's one write lock, so they join it (a
    savepoint each) instead of waiting for it; on PostgreSQL they commit on their own, as every
    worker's do, so no limiter row stays locked while the connect goes on.
    """
    if session.get_bind().dialect.name == "sqlite":
        return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    return sessionmaker(bind=session.get_bind())


def fetch_organisation(
    session: Session,
    settings: Settings,
    connection: Connection,
    access: str,
    transport: httpx2.BaseTransport | None,
    client_id: str,
    limits: XeroLimits | None = None,
    scopes: str | None = None,
) -> None:
    """ShortCode (for deep links) and BaseCurrency; a failure here only leaves them empty.

    The call counts against the app's shared limiter and is recorded like every other call.
    """
    sessions = _side_sessions(session)
    with (
        outbound_http(settings, transport) as http,
        connection_client(
            sessions,
            settings,
            connection_id=connection.id,
            tenant_id=connection.tenant_id,
            token_set_id=None,
            limiter=Limiter(sessions, client_id, limits or XeroLimits.from_env()),
            http=http,
            max_wait=ORGANISATION_MAX_WAIT,
            token=lambda: access,
            scopes=scopes,
        ) as xero,
    ):
        try:
            org = xero.get("/Organisation").items("Organisations")[0]
        except (XeroError, IndexError) as exc:
            log.warning("could not read Organisation for %s: %s", connection.tenant_id, exc)
        else:
            connection.short_code = org.get("ShortCode")
            connection.base_currency = org.get("BaseCurrency")
            remember_organisation(session, connection.id, org)
    session.flush()


def start_connect(
    session: Session,
    workspace_id: str,
    settings: Settings,
    *,
    now: datetime | None = None,
    return_to: str | None = None,
) -> str:
    """The Xero authorize URL for this workspace; state and PKCE verifier are kept sealed;
    ``return_to``: the dashboard page the callback takes the person to once connected."""
    now = now or datetime.now(UTC)
    app = refresh.app_for(session, settings, workspace_id)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    client = idn.oauth_client(
        settings,
        app,
        None,
        scope=settings.scopes,
        redirect_uri=settings.redirect_uri,
        code_challenge_method="S256",
    )
    with client:
        url, _ = client.create_authorization_url(
            settings.xero_authorize_url, state=state, code_verifier=verifier
        )
    tok.save_oauth_state(
        session,
        refresh.ring_for(settings),
        state=state,
        workspace_id=workspace_id,
        client_id=app.client_id,
        redirect_uri=settings.redirect_uri,
        code_verifier=verifier,
        expires_at=now + timedelta(seconds=settings.oauth_state_seconds),
        return_to=return_to,
    )
    return str(url)


def _spend_state(
    session: Session, settings: Settings, state: str, now: datetime
) -> tuple[OAuthState, str, str | None]:
    """Take the state out of the table (committed) so it can never be used twice."""
    row = lock_row(session, OAuthState, state) if state else None
    if row is None:
        raise LedgerlinkError(
            "OAUTH_STATE_INVALID", "The connect link is unknown or was already used.", "state"
        )
    verifier = refresh.ring_for(settings).open_field(row, "code_verifier_enc") or ""
    secret = None
    if row.expires_at > now:
        secret = refresh.secret_for(session, settings, row.workspace_id, row.client_id)
    session.delete(row)
    session.commit()
    if row.expires_at <= now:
        raise LedgerlinkError("OAUTH_STATE_INVALID", "The connect link expired.", "state")
    return row, verifier, secret


def back_to_page(session: Session, state: str) -> str | None:
    """Where a connect started from the dashboard goes back to (read before the state is spent)."""
    row = session.get(OAuthState, state) if state else None
    return row.return_to if row is not None else None


def finish_connect(
    session: Session,
    state: str,
    code: str | None,
    *,
    settings: Settings,
    error: str | None = None,
    now: datetime | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> list[Connection]:
    """The callback: one token set for the consent, one connection per organisation it covered.

    Commits the spent state before calling Xero (so a replay fails even if this call does); the
    token set and connections are left in ``session`` for the caller to commit.
    """
    now = now or datetime.now(UTC)
    spent, verifier, secret = _spend_state(session, settings, state, now)
    if error == "invalid_scope":
        raise LedgerlinkError(
            "OAUTH_DENIED",
            f"Xero refused the scopes asked for ({settings.scopes}): an app created on or after "
            "2 March 2026 takes granular scopes only (LEDGERLINK_XERO_SCOPE_STYLE=granular), "
            "and every scope in LEDGERLINK_XERO_SCOPES must be one Xero knows.",
            "scopes",
        )
    if error or not code:
        raise LedgerlinkError(
            "OAUTH_DENIED", f"Xero did not grant access ({error or 'no code'}).", "error"
        )
    app = idn.XeroApp(spent.client_id, secret)
    with idn.oauth_client(settings, app, transport, redirect_uri=spent.redirect_uri) as client:
        try:
            token = client.fetch_token(
                settings.xero_token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
        except OAuthError as exc:
            raise LedgerlinkError(
                "OAUTH_STATE_INVALID", f"Xero refused the authorisation code ({exc.error}).", "code"
            ) from exc
        except httpx2.HTTPError as exc:
            raise idn.unavailable("token endpoint", exc) from exc
    granted = idn.read_token(token)
    event_id = idn.claim(granted.access_token, "authentication_event_id")
    tenants = idn.list_tenants(settings, granted.access_token, event_id, transport)
    if not tenants:
        raise LedgerlinkError(
            "OAUTH_DENIED", "The consent in Xero covered no organisation: choose one.", "tenants"
        )
    ring = refresh.ring_for(settings)
    token_set = tok.create_token_set(
        session,
        ring,
        workspace_id=spent.workspace_id,
        client_id=spent.client_id,
        kind=tok.OAUTH,
        access_token=granted.access_token,
        refresh_token=granted.refresh_token,
        expires_at=now + timedelta(seconds=granted.expires_in),
        scopes=granted.scope,
        auth_event_id=event_id,
    )
    made = [_connect_tenant(session, spent.workspace_id, t, token_set.id) for t in tenants]
    tok.drop_unused_token_sets(session, spent.workspace_id, keep=token_set.id)
    for connection in made:
        fetch_organisation(
            session,
            settings,
            connection,
            granted.access_token,
            transport,
            spent.client_id,
            scopes=granted.scope,
        )
    return made


def _connect_tenant(
    session: Session, workspace_id: str, tenant: dict[str, Any], token_set_id: str
) -> Connection:
    """Connect (or reconnect) one organisation; a reconnect queues again exactly what was held
    because Xero refused the connection."""
    before = session.scalars(
        select(Connection.status).where(
            Connection.workspace_id == workspace_id, Connection.tenant_id == tenant["tenantId"]
        )
    ).first()
    row = conns.upsert_connection(
        session,
        workspace_id,
        tenant["tenantId"],
        tenant_name=tenant.get("tenantName") or "",
        token_set_id=token_set_id,
        xero_connection_id=tenant.get("id"),
    )
    if before is not None and before != conns.ACTIVE:
        lifecycle.resume_held_for_access(session, row.id, datetime.now(UTC))
    return row


def connect_custom(
    session: Session,
    workspace_id: str,
    client_id: str,
    client_secret: str,
    *,
    settings: Settings,
    now: datetime | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> Connection:
    """A custom connection: client credentials bound by Xero to exactly one organisation.

    It asks for the same accounting scopes as a connect does (``Settings.custom_scopes``).
    """
    now = now or datetime.now(UTC)
    app = idn.XeroApp(client_id, client_secret)
    granted = idn.client_credentials(settings, app, transport, scope=settings.custom_scopes)
    tenants = idn.list_tenants(settings, granted.access_token, None, transport)
    if len(tenants) != 1:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"A custom connection must reach one organisation; Xero listed {len(tenants)}.",
            "client_id",
        )
    token_set = tok.create_token_set(
        session,
        refresh.ring_for(settings),
        workspace_id=workspace_id,
        client_id=client_id,
        kind=tok.CUSTOM,
        access_token=granted.access_token,
        refresh_token=None,
        expires_at=now + timedelta(seconds=granted.expires_in),
        scopes=granted.scope,
        client_secret=client_secret,
    )
    connection = _connect_tenant(session, workspace_id, tenants[0], token_set.id)
    tok.drop_unused_token_sets(session, workspace_id, keep=token_set.id)
    fetch_organisation(
        session,
        settings,
        connection,
        granted.access_token,
        transport,
        client_id,
        scopes=granted.scope,
    )
    return connection


def disconnect(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    *,
    settings: Settings,
    transport: httpx2.BaseTransport | None = None,
) -> Connection:
    """Remove the organisation at Xero (DELETE /connections/{id}) and mark the row.

    The refresh token is not revoked: Xero's revocation removes every connection the user
    gave the app, including other organisations still in use. A token set no connection uses
    any more is deleted here, so its tokens are no longer kept.
    """
    with transaction(factory) as session:
        row = conns.get_connection(session, workspace_id, connection_id)
        token_set_id, xero_id, kind = row.token_set_id, row.xero_connection_id, None
        if token_set_id:
            found = session.get(TokenSet, token_set_id)
            kind = found.kind if found is not None else None
    if token_set_id and xero_id and kind == tok.OAUTH:
        try:
            access = refresh.access_token(
                factory, token_set_id, settings=settings, transport=transport
            )
            idn.delete_at_xero(settings, access, xero_id, transport)
        except LedgerlinkError as exc:
            log.warning("disconnect %s: Xero not told (%s); marked here only", connection_id, exc)
    with transaction(factory) as session:
        row = conns.mark_disconnected(session, workspace_id, connection_id)
        row.token_set_id = None
        session.flush()
        if token_set_id and not conns.connections_for_token_set(session, token_set_id):
            stale = session.get(TokenSet, token_set_id)
            if stale is not None:
                session.delete(stale)
    return row
