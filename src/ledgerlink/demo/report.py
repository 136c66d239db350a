"""What the demo shows while the worker syncs, and the summary it ends with.

Everything here is read back over the engine's REST API (queue counts, documents, links, call
counts), plus the sandbox's own view: its call and 429 counters, and the invoices it holds, so
"exactly once" is checked on Xero's side, not only on ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledgerlink.demo.documents import Workload
from xero_sandbox.server import SandboxServer

Call = Callable[..., Any]
FINISHED = ("done", "needs_attention", "failed", "superseded")
WATCH_LIMIT_SECONDS = 900.0


def watch_queue(call: Call, expected: int, console: Console) -> dict[str, int]:
    """A progress bar over the queue until nothing is queued or in flight."""
    columns = (
        TextColumn("  {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    deadline = time.monotonic() + WATCH_LIMIT_SECONDS
    counts: dict[str, int] = {}
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("syncing", total=max(expected, 1), detail="")
        while time.monotonic() < deadline:
            counts = call("GET", "/queue", params={"limit": 1})["counts"]
            finished = sum(counts.get(s, 0) for s in FINISHED)
            busy = counts.get("queued", 0) + counts.get("in_flight", 0)
            detail = (
                f"done {counts.get('done', 0)}  held {counts.get('needs_attention', 0)}  "
                f"in flight {counts.get('in_flight', 0)}"
            )
            progress.update(task, completed=finished, total=max(finished + busy, 1), detail=detail)
            if busy == 0 and finished >= expected:
                break
            time.sleep(0.25)
    return counts


@dataclass
class Outcome:
    work: Workload
    started: float
    intake: dict[str, int] = field(default_factory=dict)
    refused: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    done: set[tuple[str, str]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    links: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    resent: int = 0
    resent_unchanged: int = 0
    changed: tuple[str, dict[str, Any], str] | None = None
    changed_after: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    sandbox_stats: dict[str, Any] = field(default_factory=dict)
    in_xero: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    wall: float = 0.0

    def collect(self, call: Call, sandbox: SandboxServer) -> None:
        self.wall = time.perf_counter() - self.started
        self.counts = call("GET", "/queue", params={"limit": 1})["counts"]
        self.held = call("GET", "/queue", params={"state": "needs_attention", "limit": 1000})[
            "items"
        ]
        self.held += call("GET", "/queue", params={"state": "failed", "limit": 1000})["items"]
        offset = 0
        while True:
            page = call("GET", "/queue", params={"state": "done", "limit": 1000, "offset": offset})
            self.done |= {(i["kind"], i["source_id"]) for i in page["items"]}
            if len(page["items"]) < 1000:
                break
            offset += 1000
        for kind in ("invoice", "expense"):
            for source_id in self.work.valid(kind)[: 3 if kind == "invoice" else 1]:
                self.links.append((kind, call("GET", f"/documents/{kind}/{source_id}")))
        if self.changed is not None:
            self.changed_after = call("GET", f"/documents/invoice/{self.changed[0]}")
        connection_id = call("GET", "/connections")[0]["id"]
        self.usage = call("GET", f"/connections/{connection_id}/usage")
        self.sandbox_stats = httpx2.get(sandbox.url + "/_sandbox/stats", timeout=10).json()
        self._count_in_xero(sandbox)

    def _count_in_xero(self, sandbox: SandboxServer) -> None:
        """Xero's side: invoices and bills the demo organisation holds, and any twice."""
        org = next(o for o in sandbox.state.orgs.values() if o.key == "demo")
        records = list(org.invoices.values())
        urls = [str(r.get("Url") or "") for r in records if r.get("Status") != "DELETED"]
        for record in records:
            kind = str(record.get("Type"))
            self.in_xero[kind] = self.in_xero.get(kind, 0) + 1
        self.duplicates = len(urls) - len(set(urls))

    # checks ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        found: list[str] = []
        for kind in ("invoice", "expense"):
            missing = [s for s in self.work.valid(kind) if (kind, s) not in self.done]
            if missing:
                found.append(f"{len(missing)} valid {kind}s not synced (first: {missing[0]})")
        held = {i["source_id"]: i["error"]["code"] if i["error"] else "" for i in self.held}
        refused = {source: error["code"] for _, source, error in self.refused}
        for source_id, (_, code) in self.work.expected_errors.items():
            got = refused.get(source_id) if code == "VALIDATION_FAILED" else held.get(source_id)
            if got != code:
                found.append(f"{source_id}: expected {code}, got {got or 'nothing'}")
        expected_in_xero = len(self.work.valid("invoice")) + len(self.work.valid("expense"))
        if sum(self.in_xero.values()) != expected_in_xero or self.duplicates:
            found.append(
                f"Xero holds {sum(self.in_xero.values())} documents ({self.duplicates} twice); "
                f"expected {expected_in_xero}"
            )
        if self.resent_unchanged != self.resent:
            found.append(f"re-sent documents changed: {self.resent - self.resent_unchanged}")
        if self.changed is not None:
            before = self.changed[1].get("xero_id")
            after = (self.changed_after.get("link") or {}).get("xero_id")
            version = (self.changed_after.get("link") or {}).get("pushed_version")
            if not before or before != after or version != 2:
                found.append(f"revised {self.changed[0]} not updated in place")
        return found


