"""The ``ledgerlink`` command."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import typer
from rich.console import Console

from ledgerlink import kinds, logs
from ledgerlink.cli import admin, jobs, reconcile
from ledgerlink.config import Settings

app = typer.Typer(help="ledgerlink: connect business applications to Xero.", no_args_is_help=True)
console = Console()


@app.command()
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8765, help="Port to listen on."),
    auto_consent: bool = typer.Option(
        False, help="Approve every authorize request without showing the consent page."
    ),
    redirect_uri: list[str] = typer.Option(
        [], help="Extra redirect URI allowed for the demo apps (repeatable)."
    ),
    webhook_url: str | None = typer.Option(None, help="Where to deliver webhook events."),
    minute_seconds: float = typer.Option(
        60.0, help="Length of the rate-limit 'minute' (shorten it to compress time)."
    ),
    no_limits: bool = typer.Option(False, help="Switch rate limits off (benchmarks)."),
    seed_year: int | None = typer.Option(
        None,
        metavar="SEED",
        min=0,
        help="Start the demo organisation with a year of activity made from this seed "
        "(customers, suppliers, invoices, bills, payments, journals); the same seed makes the "
        "same year, and a reset makes it again.",
    ),
) -> None:
    """Run the local Xero sandbox: Accounting API, identity, webhooks and read-only pages."""
    import uvicorn

    from xero_sandbox import SandboxConfig, create_app
    from xero_sandbox.seed import DEMO_TENANT, UK_TENANT
    from xero_sandbox.year import seeded

    config = SandboxConfig(auto_consent=auto_consent, webhook_url=webhook_url, seed_year=seed_year)
    config.public_url = f"http://{host}:{port}"
    config.limits.minute_seconds = minute_seconds
    config.limits.enabled = not no_limits
    for app_config in config.apps:
        if app_config.kind != "custom":
            app_config.redirect_uris.extend(redirect_uri)
    sandbox_app = create_app(config)

    rows: list[tuple[str, str]] = [
        ("Accounting API", f"{config.public_url}/api.xro/2.0/"),
        ("Authorize", f"{config.public_url}/identity/connect/authorize"),
        ("Token", f"{config.public_url}/connect/token"),
        ("Connections", f"{config.public_url}/connections"),
        ("Admin", f"{config.public_url}/_sandbox/"),
    ]
    for app_config in config.apps:
        secret = app_config.client_secret or "(none: PKCE)"
        rows.append((f"{app_config.kind} app", f"{app_config.client_id}  secret {secret}"))
        rows.extend(("  redirect URI", uri) for uri in app_config.redirect_uris)
    rows += [
        ("Webhook key", config.webhook_key),
        ("Demo organisation (AU)", DEMO_TENANT),
        ("Second organisation (UK)", UK_TENANT),
    ]
    year = seeded(sandbox_app.state).get(DEMO_TENANT)
    if year is not None:
        made = ", ".join(f"{number} {kind}" for kind, number in year.counts.items())
        rows.append(("Demo year", f"seed {year.seed}, {year.first_day} to {year.last_day}: {made}"))
    console.print(f"[bold]Xero sandbox listening on {config.public_url}[/]")
    for name, value in rows:
        console.print(f"  {name:<26} {value}", soft_wrap=True, highlight=False)
    logging.basicConfig(level=logging.INFO)
    uvicorn.run(sandbox_app, host=host, port=port, log_level="warning")


@app.command()
def demo(
    documents: int = typer.Option(
        1000, help="How many documents of the job-management mix to push (40 or more)."
    ),
    database_url: str | None = typer.Option(
        None, help="Database to use (a fresh SQLite file in a temporary folder by default)."
    ),
    keep_running: bool = typer.Option(
        False, help="Leave the sandbox and the engine running so their pages can be opened."
    ),
    profile: str = typer.Option(
        "mixed",
        help="Whose flow to run: mixed (the default: invoices and expenses with the "
        "job-management kinds), jobs, payroll, store or inventory.",
    ),
) -> None:
    """The whole engine against a local Xero: connect, push, sync, and a summary."""
    from ledgerlink.demo.run import run_demo

    logging.basicConfig(level=logging.WARNING)
    try:
        code = run_demo(documents, database_url, keep_running, console, profile)
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)


@app.command()
def tour(
    documents: int = typer.Option(50, help="How many invoices to send in the batch."),
    port: int | None = typer.Option(None, help="Sandbox port (a free one by default)."),
    keep_running: bool = typer.Option(
        False, help="Leave the sandbox running afterwards so its pages can be opened."
    ),
) -> None:
    """A tour of the local Xero sandbox over plain HTTP, as any Xero client sees it."""
    from ledgerlink.demo.tour import run_tour

    raise typer.Exit(run_tour(documents=documents, port=port, keep_running=keep_running))


def _stop_on_sigterm() -> None:
    """SIGTERM (a service manager's stop) ends the process as Ctrl-C does: workers finish."""

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _settings(database_url: str | None) -> Settings:
    settings = Settings.from_env()
    return settings.with_database(database_url) if database_url else settings


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    database_url: str | None = typer.Option(
        None, help="Database URL (default: LEDGERLINK_DATABASE_URL, else ./ledgerlink.db)."
    ),
    worker: bool = typer.Option(True, help="Run the worker loop in this process too."),
    public_url: str | None = typer.Option(
        None, help="The URL people reach this server at (default http://HOST:PORT)."
    ),
) -> None:
    """The REST API, a worker loop and the scheduler, in one process."""
    from ledgerlink.api.server import EngineServer
    from ledgerlink.store import migrate
    from ledgerlink.sync.engine import Engine
    from ledgerlink.sync.limiter import XeroLimits

    logs.configure()  # JSON lines (LEDGERLINK_LOG_FORMAT=console for people)
    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    url = public_url or f"http://{host}:{port}"
    engine = Engine.open(settings, public_url=url, limits=XeroLimits.from_env())
    server = EngineServer(engine, host, port, worker=worker)
    _stop_on_sigterm()
    try:
        server.start()
        console.print(f"[bold]ledgerlink[/] API on {url}/api/v1 (OpenAPI at {url}/openapi.json)")
        console.print(f"  dashboard {url}/ (first owner: ledgerlink admin create-user)")
        console.print(f"  database {settings.database_url}; worker {'on' if worker else 'off'}")
        server.wait()
    except KeyboardInterrupt:
        console.print("stopping...")
    finally:
        server.stop()
        engine.close()


