"""The process's one connection pool and TLS context for every call to Xero.

Building an HTTP client on its own transport loads the CA bundle into a new TLS context: about
25 ms of CPU each time, which a worker serving a thousand organisations would pay on every token
fetch and every run. Every client here (the API client, the OAuth token calls through Authlib,
the connections endpoint) is a thin wrapper over one shared transport instead, so the process
keeps one pool of kept-alive connections and one TLS context, whoever built the client.
"""

from __future__ import annotations

import os
import threading

import httpx2

# Enough kept-alive connections for a worker driving many organisations at once (Xero serves
# them all from one host), and room for each organisation's concurrent calls.
POOL = httpx2.Limits(max_connections=256, max_keepalive_connections=128, keepalive_expiry=30.0)

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")

_lock = threading.Lock()
_process_transport: httpx2.HTTPTransport | None = None


class _Borrowed(httpx2.BaseTransport):
    """The shared transport as one client sees it: closing the client leaves it open for the
    others (it lives as long as the process)."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Nothing: other clients share the pool."""


def _proxied() -> bool:
    return any(os.environ.get(name) for name in PROXY_VARIABLES)


def shared_transport(
    transport: httpx2.BaseTransport | None = None,
) -> httpx2.BaseTransport | None:
    """``transport`` when one is given (a test's, an in-process sandbox's), else the process's
    own, borrowed so that a client closing does not close it. Behind a proxy named in the
    environment, None: each client then routes by the environment as httpx does."""
    global _process_transport
    if transport is not None:
        return transport
    if _proxied():
        return None
    with _lock:
        if _process_transport is None:
            _process_transport = httpx2.HTTPTransport(limits=POOL)
        return _Borrowed(_process_transport)
