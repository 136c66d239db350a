"""Token refresh: rotated tokens stored before use, one refresh across workers, reauth on refusal.

The sandbox rotates refresh tokens and honours a spent one for a grace period, as Xero does.
Grace would hide a double spend, so refreshes are counted by the access tokens the sandbox
issued for the consent (one per token-endpoint answer), and the stored refresh token is proved
live by using it after the sandbox clock has moved past the grace period.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import TokenSet
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth, refresh
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

TOKEN_SECONDS = 1800


def connected(factory: sessionmaker[Session], settings: Settings) -> tuple[str, str, datetime]:
    """(workspace id, token set id, when it was connected) for the demo organisation."""
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Acme")
        url = oauth.start_connect(session, workspace.id, settings)
    reply = httpx2.get(url + "&sandbox_consent=allow&sandbox_tenants=demo", timeout=10)
    back = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}
    at = datetime.now(UTC)
    with transaction(factory) as session:
        made = oauth.finish_connect(session, back["state"], back["code"], settings=settings)
        return workspace.id, str(made[0].token_set_id), at


def issued(sandbox: SandboxServer) -> int:
    """Access tokens the sandbox issued to user grants: the exchange plus one per refresh."""
    return sum(1 for t in sandbox.state.identity.access_tokens.values() if t.principal.grant_id)


def stored(factory: sessionmaker[Session], settings: Settings, token_set_id: str) -> TokenSet:
    with transaction(factory) as session:
        row = session.get(TokenSet, token_set_id)
        assert row is not None
        return row


def works(settings: Settings, token: str) -> bool:
    reply = httpx2.get(
        settings.xero_api_url + "/api.xro/2.0/Organisation",
        headers={"Authorization": f"Bearer {token}", "xero-tenant-id": DEMO_TENANT},
        timeout=10,
    )
    return reply.status_code == 200


def refresh_token_of(settings: Settings, row: TokenSet) -> str:
    value = KeyRing.from_settings(settings).open_field(row, "refresh_token_enc")
    assert value is not None
    return value


def test_fresh_token_is_used_without_calling_xero(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, _ = connected(session_factory, xero_settings)
    first = refresh.access_token(session_factory, token_set_id, settings=xero_settings)
    again = refresh.access_token(session_factory, token_set_id, settings=xero_settings)
    assert first == again and issued(sandbox_server) == 1
    assert stored(session_factory, xero_settings, token_set_id).version == 0


def test_refresh_stores_the_rotated_refresh_token(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, at = connected(session_factory, xero_settings)
    before = refresh_token_of(xero_settings, stored(session_factory, xero_settings, token_set_id))
    later = at + timedelta(seconds=TOKEN_SECONDS - 30)
    token = refresh.access_token(session_factory, token_set_id, later, settings=xero_settings)
    row = stored(session_factory, xero_settings, token_set_id)
    assert row.version == 1 and row.expires_at is not None and row.expires_at > later
    assert refresh_token_of(xero_settings, row) != before
    assert works(xero_settings, token)
    # Past the grace period only the newest refresh token is honoured: it was the one stored.
    sandbox_server.state.clock.advance(2 * TOKEN_SECONDS + 10)
    much_later = at + timedelta(seconds=2 * TOKEN_SECONDS + 10)
    newer = refresh.access_token(session_factory, token_set_id, much_later, settings=xero_settings)
    assert works(xero_settings, newer) and issued(sandbox_server) == 3


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, at = connected(session_factory, xero_settings)
    due = at + timedelta(seconds=TOKEN_SECONDS - 10)
    start = threading.Barrier(2)
    results: dict[int, str | BaseException] = {}

    def worker(n: int) -> None:
        start.wait()
        try:
            results[n] = refresh.access_token(
                session_factory, token_set_id, due, settings=xero_settings
            )
        except BaseException as exc:  # reported below, with the other worker's result
            results[n] = exc

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, str) for r in results.values()), results
    assert len(results) == 2 and results[0] == results[1]
    assert issued(sandbox_server) == 2  # the code exchange and exactly one refresh
    assert stored(session_factory, xero_settings, token_set_id).version == 1
    assert works(xero_settings, str(results[0]))
    sandbox_server.state.clock.advance(2 * TOKEN_SECONDS + 10)
    much_later = at + timedelta(seconds=2 * TOKEN_SECONDS + 10)
    newer = refresh.access_token(session_factory, token_set_id, much_later, settings=xero_settings)
    assert works(xero_settings, newer)


class ReadThenPause:
    """Sessions from ``factory``; when the first one closes, ``between`` runs once.

    It stops a worker right after its unlocked first read, so another worker can refresh
    before it takes the lock: the interleaving SQLite's serialised transactions rarely show.
    """

    def __init__(self, factory: sessionmaker[Session], between: Any) -> None:
        self.factory = factory
        self.between = between
        self.paused = False

    def __call__(self) -> Session:
        session = self.factory()
        if not self.paused:
            self.paused = True
            close = session.close

            def close_then_pause() -> None:
                close()
                self.between()

            session.close = close_then_pause  # type: ignore[method-assign]
        return session


def test_a_worker_that_read_stale_tokens_uses_the_refresh_another_made(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, at = connected(session_factory, xero_settings)
    due = at + timedelta(seconds=TOKEN_SECONDS - 10)
    other: list[str] = []

    def other_worker_refreshes() -> None:
        other.append(
            refresh.access_token(session_factory, token_set_id, due, settings=xero_settings)
        )

    paused = cast(sessionmaker[Session], ReadThenPause(session_factory, other_worker_refreshes))
    mine = refresh.access_token(paused, token_set_id, due, settings=xero_settings)
    assert other == [mine]
    assert issued(sandbox_server) == 2
    assert stored(session_factory, xero_settings, token_set_id).version == 1


def _refresh_in_process(
    settings: Settings, token_set_id: str, due: datetime, start: Any, out: Any
) -> None:
    """A separate worker process: its own engine and pool, the same database and token set."""
    from ledgerlink.store.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    try:
        start.wait()
        token = refresh.access_token(
            make_session_factory(engine), token_set_id, due, settings=settings
        )
        out.put(token)
    except BaseException as exc:  # handed to the test, which reports it
        out.put(f"error: {exc!r}")
    finally:
        engine.dispose()


def test_two_worker_processes_refreshing_at_once_spend_the_refresh_token_once(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, at = connected(session_factory, xero_settings)
    due = at + timedelta(seconds=TOKEN_SECONDS - 10)
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_refresh_in_process, args=(xero_settings, token_set_id, due, start, out)
        )
        for _ in range(2)
    ]
    for process in workers:
        process.start()
    tokens = [out.get(timeout=90) for _ in workers]
    for process in workers:
        process.join(timeout=30)
    assert not any(t.startswith("error:") for t in tokens), tokens
    assert tokens[0] == tokens[1]
    assert issued(sandbox_server) == 2
    assert stored(session_factory, xero_settings, token_set_id).version == 1
    assert works(xero_settings, tokens[0])


class LoseFirstRefreshReply(httpx2.HTTPTransport):
    """Lets the first refresh reach the sandbox, then drops its reply, as a network cut would."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = super().handle_request(request)
        body = request.content.decode()
        if (
            request.url.path.endswith("/connect/token")
            and "refresh_token" in body
            and not self.lost
        ):
            response.read()
            response.close()
            self.lost += 1
            raise httpx2.ReadTimeout("reply lost", request=request)
        return response