@app.command(name="worker")
def worker_command(
    database_url: str | None = typer.Option(None, help="Database URL (as for serve)."),
    once: bool = typer.Option(False, help="Sync until nothing is due, then exit."),
    public_url: str = typer.Option("http://127.0.0.1:8000", help="The API's public URL."),
    lease_seconds: float = typer.Option(
        30.0,
        min=1.0,
        help="How long a connection stays ours without a heartbeat (renewed while we work): "
        "after a crash, another worker takes it over this long after our last beat.",
    ),
    concurrency: int | None = typer.Option(
        None,
        min=1,
        help="How many organisations this process drives at once (default "
        "LEDGERLINK_WORKER_CONCURRENCY, else 64): each waits for its own Xero limits alone.",
    ),
    calls_at_once: int | None = typer.Option(
        None,
        "--calls-per-organisation",
        min=1,
        max=5,
        help="Requests kept in flight to one organisation at once (default "
        "LEDGERLINK_CALLS_PER_ORGANISATION, else 3; Xero allows 5).",
    ),
    metrics_port: int | None = typer.Option(
        None,
        min=1,
        max=65535,
        help="Serve Prometheus metrics of this worker and the queue at http://HOST:PORT/metrics.",
    ),
    metrics_host: str = typer.Option("127.0.0.1", help="Address the metrics server listens on."),
) -> None:
    """The worker loop alone (run as many as you like against one PostgreSQL database)."""
    from ledgerlink.store import migrate
    from ledgerlink.sync.context import WorkerConfig, calls_at_once_from_env
    from ledgerlink.sync.engine import Engine
    from ledgerlink.sync.lifecycle import Policy
    from ledgerlink.sync.limiter import XeroLimits
    from ledgerlink.sync.loops import NotifyLoop, WorkerLoop
    from ledgerlink.sync.pool import concurrency_from_env

    logs.configure()  # JSON lines (LEDGERLINK_LOG_FORMAT=console for people)
    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    engine = Engine.open(settings, public_url=public_url, limits=XeroLimits.from_env())
    if metrics_port is not None:
        from prometheus_client import start_http_server

        from ledgerlink.metrics import engine_registry

        registry = engine_registry(engine.factory)
        start_http_server(metrics_port, metrics_host, registry=registry)
    engine.worker_config = WorkerConfig(
        public_url=public_url,
        lease_seconds=lease_seconds,
        policy=Policy.from_env(),
        concurrency=concurrency or concurrency_from_env(),
        calls_at_once=calls_at_once or calls_at_once_from_env(),
    )
    notify: NotifyLoop | None = None
    try:
        if once:
            runs = engine.sync()
            synced = sum(r.counts.get("synced", 0) for r in runs)
            held = sum(r.counts.get("held", 0) for r in runs)
            sent = engine.deliver_events()
            console.print(
                f"{len(runs)} runs: {synced} synced, {held} held; "
                f"{sent.delivered} events delivered, {sent.failed} to retry"
            )
            return
        loop = WorkerLoop(engine)
        notify = NotifyLoop(engine)

        def halt(_signum: int, _frame: object) -> None:
            loop.halt()
            notify.halt()

        # SIGTERM lets the run in progress finish (its job is ended, its lease released);
        # a worker killed harder loses nothing either: its lease runs out.
        signal.signal(signal.SIGTERM, halt)
        console.print("[bold]ledgerlink worker[/] running; Ctrl-C stops")
        notify.start()
        loop.run()
    except KeyboardInterrupt:
        console.print("stopping...")
    finally:
        if notify is not None:
            notify.stop()
        engine.close()


