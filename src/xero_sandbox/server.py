"""Run the sandbox in a background thread on a loopback port (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from xero_sandbox.app import SandboxApp, create_app
from xero_sandbox.config import SandboxConfig
from xero_sandbox.state import SandboxState


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SandboxServer:
    """A sandbox served by uvicorn in a daemon thread; ``url`` is where it listens."""

    def __init__(self, config: SandboxConfig | None = None, *, port: int | None = None) -> None:
        self.config = config or SandboxConfig()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config.public_url = self.url
        self.app: SandboxApp = create_app(self.config)
        self.state: SandboxState = self.app.state
        server_config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="critical", lifespan="on"
        )
        self.server = uvicorn.Server(server_config)
        self.thread = threading.Thread(target=self._run, name="xero-sandbox", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def start(self, timeout: float = 20.0) -> SandboxServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the sandbox did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, wait: bool = True) -> None:
        """Tell the server to stop; ``wait``: until its thread has ended. Without waiting, the
        caller goes on while uvicorn finishes (it polls for the stop every 0.1 s and then gives
        connections 0.1 s more): a test's teardown saves that fifth of a second, and the port is
        never reused meanwhile (each server listens on a free port of its own)."""
        self.server.should_exit = True
        if wait:
            self.thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop(wait=False)
