"""``access_token(rejected=...)``: a token Xero refused is refreshed though our clock calls it
fresh, once across workers, and a worker that finds it already replaced uses the new one.

The sandbox clock is moved past the token's 30 minutes while ours is not: exactly the skew that
makes Xero refuse a token we think good. Refreshes are counted by the tokens the sandbox issued.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import cast

import httpx2
import pytest
from sqlalchemy import Engine as Database
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth, refresh
from ledgerlink.sync.engine import Engine
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET
from tests.engine.test_oauth_refresh import (
    TOKEN_SECONDS,
    ReadThenPause,
    connected,
    issued,
    stored,
    works,
)
from xero_sandbox.server import SandboxServer


def stored_access(factory: sessionmaker[Session], settings: Settings, token_set_id: str) -> str:
    row = stored(factory, settings, token_set_id)
    value = KeyRing.from_settings(settings).open_field(row, "access_token_enc")
    assert value is not None
    return value


def refused_by_xero(sandbox: SandboxServer, settings: Settings, token: str) -> None:
    """Xero's clock passes the token's expiry; ours stays where it was."""
    sandbox.state.clock.advance(TOKEN_SECONDS + 1)
    assert not works(settings, token)


def test_a_refused_token_is_refreshed_though_our_clock_calls_it_fresh(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, _ = connected(session_factory, xero_settings)
    now = datetime.now(UTC)
    first = refresh.access_token(session_factory, token_set_id, now, settings=xero_settings)
    refused_by_xero(sandbox_server, xero_settings, first)
    assert refresh.access_token(session_factory, token_set_id, now, settings=xero_settings) == first

    renewed = refresh.access_token(
        session_factory, token_set_id, now, settings=xero_settings, rejected=first
    )
    assert renewed != first and works(xero_settings, renewed)
    assert issued(sandbox_server) == 2
    assert stored(session_factory, xero_settings, token_set_id).version == 1
    assert stored_access(session_factory, xero_settings, token_set_id) == renewed
    # Told again about the same refused token, it hands out the one already in its place.
    again = refresh.access_token(
        session_factory, token_set_id, now, settings=xero_settings, rejected=first
    )
    assert again == renewed and issued(sandbox_server) == 2


def test_two_workers_refused_the_same_token_refresh_it_once(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, _ = connected(session_factory, xero_settings)
    now = datetime.now(UTC)
    first = refresh.access_token(session_factory, token_set_id, now, settings=xero_settings)
    refused_by_xero(sandbox_server, xero_settings, first)
    start = threading.Barrier(2)
    results: dict[int, str | BaseException] = {}

    def worker(n: int) -> None:
        start.wait(timeout=30)
        try:
            results[n] = refresh.access_token(
                session_factory, token_set_id, now, settings=xero_settings, rejected=first
            )
        except BaseException as exc:  # reported below with the other worker's result
            results[n] = exc

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, str) for r in results.values()), results
    assert len(results) == 2 and results[0] == results[1] != first
    assert issued(sandbox_server) == 2
    assert stored(session_factory, xero_settings, token_set_id).version == 1
    assert works(xero_settings, str(results[0]))


def test_a_worker_that_read_the_refused_token_uses_the_refresh_another_made(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, _ = connected(session_factory, xero_settings)
    now = datetime.now(UTC)
    first = refresh.access_token(session_factory, token_set_id, now, settings=xero_settings)
    refused_by_xero(sandbox_server, xero_settings, first)
    other: list[str] = []

    def other_worker_refreshes() -> None:
        other.append(
            refresh.access_token(
                session_factory, token_set_id, now, settings=xero_settings, rejected=first
            )
        )

    paused = cast(sessionmaker[Session], ReadThenPause(session_factory, other_worker_refreshes))
    mine = refresh.access_token(paused, token_set_id, now, settings=xero_settings, rejected=first)
    assert other == [mine] and mine != first
    assert issued(sandbox_server) == 2
    assert stored(session_factory, xero_settings, token_set_id).version == 1


def custom_connected(factory: sessionmaker[Session], settings: Settings) -> tuple[str, str]:
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Custom")
        made = oauth.connect_custom(
            session, workspace.id, CUSTOM_CLIENT, CUSTOM_SECRET, settings=settings
        )
        return workspace.id, str(made.token_set_id)


def custom_issued(sandbox: SandboxServer) -> int:
    tokens = sandbox.state.identity.access_tokens.values()
    return sum(1 for t in tokens if t.principal.client_id == CUSTOM_CLIENT)


def test_a_custom_connection_fetches_a_new_token_with_its_client_credentials(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id = custom_connected(session_factory, xero_settings)
    now = datetime.now(UTC)
    first = refresh.access_token(session_factory, token_set_id, now, settings=xero_settings)
    sandbox_server.state.clock.advance(TOKEN_SECONDS + 1)
    before = custom_issued(sandbox_server)
    renewed = refresh.access_token(
        session_factory, token_set_id, now, settings=xero_settings, rejected=first
    )
    assert renewed != first and custom_issued(sandbox_server) == before + 1
    assert stored(session_factory, xero_settings, token_set_id).version == 1
    reply = httpx2.get(
        xero_settings.xero_api_url + "/api.xro/2.0/Organisation",
        headers={"Authorization": f"Bearer {renewed}"},
        timeout=10,
    )
    assert reply.status_code == 200


def test_a_custom_connection_whose_credentials_xero_refuses_needs_a_reconnect(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    workspace, token_set_id = custom_connected(session_factory, xero_settings)
    now = datetime.now(UTC)
    first = refresh.access_token(session_factory, token_set_id, now, settings=xero_settings)
    sandbox_server.state.clock.advance(TOKEN_SECONDS + 1)
    app = sandbox_server.state.config.app(CUSTOM_CLIENT)
    assert app is not None
    app.client_secret = "a-secret-made-again-in-xero"
    with pytest.raises(LedgerlinkError) as refused:
        refresh.access_token(
            session_factory, token_set_id, now, settings=xero_settings, rejected=first
        )
    assert (refused.value.code, refused.value.field) == ("CONNECTION_NEEDS_REAUTH", "client_secret")
    assert stored(session_factory, xero_settings, token_set_id).status == "needs_reauth"
    with transaction(session_factory) as session:
        (connection,) = conns.list_connections(session, workspace)
        assert connection.status == "needs_reauth"


def test_the_api_services_client_renews_a_refused_token_once(
    engine: Database,
    session_factory: sessionmaker[Session],
    xero_settings: Settings,
    sandbox_server: SandboxServer,
) -> None:
    workspace, token_set_id = custom_connected(session_factory, xero_settings)
    services = Engine(settings=xero_settings, database=engine, factory=session_factory)
    with transaction(session_factory) as session:
        (connection,) = conns.list_connections(session, workspace)
    with services.xero_client(connection) as xero:
        assert xero.get("/Organisation").items("Organisations")
        sandbox_server.state.clock.advance(TOKEN_SECONDS + 1)
        before = custom_issued(sandbox_server)
        assert xero.get("/Organisation").items("Organisations")
    assert custom_issued(sandbox_server) == before + 1
    assert stored(session_factory, xero_settings, token_set_id).version == 1
