"""The demo's last step: Xero's side comes back, and the source app hears of it.

A person pays an invoice in Xero and approves and pays a bill there (the sandbox, over its
API). Xero's webhook (the sandbox's, checked first with Intent to Receive) reaches the engine,
which reads both back in one call and tells the source app: a signed ``document.paid`` for
each arrives at the app's endpoint, whose signature the app checks itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
from rich.console import Console

from xero_sandbox.server import SandboxServer

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"  # the sandbox's custom connection: "a person"
CUSTOM_SECRET = "ledgerlink-custom-secret"
WAIT_SECONDS = 60.0  # bounds a hang; it usually takes two or three seconds
Call = Callable[..., Any]


def signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The source app's check of a Standard Webhooks signature (id.timestamp.body, HMAC-SHA256
    with the base64 secret after ``whsec_``)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.partition(",")[2] for s in headers.get("webhook-signature", "").split()]
    return any(hmac.compare_digest(expected, s) for s in given)


@dataclass
class AppEndpoint:
    """The source app's notification URL: a loopback server keeping what it was sent."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                endpoint.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ledgerlink-events"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def person_in_xero(sandbox: SandboxServer) -> httpx2.Client:
    token = httpx2.post(
        sandbox.url + "/connect/token",
        data={"grant_type": "client_credentials"},
        auth=(CUSTOM_CLIENT, CUSTOM_SECRET),
        timeout=10,
    ).json()["access_token"]
    return httpx2.Client(
        base_url=sandbox.url + "/api.xro/2.0",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=30,
    )


def _pick(call: Call, kind: str, status: str) -> dict[str, Any] | None:
    """A document of ``kind`` whose Xero status is ``status`` and that still has money due."""
    shown = call("GET", "/documents", params={"kind": kind, "limit": 500})["documents"]
    for doc in shown:
        link = doc.get("link") or {}
        if link.get("status") == status and link.get("amount_due") not in (None, "0.00"):
            return dict(doc)
    return None


def show_two_way(
    call: Call, sandbox: SandboxServer, webhook_url: str, key: str, console: Console
) -> bool:
    """Pay an invoice and a bill in Xero and watch both come back; True when they did."""
    app = AppEndpoint()
    try:
        made = call("POST", "/endpoints", json={"url": app.url, "types": ["document.paid"]})
        hooked = httpx2.put(
            sandbox.url + "/_sandbox/webhooks", json={"url": webhook_url, "key": key}, timeout=30
        ).json()
        console.print(
            f"  Xero's webhook points at {webhook_url}: Intent to Receive {hooked['status']}"
        )
        chosen = [d for d in (_pick(call, "invoice", "AUTHORISED"),) if d]
        bill = _pick(call, "expense", "SUBMITTED")
        with person_in_xero(sandbox) as xero:
            if bill is not None:
                xero.post(f"/Invoices/{bill['link']['xero_id']}", json={"Status": "AUTHORISED"})
                chosen.append(bill)
            for doc in chosen:
                payment = {
                    "Invoice": {"InvoiceID": doc["link"]["xero_id"]},
                    "Account": {"Code": "090"},
                    "Date": "2026-03-28",
                    "Amount": doc["link"]["amount_due"],
                    "Reference": "paid in Xero",
                }
                xero.put("/Payments", json={"Payments": [payment]}).raise_for_status()
        httpx2.post(sandbox.url + "/_sandbox/webhooks/flush", timeout=30)
        return _came_back(call, chosen, app, made["secret"], console)
    finally:
        app.close()


def _came_back(
    call: Call, chosen: list[dict[str, Any]], app: AppEndpoint, secret: str, console: Console
) -> bool:
    ends = time.monotonic() + WAIT_SECONDS
    wanted = {d["source_id"] for d in chosen}
    told: dict[str, bool] = {}
    while time.monotonic() < ends and set(told) != wanted:
        time.sleep(0.2)
        for headers, body in list(app.received):
            data = json.loads(body).get("data", {})
            told[str(data.get("source_id"))] = signature_ok(secret, headers, body)
    for doc in chosen:
        kind, source = doc["kind"], doc["source_id"]
        link = call("GET", f"/documents/{kind}/{source}")["link"]
        console.print(
            f"  {kind} {source} ({link.get('number') or link['xero_id'][:8]}) paid in Xero: now "
            f"{link['status']}, paid {link['amount_paid']} on {link['paid_date']}; the app was "
            + (
                "sent a signed document.paid (signature checked)"
                if told.get(source)
                else "NOT told"
            )
        )
    return bool(chosen) and set(told) == wanted and all(told.values())
