"""``ledgerlink demo``: the whole engine against a local Xero, the way a source app would use it.

It starts the sandbox and the engine (REST API and worker) on loopback ports, then talks to the
engine only over HTTP: creates a workspace, connects the demo organisation through the real
OAuth flow (authorize URL, consent, redirect to our callback), pushes a job-management app's
documents (jobs.py: invoices, expenses, purchase orders, credit notes and their allocations,
payments) with a few bad ones, watches the queue drain, pushes again to show that nothing is
sent twice (and a purchase order taken back to draft), presses "Refresh from Xero" for the
invoices settled in full, and ends with what happened, kind by kind, and what it cost in Xero
calls.

That is the job-management profile; ``--profile`` picks another product's flow (profiles.py),
each against the same stack: workspace, OAuth connection, Synchronize, then the flow.

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
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
from rich.console import Console

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings, new_key_text
from ledgerlink.demo.profiles import DEFAULT_PROFILE, PROFILES
from ledgerlink.demo.stage import WEBHOOK_KEY, EngineApi, Stage
from ledgerlink.store import accounts, migrate
from ledgerlink.store.db import transaction
from ledgerlink.sync.engine import Engine
from xero_sandbox.config import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

CLIENT_ID = "LEDGERLINK-DEMO-APP"
CLIENT_SECRET = "ledgerlink-demo-secret"
DASHBOARD_EMAIL = "owner@demo-trades.example"


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


def connect(engine: EngineApi, console: Console, tenant: str = "demo") -> list[dict[str, Any]]:
    """The real authorization-code flow over HTTP; the sandbox's consent page is answered with
    its unattended "Allow" for the organisation ``tenant`` (its key in the sandbox)."""
    url = engine.call("POST", "/connections/connect")["authorize_url"]
    console.print(f"  authorize URL from POST /connections/connect: [dim]{url[:90]}...[/]")
    consent = httpx2.get(url + f"&sandbox_consent=allow&sandbox_tenants={tenant}", timeout=30)
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
    profile: str = DEFAULT_PROFILE,
) -> int:
    console = console or Console()
    started = time.perf_counter()
    chosen = PROFILES.get(profile)
    if chosen is None:
        console.print(f"[red]--profile must be one of {', '.join(PROFILES)} (got {profile!r}).[/]")
        return 2
    if documents < chosen.min_documents:
        console.print(
            f"[red]The demo needs at least {chosen.min_documents} documents (--documents) for "
            f"the {profile} profile.[/]"
        )
        return 2
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
                console.print(f"[bold]Profile[/] {chosen.name}: {chosen.title}")
                engine = EngineApi(http)
                made = engine.call("POST", "/workspaces", json={"name": chosen.workspace})
                engine.key = made["api_key"]
                workspace_id = made["id"]
                console.print(
                    f"[bold]1. Workspace[/] {made['name']}: API key {made['api_key'][:10]}..."
                )
                console.print("[bold]2. Connect Xero[/] (OAuth 2.0 authorization code + PKCE)")
                engine.connection_id = connect(engine, console, chosen.tenant)[0]["id"]
                cid = engine.connection_id
                engine.call("PATCH", f"/connections/{cid}/settings", json=chosen.settings)
                counts = engine.call("POST", f"/connections/{cid}/reference/refresh")["counts"]
                console.print(
                    f"[bold]3. Synchronize[/]: {counts.get('accounts')} accounts, "
                    f"{counts.get('tax_rates')} tax rates, {counts.get('currencies')} currencies, "
                    f"{counts.get('contacts')} contacts cached"
                )
                stage = Stage(
                    engine, sandbox, core, console, started, workspace_id, engine_url, chosen.tenant
                )
                code = chosen.flow(stage, documents)
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