def _figures(outcome: Outcome) -> Table:
    synced = len(outcome.done)
    stats = outcome.sandbox_stats
    refused_429 = stats.get("rate_limits", {}).get("refused_total", 0)
    sandbox_calls = stats.get("api_calls", {}).get("by_org", {}).get("demo", 0)
    table = Table(title="Summary", show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_row("documents pushed", str(outcome.work.total))
    table.add_row("synced to Xero (once each)", str(synced))
    table.add_row("held with an error", str(len(outcome.held)))
    table.add_row("refused at intake", str(len(outcome.refused)))
    table.add_row(
        "in Xero: sales invoices / bills",
        f"{outcome.in_xero.get('ACCREC', 0)} / {outcome.in_xero.get('ACCPAY', 0)}",
    )
    table.add_row("documents in Xero twice", str(outcome.duplicates))
    calls = int(outcome.usage.get("calls", 0))
    table.add_row("Xero API calls (engine's count)", str(calls))
    table.add_row("Xero API calls (sandbox's count)", str(sandbox_calls))
    if synced:
        table.add_row("calls per 1,000 documents", f"{calls * 1000 / synced:.0f}")
    table.add_row("429 Too Many Requests", str(refused_429))
    table.add_row("wall time", f"{outcome.wall:.1f} s")
    return table


def print_summary(outcome: Outcome, console: Console) -> int:
    """The summary; returns the exit code (0 only when every check passed)."""
    console.print()
    console.print(_figures(outcome))
    if outcome.refused or outcome.held:
        console.print("[bold]Not sent to Xero[/], each with its code and what to do:")
        rows = [(f"{k} {s}", "refused at intake", e) for k, s, e in outcome.refused]
        rows += [(f"{i['kind']} {i['source_id']}", "held", i["error"] or {}) for i in outcome.held]
        for name, where, error in rows:
            console.print(
                f"  [bold]{name}[/] {where}: [yellow]{error.get('code')}[/] "
                f"at {error.get('field') or '-'}",
                highlight=False,
            )
            console.print(f"    {error.get('message')}", highlight=False)
            console.print(f"    fix: {error.get('fix')}", highlight=False)
    console.print("[bold]View in Xero[/]")
    for kind, doc in outcome.links:
        link = doc.get("link") or {}
        console.print(
            f"  {kind} {doc['source_id']}: {link.get('number')} {link.get('status')} "
            f"total {link.get('total')}",
            highlight=False,
        )
        console.print(f"    {link.get('url')}", soft_wrap=True, highlight=False)
    problems = outcome.problems()
    if problems:
        console.print("[bold red]Demo failed:[/]")
        for problem in problems:
            console.print(f"  - {problem}")
        return 1
    console.print(
        "[bold green]Every valid document is in Xero exactly once; every bad one was refused "
        "or held with its code.[/]"
    )
    return 0
