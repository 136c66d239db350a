"""The REST API in process (Starlette's TestClient) over a migrated database (SQLite; also
PostgreSQL for the tests marked ``BOTH_DATABASES``), with Xero played by a sandbox on a
loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

from ledgerlink.api import create_app
from ledgerlink.config import Settings
from ledgerlink.store import migrate
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from tests.engine.conftest import (
    CUSTOM_CLIENT,
    CUSTOM_SECRET,
    TEST_KEY,
    WEB_CLIENT,
    WEB_SECRET,
    postgres_schema_url,
)
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer

API = "/api/v1"


@dataclass
class Api:
    client: TestClient
    services: Engine
    sandbox: SandboxServer

    def workspace(self, name: str = "Acme") -> str:
        reply = self.client.post(f"{API}/workspaces", json={"name": name})
        assert reply.status_code == 201, reply.text
        return str(reply.json()["api_key"])

    def call(self, method: str, path: str, key: str | None = None, **kw: Any) -> httpx2.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return self.client.request(method, API + path, headers=headers, **kw)

    def custom(self, key: str) -> str:
        """A connection to the demo organisation through the custom connection (one call)."""
        made = self.call(
            "POST",
            "/connections/custom",
            key,
            json={"client_id": CUSTOM_CLIENT, "client_secret": CUSTOM_SECRET},
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def connect(self, key: str, tenants: str = "demo") -> list[dict[str, Any]]:
        """The whole OAuth flow: our connect URL, the sandbox's consent, our callback."""
        started = self.call("POST", "/connections/connect", key)
        assert started.status_code == 200, started.text
        url = started.json()["authorize_url"]
        consent = httpx2.get(f"{url}&sandbox_consent=allow&sandbox_tenants={tenants}", timeout=10)
        assert consent.status_code == 302, consent.text
        back = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers["location"]).query).items()}
        done = self.call("GET", "/connections/callback", params=back)
        assert done.status_code == 200, done.text
        made = done.json()
        assert isinstance(made, list)
        return made


@pytest.fixture
def api_sandbox() -> Iterator[SandboxServer]:
    """Rate limits off at both ends: these tests are about the API, not about pacing."""
    config = SandboxConfig()
    config.limits.enabled = False
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def api_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite, unless the test is marked ``BOTH_DATABASES`` (then also a PostgreSQL schema).

    Every API test on both databases would more than double this folder's run time for little:
    most tests are about request shapes, not storage. The marked ones are those whose rows and
    queries matter: workspace isolation, document upserts in bulk, the queue, the scheduler.
    """
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/api.db"
        return
    yield from postgres_schema_url()


BOTH_DATABASES = pytest.mark.parametrize(
    "api_db_url", ["sqlite", "postgresql"], indirect=True, ids=["sqlite", "postgresql"]
)


@pytest.fixture
def api(api_db_url: str, api_sandbox: SandboxServer) -> Iterator[Api]:
    url = api_db_url
    migrate.upgrade(url)
    settings = replace(
        Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(api_sandbox.url),
        xero_client_id=WEB_CLIENT,
        xero_client_secret=WEB_SECRET,
    )
    fast = XeroLimits(per_minute=100_000, per_day=1_000_000, concurrent=50)
    services = Engine.open(settings, admin_token="", limits=fast)
    client = TestClient(create_app(services, max_body=2 * 1024 * 1024))
    try:
        yield Api(client, services, api_sandbox)
    finally:
        client.close()
        services.close()
