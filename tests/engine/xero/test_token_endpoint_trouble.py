"""A token endpoint having a moment (429, 5xx, an HTML error page) is not a refused connection.

Only OAuth's refusals (``invalid_client``, ``invalid_grant``...) mean a person must connect
again; anything else is ``XERO_UNAVAILABLE``, tried again later, and the connection stays active.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.sync import refresh
from tests.engine.test_oauth_refresh import TOKEN_SECONDS, connected, stored
from tests.engine.xero.test_forced_refresh import custom_connected

TROUBLE = [
    (429, {"Content-Type": "application/json"}, b'{"error": "rate_limit_exceeded"}'),
    (500, {"Content-Type": "application/json"}, b'{"error": "server_error"}'),
    (503, {"Content-Type": "text/html"}, b"<html><body>Service Unavailable</body></html>"),
]


def token_endpoint(status: int, headers: dict[str, str], body: bytes) -> httpx2.MockTransport:
    def answer(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/connect/token")
        return httpx2.Response(status, headers=headers, content=body)

    return httpx2.MockTransport(answer)


def all_active(factory: sessionmaker[Session], workspace_id: str) -> bool:
    with transaction(factory) as session:
        return all(c.status == "active" for c in conns.list_connections(session, workspace_id))


def connect(
    kind: str, factory: sessionmaker[Session], settings: Settings
) -> tuple[str, str, datetime]:
    """(workspace id, token set id, when the token becomes due) for a new connection."""
    if kind == "custom":
        workspace, token_set_id = custom_connected(factory, settings)
        now = datetime.now(UTC)
    else:
        workspace, token_set_id, now = connected(factory, settings)
    return workspace, token_set_id, now + timedelta(seconds=TOKEN_SECONDS + 1)


@pytest.mark.parametrize("kind", ["custom", "oauth"])
@pytest.mark.parametrize(("status", "headers", "body"), TROUBLE)
def test_a_token_endpoint_in_trouble_is_waited_out_not_a_reconnect(
    session_factory: sessionmaker[Session],
    xero_settings: Settings,
    kind: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    """Custom connections fetch again with client credentials; OAuth ones spend the refresh
    token: either way a token endpoint in trouble leaves the connection as it was."""
    workspace, token_set_id, later = connect(kind, session_factory, xero_settings)
    with pytest.raises(LedgerlinkError) as trouble:
        refresh.access_token(
            session_factory,
            token_set_id,
            later,
            settings=xero_settings,
            transport=token_endpoint(status, headers, body),
        )
    assert trouble.value.code == "XERO_UNAVAILABLE", trouble.value.message
    assert stored(session_factory, xero_settings, token_set_id).status == "active"
    assert all_active(session_factory, workspace)
    # once the endpoint answers again, the same connection gets its token
    assert refresh.access_token(session_factory, token_set_id, later, settings=xero_settings)


def test_a_refused_client_still_needs_a_reconnect(
    session_factory: sessionmaker[Session], xero_settings: Settings
) -> None:
    workspace, token_set_id, later = connect("custom", session_factory, xero_settings)
    refused = token_endpoint(
        400, {"Content-Type": "application/json"}, b'{"error": "invalid_client"}'
    )
    with pytest.raises(LedgerlinkError) as trouble:
        refresh.access_token(
            session_factory, token_set_id, later, settings=xero_settings, transport=refused
        )
    assert trouble.value.code == "CONNECTION_NEEDS_REAUTH"
    assert not all_active(session_factory, workspace)
