"""``ledgerlink push FILE``: documents from a file to the engine's bulk endpoint, in chunks.

Chunks are small enough that a progress bar moves and one failing request loses little; each
document's own result (created, updated, unchanged, refused with its code) is shown at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ledgerlink.cli.files import FileProblem, read_documents
from ledgerlink.cli.text import plain, quoted

CHUNK = 200
MAX_ROWS_SHOWN = 50
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def error_text(reply: httpx2.Response) -> str:
    try:
        error = reply.json()["error"]
        return f"{error['code']}: {error['message']} {error.get('fix') or ''}".strip()
    except (ValueError, KeyError, TypeError):
        return f"HTTP {reply.status_code}: {reply.text[:200]}"


def _send(
    http: httpx2.Client, kind: str, chunk: list[Any], connection_id: str | None
) -> list[dict[str, Any]]:
    params = {"connection_id": connection_id} if connection_id else None
    reply = http.post(
        f"/api/v1/documents/{kind}/bulk",
        content=_ENCODER.encode(chunk),
        params=params,
        headers={"Content-Type": "application/json"},
    )
    if reply.status_code != 200:
        raise RuntimeError(error_text(reply))
    results: list[dict[str, Any]] = reply.json()["results"]
    return results


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="Refused documents")
    for column in ("source_id", "code", "field", "message"):
        table.add_column(column, overflow="fold")
    refused = [r for r in results if r["status"] == "invalid"]
    for result in refused[:MAX_ROWS_SHOWN]:
        for error in result["errors"][:3]:
            table.add_row(
                plain(result["source_id"] or f"#{result['index']}"),
                plain(error["code"]),
                plain(error.get("field")),
                plain(error["message"]),
            )
    if len(refused) > MAX_ROWS_SHOWN:
        table.caption = f"and {len(refused) - MAX_ROWS_SHOWN} more refused documents"
    return table


def push_file(
    path: Path, api: str, key: str, kind: str, connection_id: str | None, console: Console
) -> int:
    """0: every document accepted; 1: some refused; 2: nothing could be sent."""
    try:
        documents = read_documents(path, kind)
    except FileProblem as exc:
        console.print(f"[red]Cannot read {quoted(path)}:[/] {quoted(exc)}", soft_wrap=True)
        return 2
    results: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {key}"}
    columns = (TextColumn("pushing"), BarColumn(), MofNCompleteColumn())
    with (
        httpx2.Client(base_url=api.rstrip("/"), headers=headers, timeout=120) as http,
        Progress(*columns, console=console) as progress,
    ):
        task = progress.add_task("push", total=len(documents))
        for start in range(0, len(documents), CHUNK):
            chunk = documents[start : start + CHUNK]
            try:
                sent = _send(http, kind, chunk, connection_id)
            except (RuntimeError, httpx2.HTTPError) as exc:
                progress.stop()
                console.print(f"[red]Push stopped at document {start + 1}:[/] {quoted(exc)}")
                return 2
            for result in sent:
                result["index"] += start
            results += sent
            progress.advance(task, len(chunk))
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(f"{len(results)} {quoted(kind)}s from {quoted(path.name)}: {quoted(summary)}")
    if counts.get("invalid"):
        console.print(_table(results))
        return 1
    return 0


def refresh_documents(
    api: str, key: str, kind: str, source_ids: list[str], console: Console
) -> int:
    """``ledgerlink refresh``: Xero's state of these documents now; 0 when all were read."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        with httpx2.Client(base_url=api.rstrip("/"), headers=headers, timeout=120) as http:
            reply = http.post(
                f"/api/v1/documents/{kind}/refresh",
                content=_ENCODER.encode({"source_ids": source_ids}),
            )
    except httpx2.HTTPError as exc:
        console.print(f"[red]Refresh failed:[/] {quoted(exc)}")
        return 2
    if reply.status_code != 200:
        console.print(f"[red]Refresh failed:[/] {quoted(error_text(reply))}")
        return 2
    found = reply.json()
    table = Table(title=f"{found['read']} read from Xero in {found['calls']} calls")
    for column in ("source_id", "Xero status", "in the app", "paid", "due", "paid on"):
        table.add_column(column, overflow="fold")
    shown = {d["source_id"]: d for d in found["documents"]}
    for source_id in source_ids:
        link = (shown.get(source_id) or {}).get("link")
        if link is None:
            table.add_row(plain(source_id), "not in Xero yet", "", "", "", "")
            continue
        table.add_row(
            plain(source_id),
            plain(link.get("status")),
            plain(link.get("source_status")),
            plain(link.get("amount_paid")),
            plain(link.get("amount_due")),
            plain(link.get("paid_date")),
        )
    console.print(table)
    return 0 if found["read"] == len(set(source_ids)) else 1
