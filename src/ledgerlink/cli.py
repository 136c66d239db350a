"""The ``ledgerlink`` command."""

from __future__ import annotations

import logging

import typer
from rich.console import Console

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
) -> None:
    """Run the local Xero sandbox: Accounting API, identity, webhooks and read-only pages."""
    import uvicorn

    from xero_sandbox import SandboxConfig, create_app
    from xero_sandbox.seed import DEMO_TENANT, UK_TENANT

    config = SandboxConfig(auto_consent=auto_consent, webhook_url=webhook_url)
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
    console.print(f"[bold]Xero sandbox listening on {config.public_url}[/]")
    for name, value in rows:
        console.print(f"  {name:<26} {value}", soft_wrap=True, highlight=False)
    logging.basicConfig(level=logging.INFO)
    uvicorn.run(sandbox_app, host=host, port=port, log_level="warning")


@app.command()
def demo(
    documents: int = typer.Option(50, help="How many invoices to send in the batch."),
    port: int | None = typer.Option(None, help="Sandbox port (a free one by default)."),
    keep_running: bool = typer.Option(
        False, help="Leave the sandbox running afterwards so its pages can be opened."
    ),
) -> None:
    """Run the offline demo against a local Xero sandbox started for the occasion."""
    from ledgerlink.sandbox_tour import run_tour

    raise typer.Exit(run_tour(documents=documents, port=port, keep_running=keep_running))


if __name__ == "__main__":
    app()
