"""A live stack for the browser tests: the Xero sandbox and a real engine server (REST API,
dashboard, worker, scheduler and notify loop, as ``ledgerlink serve`` runs them) on free
loopback ports, with SQLite in a temporary folder.

Tests share one stack per module, so each test makes its own workspace (``workspace()``) and
never relies on what another test left behind: workspaces see nothing of each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx2

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, TEST_KEY, WEB_CLIENT, WEB_SECRET
from tests.engine.sync.conftest import FAST_APP_MINUTE, FAST_MINUTE, fast_limits
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

API = "/api/v1"
# Creating a workspace over REST needs this token (Authorization: Bearer ...).
ADMIN_TOKEN = "browser-tests-admin-token"


@dataclass(frozen=True)
class Workspace:
    id: str
    key: str  # its first API key


@dataclass
class LiveStack:
    """What a browser test reaches: ``url`` (the engine: dashboard at ``/``, REST under
    ``/api/v1``), ``sandbox_url`` (the local Xero), the in-process ``engine`` and its database.
    """

    engine: Engine
    server: EngineServer
    sandbox: SandboxServer
    database_url: str
    admin_token: str = ADMIN_TOKEN
    _clients: list[httpx2.Client] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sandbox_url(self) -> str:
        return self.sandbox.url

    @property
    def callback_url(self) -> str:
        """The OAuth redirect URI the engine sends to Xero (registered with the sandbox)."""
        return f"{self.url}{API}/connections/callback"

    def rest(self, key: str | None = None) -> httpx2.Client:
        """An HTTP client on the REST API (paths relative to ``/api/v1``, so
        ``rest(key).get("/queue")``) sending ``key`` as its bearer token; none when None.
        Closed with the stack."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx2.Client(base_url=self.url + API, headers=headers, timeout=30)
        self._clients.append(client)
        return client

    def workspace(self, name: str = "Browser test") -> Workspace:
        """A new workspace and its first API key."""
        workspace_id, key = self.engine.create_workspace(name)
        return Workspace(workspace_id, key)

    def connect(self, workspace: Workspace) -> str:
        """The sandbox's demo organisation connected to ``workspace`` through its custom
        connection (no consent page), for tests about something else; the connection's id."""
        return self.engine.connect_custom(workspace.id, CUSTOM_CLIENT, CUSTOM_SECRET)

    def allow_redirect(self, uri: str) -> None:
        """Register one more OAuth redirect URI with the sandbox's web and PKCE apps."""
        for app in self.sandbox.config.apps:
            if app.kind != "custom" and uri not in app.redirect_uris:
                app.redirect_uris.append(uri)

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextmanager
def live_stack(folder: Path, *, worker: bool = True) -> Iterator[LiveStack]:
    """Start the sandbox and the engine server (``worker`` False: the API alone) with a SQLite
    database in ``folder``; stop both afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    callback = f"{url}{API}/connections/callback"
    # Limits high enough that a test never waits, still enforced on both sides.
    config = SandboxConfig(limits=fast_limits())
    for app in config.apps:
        if app.kind != "custom":
            app.redirect_uris.append(callback)
    database_url = f"sqlite:///{folder / 'ledgerlink.db'}"
    with SandboxServer(config) as sandbox:
        settings = replace(
            Settings(database_url=database_url, secret_keys=(TEST_KEY,)).for_sandbox(sandbox.url),
            xero_client_id=WEB_CLIENT,
            xero_client_secret=WEB_SECRET,
            xero_webhook_key=config.webhook_key,
            redirect_uri=callback,
        )
        engine = Engine.open(
            settings,
            admin_token=ADMIN_TOKEN,
            limits=XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE),
            public_url=url,
            migrate_schema=True,
        )
        try:
            with EngineServer(engine, port=port, worker=worker) as server:
                stack = LiveStack(engine, server, sandbox, database_url)
                try:
                    yield stack
                finally:
                    stack.close()
        finally:
            engine.close()
