"""Xero refuses a token our clock still calls fresh: the worker refreshes it once and carries on.

The sandbox clock is moved past the access token's 30 minutes while the worker's injected clock
stays put, which is what clock skew (or Xero ending a token early) looks like from here. When
even a new token cannot be had or is refused, the run ends with the items held under a clear
code and the connection waiting for a reconnect, instead of trying again and again.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ApiCall, Connection, TokenSet
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import Event
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth, refresh
from ledgerlink.xero.client import API_PATH, XeroClient
from tests.engine.conftest import CUSTOM_CLIENT, WEB_CLIENT, WEB_SECRET
from tests.engine.sync.conftest import DEFAULTS, Clock, SyncHarness, invoice
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

PAST_EXPIRY = 1801  # seconds: past the 30-minute access token, well inside the refresh grace


def token_set(harness: SyncHarness) -> TokenSet:
    with harness.factory() as session:
        connection = session.get(Connection, harness.connection_id)
        assert connection is not None and connection.token_set_id is not None
        row = session.get(TokenSet, connection.token_set_id)
        assert row is not None
        return row


def connection_status(harness: SyncHarness) -> str:
    with harness.factory() as session:
        connection = session.get(Connection, harness.connection_id)
        assert connection is not None
        return connection.status


def issued(harness: SyncHarness, client_id: str = CUSTOM_CLIENT) -> int:
    """Access tokens the sandbox handed to this app: one per token-endpoint success."""
    tokens = harness.server.state.identity.access_tokens.values()
    return sum(1 for t in tokens if t.principal.client_id == client_id)


def refused_calls(harness: SyncHarness) -> int:
    with harness.factory() as session:
        return len(list(session.scalars(select(ApiCall).where(ApiCall.status == 401))))


def xero_refuses_the_token(harness: SyncHarness) -> None:
    """Only the sandbox's clock moves: ours still has about half an hour on the token."""
    harness.admin("POST", "/_sandbox/clock", {"advance_seconds": PAST_EXPIRY})


def first_batch_synced(harness: SyncHarness) -> None:
    """Reference data cached and the contacts made, so the next run starts with a PUT."""
    harness.push("invoice", [invoice(n, contacts=4) for n in range(8)])
    totals = harness.sync()
    assert totals.get("synced") == 8 and harness.states() == {"done": 8}


def reauth_events(harness: SyncHarness) -> list[dict[str, Any]]:
    with harness.factory() as session:
        rows = session.scalars(select(Event).where(Event.type == "connection.needs_reauth"))
        return [dict(r.data) for r in rows]


def test_a_run_refreshes_a_refused_token_once_and_sends_every_document_once(
    harness: SyncHarness,
) -> None:
    first_batch_synced(harness)
    assert token_set(harness).version == 0
    before = issued(harness)
    xero_refuses_the_token(harness)
    harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 20)])

    seen: list[httpx2.Request] = []
    answers: list[int] = []

    def keep(response: httpx2.Response) -> None:
        seen.append(response.request)
        answers.append(response.status_code)

    worker = harness.worker()
    worker.http = httpx2.Client(timeout=30, event_hooks={"response": [keep]})
    try:
        worker.run_until_idle(max_seconds=3600)
    finally:
        worker.http.close()

    ours = harness.ours()
    assert len(ours) == 20 and set(ours.values()) == {1}
    assert harness.states() == {"done": 20}
    assert issued(harness) == before + 1 and token_set(harness).version == 1
    assert connection_status(harness) == "active"
    # The refused write went again as it was, under a new token: same bytes, same key.
    assert answers.count(401) == 1
    at = answers.index(401)
    refused, again = seen[at], seen[at + 1]
    assert (refused.method, refused.url.path) == ("PUT", "/api.xro/2.0/Invoices")
    assert (again.method, again.url) == (refused.method, refused.url)
    assert again.content == refused.content
    assert again.headers["Idempotency-Key"] == refused.headers["Idempotency-Key"]
    assert again.headers["Authorization"] != refused.headers["Authorization"]
    assert answers[at + 1] == 200


def test_two_clients_refused_the_same_token_refresh_it_once(harness: SyncHarness) -> None:
    token_set_id = str(token_set(harness).id)
    settings = harness.settings
    first = refresh.access_token(harness.factory, token_set_id, harness.clock(), settings=settings)
    xero_refuses_the_token(harness)
    before = issued(harness)
    both_refused = threading.Barrier(2)
    renewed: dict[int, str] = {}
    results: dict[int, Any] = {}

    def client(n: int) -> XeroClient:
        def renew(*, rejected: str) -> str:
            both_refused.wait(timeout=30)
            renewed[n] = refresh.access_token(
                harness.factory, token_set_id, harness.clock(), settings=settings, rejected=rejected
            )
            return renewed[n]

        return XeroClient(settings.xero_api_url + API_PATH, DEMO_TENANT, lambda: first, renew=renew)

    def call(n: int) -> None:
        try:
            with client(n) as xero:
                results[n] = xero.get("/Organisation").items("Organisations")[0]["Name"]
        except BaseException as exc:  # reported below with the other client's result
            results[n] = exc

    threads = [threading.Thread(target=call, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, str) for r in results.values()) and len(results) == 2, results
    assert renewed[0] == renewed[1] != first
    assert issued(harness) == before + 1 and token_set(harness).version == 1


def assert_held_and_stopped(harness: SyncHarness, code: str, held: int) -> None:
    states = harness.states()
    assert states["needs_attention"] == held, states
    codes = {i.error_code for i in harness.items() if i.state == "needs_attention"}
    assert codes == {code}
    assert connection_status(harness) == "needs_reauth"
    # Nothing more is tried: the connection is not leased again until it is reconnected.
    assert harness.sync() == {}


