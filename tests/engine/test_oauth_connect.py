"""Connecting organisations through the sandbox's real OAuth flow, over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ApiCall, Connection, OAuthState, RateBucket, TokenSet
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth, refresh
from ledgerlink.sync.limiter import Limiter
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT
from xero_sandbox.server import SandboxServer


def new_workspace(factory: sessionmaker[Session], name: str = "Acme") -> str:
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, name)
        return workspace.id


def consent(url: str, tenants: str = "demo,uk") -> dict[str, str]:
    """What a person clicking Allow in Xero sends back: the redirect's query."""
    reply = httpx2.get(f"{url}&sandbox_consent=allow&sandbox_tenants={tenants}", timeout=10)
    assert reply.status_code == 302, reply.text
    query = parse_qs(urlsplit(reply.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


def connect(
    factory: sessionmaker[Session], settings: Settings, workspace_id: str, tenants: str = "demo,uk"
) -> list[Connection]:
    with transaction(factory) as session:
        url = oauth.start_connect(session, workspace_id, settings)
    back = consent(url, tenants)
    with transaction(factory) as session:
        return oauth.finish_connect(session, back["state"], back["code"], settings=settings)


def test_authorize_url_asks_for_pkce_and_keeps_the_verifier_sealed(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        url = oauth.start_connect(session, workspace, xero_settings)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(xero_settings.xero_authorize_url + "?")
    assert query["code_challenge_method"] == "S256"
    assert query["client_id"] == "LEDGERLINK-DEMO-APP"
    assert query["redirect_uri"] == xero_settings.redirect_uri
    assert "offline_access" in query["scope"].split()
    with transaction(session_factory) as session:
        row = session.get(OAuthState, query["state"])
        assert row is not None and row.workspace_id == workspace
        verifier = KeyRing.from_settings(xero_settings).open_field(row, "code_verifier_enc")
        assert verifier is not None and verifier.encode() not in row.code_verifier_enc


def test_full_connect_gives_two_connections_sharing_one_token_set(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    made = connect(session_factory, xero_settings, workspace)
    assert {c.tenant_id for c in made} == {DEMO_TENANT, UK_TENANT}
    with transaction(session_factory) as session:
        rows = conns.list_connections(session, workspace)
        assert len(rows) == 2
        assert len({r.token_set_id for r in rows}) == 1
        by_tenant = {r.tenant_id: r for r in rows}
        assert by_tenant[DEMO_TENANT].base_currency == "AUD"
        assert by_tenant[UK_TENANT].base_currency == "GBP"
        assert all(r.short_code and r.xero_connection_id and r.status == "active" for r in rows)
        token_set = session.scalars(select(TokenSet)).one()
        assert token_set.refresh_token_enc is not None and token_set.kind == "oauth"
    token = refresh.access_token(session_factory, str(token_set.id), settings=xero_settings)
    reply = httpx2.get(
        xero_settings.xero_api_url + "/api.xro/2.0/Organisation",
        headers={"Authorization": f"Bearer {token}", "xero-tenant-id": UK_TENANT},
        timeout=10,
    )
    assert reply.status_code == 200


def test_reconnecting_the_same_organisations_does_not_duplicate(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    first = connect(session_factory, xero_settings, workspace)
    second = connect(session_factory, xero_settings, workspace, tenants="demo")
    assert [c.tenant_id for c in second] == [DEMO_TENANT]
    with transaction(session_factory) as session:
        rows = {r.tenant_id: r for r in conns.list_connections(session, workspace)}
        assert len(rows) == 2
        assert rows[DEMO_TENANT].id == next(c.id for c in first if c.tenant_id == DEMO_TENANT)
        assert rows[DEMO_TENANT].token_set_id != rows[UK_TENANT].token_set_id
        assert session.scalar(select(func.count()).select_from(TokenSet)) == 2


def test_state_is_refused_when_replayed_unknown_or_expired(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        url = oauth.start_connect(session, workspace, xero_settings)
    back = consent(url)
    with transaction(session_factory) as session:
        oauth.finish_connect(session, back["state"], back["code"], settings=xero_settings)
    for state in (back["state"], "never-issued"):
        with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
            oauth.finish_connect(session, state, back["code"], settings=xero_settings)
        assert refused.value.code == "OAUTH_STATE_INVALID"

    with transaction(session_factory) as session:
        url = oauth.start_connect(session, workspace, xero_settings)
    back = consent(url)
    later = datetime.now(UTC) + timedelta(seconds=xero_settings.oauth_state_seconds + 1)
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as expired:
        oauth.finish_connect(
            session, back["state"], back["code"], settings=xero_settings, now=later
        )
    assert (expired.value.code, expired.value.message) == (
        "OAUTH_STATE_INVALID",
        "The connect link expired.",
    )
    with transaction(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(OAuthState)) == 0


def test_denied_consent_is_reported_and_spends_the_state(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        url = oauth.start_connect(session, workspace, xero_settings)
    reply = httpx2.get(url + "&sandbox_consent=deny", timeout=10)
    query = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as denied:
        oauth.finish_connect(
            session, query["state"], None, settings=xero_settings, error=query["error"]
        )
    assert denied.value.code == "OAUTH_DENIED" and "access_denied" in denied.value.message
    with transaction(session_factory) as session:
        assert session.get(OAuthState, query["state"]) is None
        assert conns.list_connections(session, workspace) == []


def test_workspace_with_its_own_app_connects_with_it(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    from ledgerlink.store.workspaces import set_workspace_app

    workspace = new_workspace(session_factory)
    ring = KeyRing.from_settings(xero_settings)
    no_default = replace(xero_settings, xero_client_id="", xero_client_secret="")
    with transaction(session_factory) as session:
        set_workspace_app(session, ring, workspace, "LEDGERLINK-DEMO-APP", "ledgerlink-demo-secret")
    made = connect(session_factory, no_default, workspace, tenants="uk")
    assert [c.tenant_id for c in made] == [UK_TENANT]
    other = new_workspace(session_factory, "No app")
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as missing:
        oauth.start_connect(session, other, no_default)
    assert missing.value.field == "xero_client_id"


def test_custom_connection_reaches_its_one_organisation(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        made = oauth.connect_custom(
            session, workspace, CUSTOM_CLIENT, CUSTOM_SECRET, settings=xero_settings
        )
        made_id, token_set_id = made.id, str(made.token_set_id)
    assert made.tenant_id == DEMO_TENANT and made.base_currency == "AUD"
    first = refresh.access_token(session_factory, token_set_id, settings=xero_settings)
    sandbox_server.state.clock.advance(1800)
    later = datetime.now(UTC) + timedelta(seconds=1800)
    second = refresh.access_token(session_factory, token_set_id, later, settings=xero_settings)
    assert second != first
    reply = httpx2.get(
        xero_settings.xero_api_url + "/api.xro/2.0/Organisation",
        headers={"Authorization": f"Bearer {second}"},
        timeout=10,
    )
    assert reply.status_code == 200
    with transaction(session_factory) as session:
        row = session.get(TokenSet, token_set_id)
        assert row is not None and row.kind == "custom" and row.version == 1
        assert conns.get_connection(session, workspace, made_id).status == "active"

    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
        oauth.connect_custom(session, workspace, CUSTOM_CLIENT, "wrong", settings=xero_settings)
    assert (refused.value.code, refused.value.field) == ("VALIDATION_FAILED", "client_secret")


def test_disconnect_removes_the_organisation_at_xero(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    workspace = new_workspace(session_factory)
    made = connect(session_factory, xero_settings, workspace)
    uk = next(c for c in made if c.tenant_id == UK_TENANT)
    gone = oauth.disconnect(session_factory, workspace, uk.id, settings=xero_settings)
    assert gone.status == "disconnected"
    left = {c.tenant_id for c in sandbox_server.state.identity.connections.values()}
    assert left == {DEMO_TENANT}
    with transaction(session_factory) as session:
        rows = {r.tenant_id: r for r in conns.list_connections(session, workspace)}
        assert rows[UK_TENANT].status == "disconnected"
        assert rows[DEMO_TENANT].status == "active"
        assert session.scalar(select(func.count()).select_from(TokenSet)) == 1
    other = new_workspace(session_factory, "Other")
    with pytest.raises(LedgerlinkError) as refused:
        oauth.disconnect(session_factory, other, made[0].id, settings=xero_settings)
    assert refused.value.code == "CONNECTION_NOT_FOUND"


def day_count(factory: sessionmaker[Session], key: str) -> int | None:
    with transaction(factory) as session:
        row = session.get(RateBucket, key)
        return None if row is None else row.count


def test_the_organisation_read_at_connect_counts_against_the_limiter_and_is_recorded(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace = new_workspace(session_factory)
    # Another call to the demo organisation is already in this app's minute.
    with Limiter(session_factory, xero_settings.xero_client_id).acquire(DEMO_TENANT):
        pass
    made = connect(session_factory, xero_settings, workspace)
    assert all(c.base_currency for c in made)
    assert day_count(session_factory, f"tenant:{DEMO_TENANT}") == 2
    assert day_count(session_factory, f"tenant:{UK_TENANT}") == 1
    with transaction(session_factory) as session:
        calls = session.scalars(select(ApiCall).where(ApiCall.path == "/Organisation")).all()
        assert sorted((c.connection_id, c.status, c.ok) for c in calls) == sorted(
            (c.id, 200, True) for c in made
        )


def test_a_limiter_asking_to_wait_long_leaves_the_organisation_for_the_first_refresh(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    workspace = new_workspace(session_factory)
    Limiter(session_factory, CUSTOM_CLIENT).penalise(DEMO_TENANT, 3600.0, "minute")
    with transaction(session_factory) as session:
        made = oauth.connect_custom(
            session, workspace, CUSTOM_CLIENT, CUSTOM_SECRET, settings=xero_settings
        )
    assert made.status == "active" and made.base_currency is None
    assert not [r for r in sandbox_server.state.request_log if r["path"] == "/Organisation"]
