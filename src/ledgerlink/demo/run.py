"""``ledgerlink demo``: the whole engine against a local Xero, the way a source app would use it.

It starts the sandbox and the engine (REST API and worker) on loopback ports, then talks to the
engine only over HTTP: creates a workspace, connects the demo organisation through the real
OAuth flow (authorize URL, consent, redirect to our callback), pushes a job-management app's
documents (jobs.py: invoices, expenses, purchase orders, credit notes and their allocations,
payments) with a few bad ones, watches the queue drain, pushes again to show that nothing is
sent twice (and a purchase order taken back to draft), presses "Refresh from Xero" for the
invoices settled in full, and ends with what happened, kind by kind, and what it cost in Xero
calls.

The exit code is 0 only when every valid document reached Xero once (checked on Xero's side,
once.py) and every bad one was refused or held with the code it should have.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx2
from rich.console import Console

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings, new_key_text
from ledgerlink.demo.documents import Workload
from ledgerlink.demo.jobs import MIN_DOCUMENTS, job_workload
from ledgerlink.demo.report import (
    KIND_NAMES,
    Outcome,
    print_summary,
    show_refresh,
    show_reverted,
    watch_queue,
)
from ledgerlink.demo.two_way import show_two_way
from ledgerlink.store import accounts, migrate
from ledgerlink.store.db import transaction
from ledgerlink.sync.engine import Engine
from xero_sandbox.config import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

CLIENT_ID = "LEDGERLINK-DEMO-APP"
CLIENT_SECRET = "ledgerlink-demo-secret"
BULK_CHUNK = 250
DASHBOARD_EMAIL = "owner@demo-trades.example"
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


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="ledgerlink-demo-") as folder:
        yield f"sqlite:///{Path(folder) / 'ledgerlink.db'}"


def _settings(database_url: str, sandbox_url: str, engine_url: str) -> Settings:
    keys = tuple(k for k in os.environ.get("LEDGERLINK_SECRET_KEYS", "").split(",") if k)
    return replace(
        Settings(database_url=database_url, secret_keys=keys or (new_key_text(),)).for_sandbox(
            sandbox_url
        ),
        xero_client_id=CLIENT_ID,
        xero_client_secret=CLIENT_SECRET,
        xero_webhook_key=WEBHOOK_KEY,
        redirect_uri=f"{engine_url}/api/v1/connections/callback",
    )


def connect(engine: EngineApi, console: Console) -> list[dict[str, Any]]:
    """The real authorization-code flow over HTTP; the sandbox's consent page is answered with
    its unattended "Allow" for the demo organisation."""
    url = engine.call("POST", "/connections/connect")["authorize_url"]
    console.print(f"  authorize URL from POST /connections/connect: [dim]{url[:90]}...[/]")
    consent = httpx2.get(url + "&sandbox_consent=allow&sandbox_tenants=demo", timeout=30)
    if consent.status_code != 302:
        raise RuntimeError(f"consent did not redirect: {consent.status_code} {consent.text[:300]}")
    callback = consent.headers["location"]
    console.print(f"  Xero redirected to our callback: [dim]{callback.split('?')[0]}[/]")
    made = engine.http.get(callback, headers={"Accept": "application/json"})
    if made.status_code != 200:
        raise RuntimeError(f"callback refused: {made.status_code} {made.text[:300]}")
    connections: list[dict[str, Any]] = made.json()
    for c in connections:
        console.print(
            f"  connected [bold]{c['tenant_name']}[/] ({c['base_currency']}, "
            f"short code {c['short_code']})"
        )
    return connections


def push(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> None:
    """Bulk uploads of at most BULK_CHUNK documents, kind by kind in the order a source app
    sends them (invoices before the payments and credit notes that name them); every refused
    one is kept with its code."""
    for kind, docs in work.by_kind():
        answered: dict[str, int] = {}
        for start in range(0, len(docs), BULK_CHUNK):
            chunk = docs[start : start + BULK_CHUNK]
            reply = engine.call("POST", f"/documents/{kind}/bulk", json=chunk)
            for result in reply["results"]:
                status = result["status"]
                outcome.intake[status] = outcome.intake.get(status, 0) + 1
                answered[status] = answered.get(status, 0) + 1
                if status == "invalid":
                    first = result["errors"][0]
                    outcome.refused.append((kind, result["source_id"], first))
        if docs:
            refused = answered.get("invalid", 0)
            console.print(
                f"  {KIND_NAMES[kind]:<17} {len(docs):>4}"
                + (f"  ({refused} refused at intake)" if refused else ""),
                highlight=False,
            )
    created = outcome.intake.get("created", 0)
    console.print(
        f"  {work.total} documents sent in bulk requests: {created} accepted, "
        f"{outcome.intake.get('invalid', 0)} refused at intake"
    )


def push_again(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> int:
    """The same documents again change nothing; one changed invoice updates Xero in place; an
    approved purchase order taken back to draft stays SUBMITTED in Xero. Returns how many new
    versions were made."""
    refused = {s for s, (_, code) in work.expected_errors.items() if code == "VALIDATION_FAILED"}
    sample = [d for d in work.invoices if d["source_id"] not in refused][:50]
    reply = engine.call("POST", "/documents/invoice/bulk", json=sample)
    outcome.resent_unchanged = reply["counts"].get("unchanged", 0)
    outcome.resent = len(sample)
    revised = work.revised or sample[0]["source_id"]
    first = dict(next(d for d in work.invoices if d["source_id"] == revised))
    first["reference"] = str(first.get("reference", "")) + " (revised)"
    before = engine.call("GET", f"/documents/invoice/{revised}")
    changed = engine.call("PUT", f"/documents/invoice/{revised}", json=first)
    outcome.changed = (revised, before.get("link") or {}, changed["status"])
    console.print(
        f"  the same {len(sample)} invoices again: {outcome.resent_unchanged} unchanged; "
        f"{revised} revised: {changed['status']} (version {changed['version']})"
    )
    made = 1
    if work.reverted_po:
        po = dict(next(d for d in work.purchase_orders if d["source_id"] == work.reverted_po))
        po["status"] = "draft"
        reverted = engine.call("PUT", f"/documents/purchase_order/{po['source_id']}", json=po)
        console.print(
            f"  purchase order {po['source_id']} taken back from approved to draft: "
            f"{reverted['status']} (version {reverted['version']})"
        )
        made += 1
    return made


def refresh(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> None:
    """ "Refresh from Xero" for the invoices settled in full and the credit notes applied to
    invoices: what Xero did with them since (paid, credited) comes back to their links."""
    notes = [
        d["source_id"]
        for d in work.credit_notes
        if d.get("allocations") and d["source_id"] not in work.expected_errors
    ][:2]
    for kind, wanted, why in (
        ("invoice", list(work.settled), work.settled),
        ("credit_note", notes, {}),
    ):
        if not wanted:
            continue
        before = {s: engine.call("GET", f"/documents/{kind}/{s}") for s in wanted}
        reply = engine.call("POST", f"/documents/{kind}/refresh", json={"source_ids": wanted})
        outcome.refreshed += reply["documents"]
        show_refresh(kind, before, reply, why, console)


def dashboard_owner(core: Engine, workspace_id: str) -> tuple[str, str]:
    """An owner for the demo's workspace, with a password made for this run only."""
    password = secrets.token_urlsafe(12)
    with transaction(core.factory) as session:
        user = accounts.create_user(session, DASHBOARD_EMAIL, password, "Demo owner")
        accounts.add_member(session, workspace_id, user.id, "owner")
    return DASHBOARD_EMAIL, password


