"""``ledgerlink jobs``: Sync now, follow a job, and backfill, from the engine's REST API.

``start`` answers at once with the job (it runs in the engine's background) unless ``--wait``;
``show`` prints a job's state, counts and log as they stand; ``backfill`` queues every stored
document of a kind again ("add all existing data to the queue").
"""

from __future__ import annotations

from typing import Any

import httpx2
import typer
from rich.console import Console
from rich.table import Table

from ledgerlink.cli.push import error_text
from ledgerlink.cli.text import plain, quoted

app = typer.Typer(
    help="Sync jobs: start one now, follow it, backfill a kind.", no_args_is_help=True
)
API = typer.Option("http://127.0.0.1:8000", help="The engine's URL.")
KEY = typer.Option(..., envvar="LEDGERLINK_API_KEY", help="The workspace API key.")


def _call(api: str, key: str, method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx2.Client(base_url=api.rstrip("/"), headers=headers, timeout=660) as http:
            reply = http.request(method, "/api/v1" + path, **kw)
    except httpx2.HTTPError as exc:
        Console().print(f"[red]The engine did not answer:[/] {quoted(exc)}")
        raise typer.Exit(2) from exc
    if reply.status_code >= 300:
        Console().print(f"[red]Refused:[/] {quoted(error_text(reply))}")
        raise typer.Exit(2)
    return reply.json()


def _show(job: dict[str, Any], console: Console) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(job["counts"].items()) if v)
    console.print(f"job {job['id']} ({job['kind']}): {job['state']}; {counts or 'nothing yet'}")
    if job["log"]:
        table = Table("at", "message")
        for line in job["log"][-20:]:
            table.add_row(plain(line.get("at", "")), plain(line.get("message", "")))
        console.print(table)


@app.command()
def start(
    connection: str = typer.Option(..., "--connection", help="The connection's id."),
    wait: bool = typer.Option(False, help="Answer when the run has ended."),
    api: str = API,
    key: str = KEY,
) -> None:
    """Sync now: send everything queued for the connection (a scheduled one's too)."""
    path = "/jobs?wait=true" if wait else "/jobs"
    found = _call(api, key, "POST", path, json={"connection_id": connection})
    if found.get("job"):
        _show(found["job"], Console())


@app.command()
def show(job_id: str, api: str = API, key: str = KEY) -> None:
    """A job's state, counts and log as they stand now."""
    _show(_call(api, key, "GET", f"/jobs/{job_id}"), Console())


@app.command()
def backfill(
    connection: str = typer.Option(..., "--connection", help="The connection's id."),
    kind: str = typer.Option(..., help="The kind of document."),
    since: str | None = typer.Option(None, help="Only documents dated from this day on."),
    api: str = API,
    key: str = KEY,
) -> None:
    """Queue every stored document of a kind again; what Xero holds unchanged is not written."""
    body: dict[str, Any] = {"kind": kind} | ({"since": since} if since else {})
    found = _call(api, key, "POST", f"/connections/{connection}/backfill", json=body)
    Console().print(f"{found['queued']} {kind} documents queued")
