"""A source app's notification receiver on a loopback port: real HTTP, switchable down (503)
and up again, keeping every request it was sent with what it answered."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verify(self, secret: str) -> Any:
        """Checked by the standardwebhooks package: an implementation that is not ours."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    def __init__(self) -> None:
        self.down = False
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = 503 if receiver.down else 200
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, status))
                answer = b"down for maintenance" if status == 503 else b"ok"
                self.send_response(status)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def got(self, path: str | None = None, *, ok_only: bool = True) -> list[Received]:
        with self._lock:
            found = list(self.requests)
        return [
            r
            for r in found
            if (path is None or r.path == path) and (not ok_only or r.answered == 200)
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
