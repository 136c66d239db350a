"""Shared fixtures: a real sandbox on a loopback port, driven with plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx2
import msgspec
import pytest

from xero_sandbox import SandboxConfig
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT
from xero_sandbox.server import SandboxServer

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder(decimal_format="number")


class RunningSandbox(SandboxServer):
    """The sandbox as tests see it (kept as a name the test files import)."""


@dataclass
class Reply:
    status: int
    headers: httpx2.Headers
    text: str

    @property
    def json(self) -> Any:
        return _DECODER.decode(self.text.encode())


class XeroHttp:
    """Plain HTTP calls to the sandbox, bodies encoded with exact Decimals."""

    def __init__(self, base: str, token: str | None, tenant: str | None) -> None:
        self.base = base
        self.token = token
        self.tenant = tenant
        self.client = httpx2.Client(base_url=base, timeout=30)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.tenant:
            headers["xero-tenant-id"] = self.tenant
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        content = raw if raw is not None else (_ENCODER.encode(body) if body is not None else None)
        extra = dict(headers or {})
        if content is not None:
            extra.setdefault("Content-Type", "application/json")
        response = self.client.request(
            method,
            "/api.xro/2.0" + path,
            content=content,
            params=params,
            headers=self.headers(extra),
        )
        return Reply(response.status_code, response.headers, response.text)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)

    def made(self, key: str, element: dict[str, Any]) -> dict[str, Any]:
        """PUT one element to ``/{key}``; the call must succeed; what Xero made of it."""
        reply = self.put(f"/{key}", {key: [element]})
        assert reply.status == 200, reply.text
        record: dict[str, Any] = reply.json[key][0]
        return record

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)

    def close(self) -> None:
        self.client.close()


def custom_token(
    base: str, scope: str | None = None, auth: tuple[str, str] = (CUSTOM_CLIENT, CUSTOM_SECRET)
) -> str:
    """An access token through the custom-connection grant: the demo organisation's app unless
    ``auth`` names another, with the app's scopes unless ``scope`` (space-separated) asks."""
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    reply = httpx2.post(base + "/connect/token", data=data, auth=auth, timeout=10)
    reply.raise_for_status()
    return str(reply.json()["access_token"])


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig()


@pytest.fixture
def sandbox(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    running = RunningSandbox(sandbox_config).start()
    try:
        yield running
    finally:
        running.stop(wait=False)


@pytest.fixture
def xero(sandbox: RunningSandbox) -> Iterator[XeroHttp]:
    """Plain HTTP to the demo organisation with a live token."""
    client = XeroHttp(sandbox.url, custom_token(sandbox.url), DEMO_TENANT)
    try:
        yield client
    finally:
        client.close()


__all__ = ["DEMO_TENANT", "UK_TENANT", "RunningSandbox", "XeroHttp", "custom_token"]
