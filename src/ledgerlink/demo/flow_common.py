"""What the product flows (payroll, store, inventory) share: bulk pushes, waiting for the
worker, the engine's call count, and checks of what the sandbox holds against what the engine
linked: a document "in Xero once" is one live record there under the id its link names, and no
other record of its resource carries one of ours."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from ledgerlink.demo.report import all_pages, watch_queue
from ledgerlink.demo.stage import EngineApi

Doc = dict[str, Any]
BULK_CHUNK = 250


def push_bulk(engine: EngineApi, kind: str, docs: list[Doc]) -> Counter[str]:
    """``docs`` of ``kind`` in bulk requests; the intake's answer counted by status
    (created, updated, unchanged, invalid)."""
    counts: Counter[str] = Counter()
    for start in range(0, len(docs), BULK_CHUNK):
        reply = engine.call(
            "POST", f"/documents/{kind}/bulk", json=docs[start : start + BULK_CHUNK]
        )
        counts.update(result["status"] for result in reply["results"])
    return counts


def settle(engine: EngineApi, console: Console, expected: int = 0) -> dict[str, int]:
    """Wait until the worker has nothing queued or in flight; the queue's counts."""
    return watch_queue(engine.call, expected, console)


def settle_kinds(engine: EngineApi, kinds: list[str], limit: float = 900.0) -> None:
    """Wait until nothing of ``kinds`` is queued or in flight (what they bring, a paid order's
    payment waiting for its held order, may still wait)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy = 0
        for kind in kinds:
            counts = engine.call("GET", "/queue", params={"kind": kind, "limit": 1})["counts"]
            busy += counts.get("queued", 0) + counts.get("in_flight", 0)
        if busy == 0:
            return
        time.sleep(0.25)
    raise RuntimeError(f"{', '.join(kinds)} still queued after {limit:.0f} s")


def calls(engine: EngineApi) -> int:
    """The Xero calls the engine has made for the connection so far."""
    return int(engine.call("GET", f"/connections/{engine.connection_id}/usage").get("calls", 0))


def documents(engine: EngineApi, kind: str) -> dict[str, Doc]:
    """Every document of ``kind`` as GET /documents shows it, by source id."""
    shown = all_pages(engine.call, "/documents", "documents", kind=kind)
    return {doc["source_id"]: doc for doc in shown}


def held(engine: EngineApi, kind: str | None = None) -> list[Doc]:
    """Queue items held for a person, with their errors."""
    wanted = {"kind": kind} if kind else {}
    return all_pages(engine.call, "/queue", "items", state="needs_attention", **wanted)


def once_by_link(
    records: Iterable[Mapping[str, Any]], id_field: str, linked: Mapping[str, Doc]
) -> list[str]:
    """Problems, if any, with "each linked document is one live record in Xero": a link whose
    record is missing, or a record twice (two records cannot share an id, so twice shows as
    more live records than links)."""
    live = [r for r in records if r.get("Status") not in ("DELETED", "ARCHIVED")]
    ids = Counter(str(r.get(id_field) or "").lower() for r in live)
    problems = []
    for source_id, doc in linked.items():
        xero_id = str((doc.get("link") or {}).get("xero_id") or "").lower()
        if not xero_id or ids.get(xero_id, 0) != 1:
            problems.append(f"{source_id}: not in Xero once (link {xero_id or 'missing'})")
    return problems


def figures(rows: list[tuple[str, Any]], title: str = "Summary") -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    for what, value in rows:
        table.add_row(what, str(value))
    return table


def show_error(console: Console, name: str, error: Mapping[str, Any] | None) -> None:
    error = error or {}
    console.print(
        f"  [bold]{name}[/] held: [yellow]{error.get('code')}[/] at {error.get('field') or '-'}",
        highlight=False,
    )
    console.print(f"    {error.get('message')}", highlight=False)
    if error.get("fix"):
        console.print(f"    fix: {error.get('fix')}", highlight=False)


def verdict(console: Console, rows: list[tuple[str, Any]], problems: list[str], ok: str) -> int:
    """The flow's figures, then its problems (exit code 1) or ``ok`` (exit code 0)."""
    console.print(figures(rows))
    if problems:
        console.print("[bold red]Demo failed:[/]")
        for problem in problems[:10]:
            console.print(f"  - {problem}")
        return 1
    console.print(f"[bold green]{ok}[/]")
    return 0