@app.command()
def push(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON list or CSV."),
    api: str = typer.Option("http://127.0.0.1:8000", help="The engine's URL."),
    key: str = typer.Option(..., envvar="LEDGERLINK_API_KEY", help="The workspace API key."),
    kind: str = typer.Option("invoice", help="The kind: " + ", ".join(kinds.names()) + "."),
    connection_id: str | None = typer.Option(None, help="Which connection (if several)."),
) -> None:
    """Send documents from a file to the engine, with a progress bar and a results table."""
    from ledgerlink.cli.push import push_file

    raise typer.Exit(push_file(file, api, key, kind, connection_id, console))


@app.command()
def refresh(
    kind: str = typer.Argument(..., help="The kind: " + ", ".join(kinds.names()) + "."),
    source_ids: list[str] = typer.Argument(..., help="The documents' source ids."),
    api: str = typer.Option("http://127.0.0.1:8000", help="The engine's URL."),
    key: str = typer.Option(..., envvar="LEDGERLINK_API_KEY", help="The workspace API key."),
) -> None:
    """ "Refresh from Xero": read these documents' status, amounts and paid date from Xero."""
    from ledgerlink.cli.push import refresh_documents

    raise typer.Exit(refresh_documents(api, key, kind, source_ids, console))


@app.command()
def plan(
    connection_id: str = typer.Argument(..., help="The connection to plan for."),
    file: Path | None = typer.Option(None, exists=True, dir_okay=False, help="Documents to plan."),
    kind: str = typer.Option("invoice", help="The documents' kind, with --file."),
    api: str = typer.Option("http://127.0.0.1:8000", help="The engine's URL."),
    key: str = typer.Option(..., envvar="LEDGERLINK_API_KEY", help="The workspace API key."),
    as_json: bool = typer.Option(False, "--json", help="The report as JSON."),
) -> None:
    """Plan (dry run): what a sync would create, update or hold in Xero, writing nothing."""
    from ledgerlink.cli.plan import plan_connection

    raise typer.Exit(plan_connection(api, key, connection_id, file, kind, as_json, console))


@app.command()
def status(
    database_url: str | None = typer.Option(None, help="Database URL (as for serve)."),
    errors: int = typer.Option(10, help="How many recent errors to show."),
) -> None:
    """Queue counts by state, recent errors with their codes and fixes, and connections."""
    from ledgerlink.cli.status import show_status

    raise typer.Exit(show_status(_settings(database_url), errors, console))


app.command(name="reconcile")(reconcile.command)
app.add_typer(jobs.app, name="jobs")
app.add_typer(admin.app, name="admin")

if __name__ == "__main__":
    app()
