"""The one place a Xero client for a connection is built.

Every caller (the worker, a REST route, the scheduler, the connect flow) gets the same wiring:
the shared limiter, every call kept in the call log, tokens fetched (and refreshed across
workers) from the token set, a refused token renewed once (unless it lacks the scope the call
needs: the token set's granted scopes tell), and the process's one outbound HTTP client, so
connections reuse one pool and one TLS context.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.calls import OnCall, api_call_recorder
from ledgerlink.store.models import TokenSet
from ledgerlink.sync import refresh
from ledgerlink.xero.client import API_PATH, Limiter, XeroClient
from ledgerlink.xero.transport import shared_transport


def outbound_http(
    settings: Settings, transport: httpx2.BaseTransport | None = None
) -> httpx2.Client:
    """The process's one HTTP client for Xero: one pool, one TLS context, Xero's timeouts."""
    timeout = settings.xero_read_timeout
    return httpx2.Client(
        timeout=httpx2.Timeout(timeout, connect=5.0, read=timeout, pool=5.0),
        transport=shared_transport(transport),
    )


def connection_client(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    connection_id: str,
    tenant_id: str,
    token_set_id: str | None,
    limiter: Limiter | None,
    http: httpx2.Client | None,
    clock: Callable[[], datetime] | None = None,
    max_wait: float | None = None,
    on_call: OnCall | None = None,
    token: Callable[[], str] | None = None,
    transport: httpx2.BaseTransport | None = None,
    scopes: str | None = None,
) -> XeroClient:
    """A client for one organisation (``token`` given: a fixed token, e.g. while connecting,
    with the ``scopes`` Xero granted it)."""
    record = api_call_recorder(factory, connection_id)

    def log_call(method: str, path: str, status: int) -> None:
        record(method, path, status)
        if on_call is not None:
            on_call(method, path, status)

    def stored(rejected: str | None = None) -> str:
        if token_set_id is None:
            raise LedgerlinkError(
                "CONNECTION_NEEDS_REAUTH",
                "The connection holds no tokens: connect it again.",
                "connection_id",
            )
        return refresh.access_token(
            factory,
            token_set_id,
            clock() if clock is not None else None,
            settings=settings,
            rejected=rejected,
            transport=transport,
        )

    def granted() -> str | None:
        """Read when Xero answers 401 (never per call): a refresh may have changed them."""
        if scopes is not None or token_set_id is None:
            return scopes
        with factory() as session:
            found: str | None = session.scalar(
                select(TokenSet.scopes).where(TokenSet.id == token_set_id)
            )
            return found

    return XeroClient(
        settings.xero_api_url.rstrip("/") + API_PATH,
        tenant_id,
        token or stored,
        limiter,
        http,
        log_call,
        max_wait=max_wait,
        renew=None if token is not None else stored,
        granted_scopes=granted,
    )