def test_a_lost_refresh_reply_is_retried_with_the_same_refresh_token(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    _, token_set_id, at = connected(session_factory, xero_settings)
    transport = LoseFirstRefreshReply()
    due = at + timedelta(seconds=TOKEN_SECONDS - 10)
    token = refresh.access_token(
        session_factory, token_set_id, due, settings=xero_settings, transport=transport
    )
    assert transport.lost == 1 and works(xero_settings, token)
    sandbox_server.state.clock.advance(2 * TOKEN_SECONDS + 10)
    much_later = at + timedelta(seconds=2 * TOKEN_SECONDS + 10)
    newer = refresh.access_token(session_factory, token_set_id, much_later, settings=xero_settings)
    assert works(xero_settings, newer)


def test_refused_refresh_marks_the_connection_for_reauth(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    workspace, token_set_id, at = connected(session_factory, xero_settings)
    row = stored(session_factory, xero_settings, token_set_id)
    revoked = httpx2.post(
        xero_settings.xero_revocation_url,
        data={"token": refresh_token_of(xero_settings, row)},
        auth=(xero_settings.xero_client_id, xero_settings.xero_client_secret),
        timeout=10,
    )
    assert revoked.status_code == 200
    due = at + timedelta(seconds=TOKEN_SECONDS - 10)
    for _ in range(2):  # the second attempt is refused from the database, without Xero
        with pytest.raises(LedgerlinkError) as refused:
            refresh.access_token(session_factory, token_set_id, due, settings=xero_settings)
        assert refused.value.code == "CONNECTION_NEEDS_REAUTH"
        assert refused.value.http_status == 409
    assert issued(sandbox_server) == 1
    assert stored(session_factory, xero_settings, token_set_id).status == "needs_reauth"
    with transaction(session_factory) as session:
        (connection,) = conns.list_connections(session, workspace)
        assert connection.status == "needs_reauth"
        with pytest.raises(LedgerlinkError) as blocked:
            conns.require_usable(connection)
        assert blocked.value.code == "CONNECTION_NEEDS_REAUTH"
