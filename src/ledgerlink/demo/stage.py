"""What every demo profile's flow is given: the engine over REST and the stack around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2
from rich.console import Console

from ledgerlink.sync.engine import Engine
from xero_sandbox.server import SandboxServer

WEBHOOK_KEY = "ledgerlink-demo-webhook-key"  # the key the demo's Xero app signs webhooks with


@dataclass
class EngineApi:
    """The engine's REST API as the demo sees it: a URL, an API key, a connection."""

    http: httpx2.Client
    key: str = ""
    connection_id: str = ""
    notes: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        reply = self.http.request(method, "/api/v1" + path, headers=headers, **kw)
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {reply.status_code}: {reply.text[:500]}")
        return reply.json()


@dataclass
class Stage:
    """What every profile's flow gets: the engine over REST (workspace made, organisation
    connected, Synchronize pressed), the sandbox, the engine itself, and the console."""

    engine: EngineApi
    sandbox: SandboxServer
    core: Engine
    console: Console
    started: float
    workspace_id: str
    engine_url: str
    tenant: str = "demo"  # the sandbox organisation connected (its key)
