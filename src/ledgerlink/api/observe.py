"""What the REST app adds for operators: request ids in and out, and ``/metrics``.

Every request gets a correlation id: the caller's ``X-Request-ID`` when it sends a usable one
(printable, at most 64 characters), else a new one. It is bound to every log line written while
serving the request, answered in the ``X-Request-ID`` response header, and kept with every queue
item the request queues, so the worker's log line of the Xero call that sends the document
carries the same id. One line per request (method, path, status, time) is logged at INFO.

``GET /metrics`` answers Prometheus' exposition format for the engine this app serves: the
process's counters and histograms, and what the engine's database holds when scraped (queue
depth by state and kind, budget left). It needs no API key, like any Prometheus endpoint: the
figures name no workspace, document or secret; put the server behind your network's rules.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledgerlink import logs, metrics
from ledgerlink.api.services import services

log = logging.getLogger("ledgerlink.api")
HEADER = b"x-request-id"


class RequestIds:
    """ASGI middleware: the request's id bound to its log lines and answered in its header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", ())
        given = next((v.decode("latin-1") for k, v in headers if k.lower() == HEADER), None)
        rid, done = logs.serve_request(given)
        status = 0

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                message = {**message, "headers": [*kept, (HEADER, rid.encode())]}
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, answer)
        except BaseException:
            # Left bound: the app's handler of unexpected errors runs next, in this same task,
            # and its log line then carries the id too (the task's context ends with it).
            _access(scope, 500, started)
            raise
        _access(scope, status, started)
        done()


def _access(scope: Scope, status: int, started: float) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    fields: dict[str, Any] = {
        "http_method": scope.get("method"),
        "http_path": scope.get("path"),
        "http_status": status,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    log.info("%s %s: %s", scope.get("method"), scope.get("path"), status, extra=fields)


def install(app: FastAPI) -> None:
    """Add the request-id middleware and the ``/metrics`` route to ``app``."""
    app.add_middleware(RequestIds)

    @app.get("/metrics", include_in_schema=False)
    def scrape(request: Request) -> Response:
        registry = metrics.engine_registry(services(request).factory)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
