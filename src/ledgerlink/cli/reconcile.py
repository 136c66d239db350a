"""``ledgerlink reconcile``: a connection's reconciliation report, from the engine's REST API,
as a table a person reads or as the API's JSON for a script.

Everything in the table came from outside (source ids, Xero's numbers, explanations), so it
goes through ``cli.text.plain``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx2
import typer
from rich.console import Console
from rich.table import Table

from ledgerlink.cli.push import error_text
from ledgerlink.cli.text import plain, quoted

TITLES = {
    "missing_in_xero": "Missing in Xero",
    "unknown_to_source": "In Xero, unknown to the source",
    "differ": "Different in Xero",
}


def command(
    connection: str = typer.Option(..., "--connection", help="The connection's id."),
    from_: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    to: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD."),
    kind: str | None = typer.Option(None, help="One kind only (default: every kind)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    api: str = typer.Option("http://127.0.0.1:8000", help="The engine's URL."),
    key: str = typer.Option(..., envvar="LEDGERLINK_API_KEY", help="The workspace API key."),
) -> None:
    """Documents of a date range against Xero's: missing there, unknown to the source, different."""
    console = Console()
    for name, value in (("--from", from_), ("--to", to)):
        try:
            date.fromisoformat(value)
        except ValueError:
            console.print(f"[red]{name} {quoted(value)} is not a date:[/] write it as YYYY-MM-DD.")
            raise typer.Exit(2) from None
    raise typer.Exit(show_report(api, key, connection, from_, to, kind, as_json, console))


def show_report(
    api: str,
    key: str,
    connection: str,
    start: str,
    end: str,
    kind: str | None,
    as_json: bool,
    console: Console,
) -> int:
    """0: Xero agrees with the source; 1: the report lists differences; 2: no report."""
    params = {"from": start, "to": end, **({"kind": kind} if kind else {})}
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx2.Client(base_url=api.rstrip("/"), headers=headers, timeout=300) as http:
            reply = http.get(f"/api/v1/connections/{connection}/reconciliation", params=params)
    except httpx2.HTTPError as exc:
        console.print(f"[red]No report:[/] {quoted(exc)}")
        return 2
    if reply.status_code != 200:
        console.print(f"[red]No report:[/] {quoted(error_text(reply))}")
        return 2
    report: dict[str, Any] = reply.json()
    if as_json:
        console.out(json.dumps(report, indent=2), highlight=False)
    else:
        _print(report, console)
    return 1 if report["entries"] else 0


def _print(report: dict[str, Any], console: Console) -> None:
    console.print(
        f"Reconciliation {quoted(report['from'])} to {quoted(report['to'])} "
        f"({report['calls']} Xero calls)"
    )
    counts = Table(title="Entries by kind")
    counts.add_column("kind")
    for title in TITLES.values():
        counts.add_column(title, justify="right")
    for kind, found in report["counts"].items():
        counts.add_row(plain(kind), *(str(found.get(c, 0)) for c in TITLES))
    console.print(counts)
    for category, title in TITLES.items():
        entries = [e for e in report["entries"] if e["category"] == category]
        if not entries:
            continue
        table = Table(title=f"{title} ({len(entries)})")
        for column in ("kind", "source id", "Xero number", "Xero status", "source status"):
            table.add_column(column, overflow="fold")
        table.add_column("Xero amount", justify="right")
        table.add_column("source amount", justify="right")
        table.add_column("why", overflow="fold")
        for e in entries:
            table.add_row(
                plain(e["kind"]),
                plain(e["source_id"] or "-"),
                plain(e["xero_number"] or e["xero_id"] or "-"),
                plain(e["xero_status"] or "-"),
                plain(e["source_status"] or "-"),
                plain(e["xero_amount"] or "-"),
                plain(e["source_amount"] or "-"),
                plain(e["explanation"]),
            )
        console.print(table)
    if not report["entries"]:
        console.print("Xero agrees with the source for this range.")