def test_custom_credentials_xero_no_longer_accepts_hold_the_items_for_a_reconnect(
    harness: SyncHarness,
) -> None:
    first_batch_synced(harness)
    xero_refuses_the_token(harness)
    app = harness.server.state.config.app(CUSTOM_CLIENT)
    assert app is not None
    app.client_secret = "a-secret-made-again-in-xero"
    before = issued(harness)
    harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 12)])

    harness.sync()

    assert_held_and_stopped(harness, "CONNECTION_NEEDS_REAUTH", 4)
    assert token_set(harness).status == "needs_reauth"
    assert refused_calls(harness) == 1 and issued(harness) == before
    assert len(harness.ours()) == 8
    told = reauth_events(harness)  # the source app hears of it once
    assert len(told) == 1 and told[0]["fix"].startswith("Connect the organisation again")


def test_a_new_token_refused_as_well_holds_the_items_instead_of_looping(
    harness: SyncHarness,
) -> None:
    first_batch_synced(harness)
    xero_refuses_the_token(harness)
    # From now on every token the sandbox issues is already expired when it arrives.
    harness.server.state.config.access_token_seconds = 0
    before = issued(harness)
    harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 12)])

    harness.sync()

    assert_held_and_stopped(harness, "XERO_UNAUTHORIZED", 4)
    assert refused_calls(harness) == 2 and issued(harness) == before + 1
    message = next(i.error_message for i in harness.items() if i.state == "needs_attention")
    assert message is not None and "connect the organisation again" in message
    assert len(harness.ours()) == 8


@pytest.fixture
def oauth_harness(
    session_factory: sessionmaker[Session], settings: Settings, sync_server: SandboxServer
) -> SyncHarness:
    """The sync harness on an OAuth (authorisation code) connection to the demo organisation."""
    xero_settings = replace(
        settings.for_sandbox(sync_server.url),
        xero_client_id=WEB_CLIENT,
        xero_client_secret=WEB_SECRET,
    )
    with transaction(session_factory) as session:
        workspace, _ = create_workspace(session, "OAuth sync test")
        workspace_id = workspace.id
        url = oauth.start_connect(session, workspace_id, xero_settings)
    reply = httpx2.get(url + "&sandbox_consent=allow&sandbox_tenants=demo", timeout=10)
    back = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}
    with transaction(session_factory) as session:
        (made,) = oauth.finish_connect(session, back["state"], back["code"], settings=xero_settings)
        conns.update_settings(session, workspace_id, made.id, DEFAULTS)
        connection_id = made.id
    return SyncHarness(
        sync_server, session_factory, xero_settings, workspace_id, connection_id, Clock()
    )


def test_an_oauth_connection_refreshes_a_refused_token_once(oauth_harness: SyncHarness) -> None:
    first_batch_synced(oauth_harness)
    before = issued(oauth_harness, WEB_CLIENT)
    xero_refuses_the_token(oauth_harness)
    oauth_harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 20)])

    oauth_harness.sync()

    ours = oauth_harness.ours()
    assert len(ours) == 20 and set(ours.values()) == {1}
    assert oauth_harness.states() == {"done": 20}
    assert issued(oauth_harness, WEB_CLIENT) == before + 1
    assert token_set(oauth_harness).version == 1
    assert refused_calls(oauth_harness) == 1


def test_a_grant_revoked_in_xero_holds_the_items_for_a_reconnect(
    oauth_harness: SyncHarness,
) -> None:
    first_batch_synced(oauth_harness)
    row = token_set(oauth_harness)
    refresh_token = KeyRing.from_settings(oauth_harness.settings).open_field(
        row, "refresh_token_enc"
    )
    revoked = httpx2.post(
        oauth_harness.settings.xero_revocation_url,
        data={"token": refresh_token},
        auth=(WEB_CLIENT, WEB_SECRET),
        timeout=10,
    )
    assert revoked.status_code == 200
    before = issued(oauth_harness, WEB_CLIENT)
    oauth_harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 12)])

    oauth_harness.sync()

    assert_held_and_stopped(oauth_harness, "CONNECTION_NEEDS_REAUTH", 4)
    assert token_set(oauth_harness).status == "needs_reauth"
    assert refused_calls(oauth_harness) == 1 and issued(oauth_harness, WEB_CLIENT) == before


def test_a_connection_removed_in_xero_holds_the_items_for_a_reconnect(
    oauth_harness: SyncHarness,
) -> None:
    first_batch_synced(oauth_harness)
    row = token_set(oauth_harness)
    access = KeyRing.from_settings(oauth_harness.settings).open_field(row, "access_token_enc")
    with oauth_harness.factory() as session:
        connection = session.get(Connection, oauth_harness.connection_id)
        assert connection is not None
        xero_id = connection.xero_connection_id
    removed = httpx2.delete(
        f"{oauth_harness.server.url}/connections/{xero_id}",
        headers={"Authorization": f"Bearer {access}"},
        timeout=10,
    )
    assert removed.status_code == 204
    oauth_harness.push("invoice", [invoice(n, contacts=4) for n in range(8, 12)])

    oauth_harness.sync()

    # Xero answers 403 for an organisation no longer connected: no refresh would help.
    assert_held_and_stopped(oauth_harness, "XERO_FORBIDDEN", 4)
    assert len(reauth_events(oauth_harness)) == 1
    assert token_set(oauth_harness).version == 0
