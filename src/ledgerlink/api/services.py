"""What every route needs: settings, the database, and a Xero client for one connection.

One ``Services`` per app, kept on ``app.state``; routes reach it through ``services(request)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial

import httpx2
from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import make_engine, make_session_factory
from ledgerlink.store.models import Connection, TokenSet
from ledgerlink.sync.context import WorkerConfig
from ledgerlink.sync.worker import RunResult, Worker
from ledgerlink.xero import oauth
from ledgerlink.xero.client import API_PATH, XeroClient, api_call_recorder
from ledgerlink.xero.limits import Limiter, XeroLimits


@dataclass
class Services:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    admin_token: str | None = None
    transport: httpx2.BaseTransport | None = None
    limits: XeroLimits = field(default_factory=XeroLimits)
    public_url: str = "http://127.0.0.1:8000"
    worker_config: WorkerConfig | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        admin_token: str | None = None,
        transport: httpx2.BaseTransport | None = None,
        limits: XeroLimits | None = None,
        public_url: str | None = None,
    ) -> Services:
        engine = make_engine(settings.database_url)
        token = admin_token if admin_token is not None else os.environ.get("LEDGERLINK_ADMIN_TOKEN")
        return cls(
            settings=settings,
            engine=engine,
            factory=make_session_factory(engine),
            admin_token=token or None,
            transport=transport,
            limits=limits or XeroLimits(),
            public_url=public_url or "http://127.0.0.1:8000",
        )

    def close(self) -> None:
        self.engine.dispose()

    def limiter(self, client_id: str | None = None) -> Limiter:
        """The limiter every worker and route shares through the database, per Xero app."""
        return Limiter(
            self.factory, client_id or self.settings.xero_client_id or "default", self.limits
        )

    def worker(self) -> Worker:
        config = self.worker_config or WorkerConfig(public_url=self.public_url)
        return Worker(self.factory, self.settings, config, limiter=self.limiter())

    def sync_connection(self, connection_id: str) -> RunResult:
        """One worker run on this connection now; empty when another worker holds it."""
        return self.worker().run_once(connection_id)

    def xero_client(self, connection: Connection) -> XeroClient:
        """A client for one organisation: shared limiter, calls recorded, tokens refreshed."""
        conns.require_usable(connection)
        token_set_id = connection.token_set_id
        if not token_set_id:
            raise LedgerlinkError(
                "CONNECTION_NEEDS_REAUTH",
                f"Connection {connection.tenant_name or connection.id} holds no tokens.",
                field="connection_id",
            )
        with self.factory() as session:
            token_set = session.get(TokenSet, token_set_id)
            client_id = token_set.client_id if token_set is not None else "unknown"
        token = partial(
            oauth.access_token,
            self.factory,
            token_set_id,
            settings=self.settings,
            transport=self.transport,
        )
        return XeroClient(
            self.settings.xero_api_url + API_PATH,
            connection.tenant_id,
            token,
            self.limiter(client_id),
            on_call=api_call_recorder(self.factory, connection.id),
            max_wait=120.0,
            renew=token,
        )


def services(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services)
    return found
