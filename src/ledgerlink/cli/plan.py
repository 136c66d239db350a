"""``ledgerlink plan``: what a sync would do in Xero, asked of a running engine over REST.

Without a file it plans the connection's queue; with one (JSON list or CSV, as ``push`` reads
them) it plans those documents without storing them. Nothing is written to Xero either way.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import msgspec
from rich.console import Console
from rich.table import Table

from ledgerlink.cli.files import FileProblem, read_documents
from ledgerlink.cli.push import error_text
from ledgerlink.cli.text import plain, quoted

_ENCODER = msgspec.json.Encoder(decimal_format="number")


def plan_connection(
    api: str,
    key: str,
    connection_id: str,
    file: Path | None,
    kind: str,
    as_json: bool,
    console: Console,
) -> int:
    """0 when nothing would be held, 1 when something would, 2 when the plan failed."""
    body: dict[str, object] = {}
    if file is not None:
        try:
            body = {"kind": kind, "documents": read_documents(file, kind)}
        except FileProblem as exc:
            console.print(f"[red]{quoted(exc)}[/]")
            return 2
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        with httpx2.Client(base_url=api.rstrip("/"), headers=headers, timeout=300) as http:
            reply = http.post(
                f"/api/v1/connections/{connection_id}/plan", content=_ENCODER.encode(body)
            )
    except httpx2.HTTPError as exc:
        console.print(f"[red]The plan failed:[/] {quoted(exc)}")
        return 2
    if reply.status_code != 200:
        console.print(f"[red]The plan failed:[/] {quoted(error_text(reply))}")
        return 2
    report = reply.json()
    if as_json:
        console.print_json(json.dumps(report))
    else:
        _show(report, console)
    return 1 if report["counts"].get("held") else 0


def _show(report: dict[str, object], console: Console) -> None:
    counts = report["counts"]
    assert isinstance(counts, dict)
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing"
    table = Table(title=f"Plan: {summary}; {report['contacts_to_create']} new contacts")
    for column in ("kind", "source_id", "action", "Xero status", "contact", "why"):
        table.add_column(column, overflow="fold")
    documents = report["documents"]
    assert isinstance(documents, list)
    for doc in documents:
        error = doc.get("error") or {}
        why = f"{error.get('code')}: {error.get('message')}" if error else doc.get("note") or ""
        table.add_row(
            plain(doc["kind"]),
            plain(doc["source_id"]),
            plain(doc["action"]),
            plain(doc.get("status") or ""),
            plain(doc.get("contact") or ""),
            plain(why),
        )
    console.print(table)
    console.print("Nothing was written to Xero, and the queue is as it was.")