def run_demo(
    documents: int = 1000,
    database_url: str | None = None,
    keep_running: bool = False,
    console: Console | None = None,
) -> int:
    console = console or Console()
    started = time.perf_counter()
    if documents < MIN_DOCUMENTS:
        console.print(f"[red]The demo needs at least {MIN_DOCUMENTS} documents (--documents).[/]")
        return 2
    work = job_workload(documents)
    engine_port = free_port()
    engine_url = f"http://127.0.0.1:{engine_port}"
    config = SandboxConfig(webhook_key=WEBHOOK_KEY)
    for app in config.apps:
        if app.kind != "custom":
            app.redirect_uris.append(f"{engine_url}/api/v1/connections/callback")
    with _database(database_url) as db_url, SandboxServer(config) as sandbox:
        migrate.upgrade(db_url)
        core = Engine.open(
            _settings(db_url, sandbox.url, engine_url), admin_token="", public_url=engine_url
        )
        server = EngineServer(core, port=engine_port)
        try:
            with server, httpx2.Client(base_url=engine_url, timeout=120) as http:
                console.print(f"[bold]Xero sandbox[/] on {sandbox.url}")
                console.print(f"[bold]ledgerlink engine[/] (API + worker) on {engine_url}")
                console.print(f"  database {db_url}")
                engine = EngineApi(http)
                made = engine.call("POST", "/workspaces", json={"name": "Demo Trades Pty Ltd"})
                engine.key = made["api_key"]
                workspace_id = made["id"]
                console.print(
                    f"[bold]1. Workspace[/] {made['name']}: API key {made['api_key'][:10]}..."
                )
                console.print("[bold]2. Connect Xero[/] (OAuth 2.0 authorization code + PKCE)")
                engine.connection_id = connect(engine, console)[0]["id"]
                cid = engine.connection_id
                engine.call(
                    "PATCH",
                    f"/connections/{cid}/settings",
                    json={"default_revenue_account": "200", "default_expense_account": "429"},
                )
                counts = engine.call("POST", f"/connections/{cid}/reference/refresh")["counts"]
                console.print(
                    f"[bold]3. Synchronize[/]: {counts.get('accounts')} accounts, "
                    f"{counts.get('tax_rates')} tax rates, {counts.get('currencies')} currencies, "
                    f"{counts.get('contacts')} contacts cached"
                )
                outcome = Outcome(work=work, started=started)
                console.print(f"[bold]4. Push[/] {work.total} documents over REST")
                push(engine, work, outcome, console)
                console.print("[bold]5. Sync[/] (the worker sends in batches of 50)")
                watch_queue(engine.call, outcome.intake.get("created", 0), console)
                console.print("[bold]6. Changes in the app[/]")
                made = push_again(engine, work, outcome, console)
                watch_queue(engine.call, outcome.intake.get("created", 0) + made, console)
                if work.reverted_po:
                    show_reverted(
                        engine.call("GET", f"/documents/purchase_order/{work.reverted_po}"),
                        console,
                    )
                if work.settled:
                    console.print(
                        "[bold]7. Refresh from Xero[/] (POST /documents/{kind}/refresh): the "
                        "invoices settled in full, the credit notes applied"
                    )
                    refresh(engine, work, outcome, console)
                outcome.collect(engine.call, sandbox)
                code = print_summary(outcome, console)
                console.print(
                    "[bold]8. Xero's side comes back[/]: a person pays an invoice and a bill in "
                    "Xero; Xero's webhook reaches the engine, which tells the app"
                )
                hook = f"{engine_url}/api/v1/xero/webhooks"
                if not show_two_way(engine.call, sandbox, hook, WEBHOOK_KEY, console):
                    console.print("[red]What was paid in Xero did not come back.[/]")
                    code = code or 1
                if keep_running:
                    email, password = dashboard_owner(core, workspace_id)
                    console.print(
                        f"\nSandbox {sandbox.url} and engine {engine_url} stay up; Ctrl-C stops."
                        f"\n[bold]Dashboard[/] {engine_url}/ : sign in as {email} with the "
                        f"password {password} (made for this run, as 'ledgerlink admin "
                        "create-user' would)."
                    )
                    server.wait()
                else:
                    console.print(
                        "Run with --keep-running to look around the dashboard and the sandbox."
                    )
                return code
        finally:
            core.close()
