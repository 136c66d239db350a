"""Shared fixtures: a real sandbox on a loopback port, driven with plain HTTP."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx2
import msgspec
import pytest
import uvicorn

from xero_sandbox import SandboxConfig, create_app
from xero_sandbox.app import SandboxApp
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningSandbox:
    """A sandbox served by uvicorn in a background thread on 127.0.0.1."""

    def __init__(self, config: SandboxConfig) -> None:
        self.port = free_port()
        config.public_url = f"http://127.0.0.1:{self.port}"
        self.config = config
        self.app: SandboxApp = create_app(config)
        self.state = self.app.state
        self.url = config.public_url
        server_config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="critical", lifespan="on"
        )
        self.server = uvicorn.Server(server_config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def start(self) -> RunningSandbox:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("sandbox did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


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

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)

    def close(self) -> None:
        self.client.close()


def custom_token(base: str) -> str:
    """An access token for the demo organisation through the custom-connection grant."""
    reply = httpx2.post(
        base + "/connect/token",
        data={"grant_type": "client_credentials"},
        auth=(CUSTOM_CLIENT, CUSTOM_SECRET),
        timeout=10,
    )
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
        running.stop()


@pytest.fixture
def xero(sandbox: RunningSandbox) -> Iterator[XeroHttp]:
    """Plain HTTP to the demo organisation with a live token."""
    client = XeroHttp(sandbox.url, custom_token(sandbox.url), DEMO_TENANT)
    try:
        yield client
    finally:
        client.close()


__all__ = ["DEMO_TENANT", "UK_TENANT", "RunningSandbox", "XeroHttp", "custom_token"]
