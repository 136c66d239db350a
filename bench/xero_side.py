"""The Xero side of ``bench/run.py``: a sandbox in its own process, its organisations, and
plain HTTP to them.

The sandbox runs as ``ledgerlink sandbox`` (uvicorn) in a subprocess so that the CPU the
benchmark reads with ``time.process_time()`` is the engine's (or a baseline's) alone, never the
sandbox's. Its minute is the same compressed minute the engine's limiter is given, so both
sides count the same windows.

Organisations come from the sandbox's admin route ``POST /_sandbox/orgs`` (one custom connection
each, as Xero issues them). A sandbox without that route still serves its demo organisation:
then every run is limited to that one organisation, and the output says so.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2
import msgspec

from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import free_port

_ENCODE = msgspec.json.Encoder(decimal_format="number").encode
DEMO_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
DEMO_SECRET = "ledgerlink-custom-secret"


@dataclass(frozen=True)
class Org:
    """One organisation and the custom connection that reaches it."""

    key: str
    tenant_id: str
    name: str
    client_id: str
    client_secret: str


DEMO_ORG = Org("demo", DEMO_TENANT, "Ledgerlink Demo Company (AU)", DEMO_CLIENT, DEMO_SECRET)


class Sandbox:
    """A running sandbox subprocess: its URL, its organisations and its counters."""

    def __init__(self, url: str, minute_seconds: float, limits: bool) -> None:
        self.url = url
        self.minute_seconds = minute_seconds
        self.limits = limits
        self.admin = httpx2.Client(base_url=url, timeout=120)
        self.orgs_route = True  # until the sandbox says otherwise

    def new_orgs(self, count: int, prefix: str) -> list[Org]:
        """``count`` fresh organisations, or the demo organisation alone when this sandbox
        cannot make them (``orgs_route`` then turns False and the output says so)."""
        if self.orgs_route:
            reply = self.admin.post(
                "/_sandbox/orgs",
                json={"count": count, "prefix": prefix, "custom_connection": True},
            )
            if reply.status_code in (201, 200):
                return [
                    Org(o["key"], o["tenant_id"], o["name"], o["client_id"], o["client_secret"])
                    for o in reply.json()["organisations"]
                ]
            if reply.status_code not in (404, 405):
                raise RuntimeError(f"POST /_sandbox/orgs -> {reply.status_code}: {reply.text}")
            self.orgs_route = False
        return [DEMO_ORG]

    def requests_at(self, org: Org) -> list[float]:
        """When the sandbox received each API request for ``org``, in order (seconds on its
        clock, which is real time in a benchmark)."""
        entries = self.admin.get("/_sandbox/requests", params={"tenant": org.key}).json()
        return [datetime.fromisoformat(e["at"]).timestamp() for e in entries["requests"]]

    def refused_429(self) -> int:
        stats = self.admin.get("/_sandbox/stats").json()
        return int(stats["rate_limits"]["refused_total"])

    def close(self) -> None:
        self.admin.close()


def wait_until_answering(
    proc: subprocess.Popen[bytes], url: str, what: str, said: Callable[[], str]
) -> None:
    """Until ``url`` answers 200 (a minute at most); ``said``: what the process wrote, shown
    when it ends first."""
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} ended: {said()[-800:]}")
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start on {url}")
        time.sleep(0.1)


@contextmanager
def sandbox(minute_seconds: float = 60.0, *, limits: bool = True) -> Iterator[Sandbox]:
    """``ledgerlink sandbox`` on a free loopback port in a subprocess, until the block ends."""
    port = free_port()
    cmd = [sys.executable, "-m", "ledgerlink.cli", "sandbox", "--port", str(port)]
    cmd += ["--minute-seconds", str(minute_seconds)]
    if not limits:
        cmd.append("--no-limits")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    running = Sandbox(url, minute_seconds, limits)
    try:

        def said() -> str:
            return proc.stderr.read().decode() if proc.stderr else ""

        wait_until_answering(proc, url + "/_sandbox/stats", "the sandbox", said)
        yield running
    finally:
        running.close()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class OrgHttp:
    """Plain HTTP to one organisation, as a script without any limiter would call Xero.

    A 429 is waited out for its ``Retry-After`` and the same request sent again (Xero did not
    process it); the count of 429s and the seconds spent waiting are kept, and so are the calls
    made and the bytes of the reply bodies (egress).
    """

    def __init__(self, url: str, org: Org) -> None:
        reply = httpx2.post(
            url + "/connect/token",
            data={"grant_type": "client_credentials"},
            auth=(org.client_id, org.client_secret),
            timeout=30,
        )
        reply.raise_for_status()
        headers = {
            "Authorization": f"Bearer {reply.json()['access_token']}",
            "xero-tenant-id": org.tenant_id,
            "Accept": "application/json",
        }
        self.http = httpx2.Client(base_url=url + "/api.xro/2.0", headers=headers, timeout=300)
        self.calls = 0
        self.refused = 0
        self.waited = 0.0
        self.egress = 0

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """One request (sent again after each 429); ``body`` is encoded with exact decimals."""
        if body is not None:
            kw["content"] = _ENCODE(body)
            kw["headers"] = {"Content-Type": "application/json"}
        while True:
            reply = self.http.request(method, path, **kw)
            self.calls += 1
            self.egress += len(reply.content)
            if reply.status_code == 429:
                self.refused += 1
                pause = float(reply.headers.get("Retry-After") or 1)
                self.waited += pause
                time.sleep(pause)
                continue
            if reply.status_code >= 400:
                raise RuntimeError(f"{method} {path} -> {reply.status_code}: {reply.text[:400]}")
            return reply.json()

    def close(self) -> None:
        self.http.close()


def invoice_numbers(url: str, org: Org) -> Counter[str]:
    """How many times each invoice number stands in the organisation (read after a run, not
    counted in its figures)."""
    client = OrgHttp(url, org)
    try:
        found = client.call("GET", "/Invoices", params={"summaryOnly": "true"})
        return Counter(inv.get("InvoiceNumber", "") for inv in found["Invoices"])
    finally:
        client.close()


def sent_once(url: str, orgs: list[Org], numbers: dict[str, list[str]]) -> tuple[int, int]:
    """(documents in Xero exactly once, documents expected) over ``orgs``; ``numbers`` maps an
    organisation's key to the invoice numbers sent to it."""
    once = expected = 0
    for org in orgs:
        wanted = numbers.get(org.key, [])
        expected += len(wanted)
        held = invoice_numbers(url, org)
        once += sum(1 for n in wanted if held[n] == 1)
    return once, expected
