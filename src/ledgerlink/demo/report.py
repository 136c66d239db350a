"""What the demo shows while the worker syncs, and the summary it ends with.

Everything here is read back over the engine's REST API (queue counts, documents, links, call
counts), plus the sandbox's own view: its call and 429 counters, and what it holds of each kind
(once.py), so "exactly once" is checked on Xero's side, not only on ours.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx2
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledgerlink.demo.documents import Workload
from ledgerlink.demo.once import InXero, count_in_xero
from xero_sandbox.server import SandboxServer

Call = Callable[..., Any]
FINISHED = ("done", "needs_attention", "failed", "superseded", "dismissed")
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


KIND_NAMES = {
    "invoice": "invoices",
    "expense": "expenses (bills)",
    "purchase_order": "purchase orders",
    "credit_note": "credit notes",
    "allocation": "  their allocations",
    "payment": "payments",
}
PAGE = 1000


@dataclass
class Outcome:
    work: Workload
    started: float
    intake: dict[str, int] = field(default_factory=dict)
    refused: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    done: set[tuple[str, str]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    # kind -> source_id -> the document as GET /documents shows it, with its link
    documents: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    links: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    resent: int = 0
    resent_unchanged: int = 0
    changed: tuple[str, dict[str, Any], str] | None = None
    changed_after: dict[str, Any] = field(default_factory=dict)
    reverted_after: dict[str, Any] = field(default_factory=dict)
    refreshed: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    sandbox_stats: dict[str, Any] = field(default_factory=dict)
    in_xero: dict[str, InXero] = field(default_factory=dict)
    wall: float = 0.0

    def collect(self, call: Call, sandbox: SandboxServer) -> None:
        self.wall = time.perf_counter() - self.started
        self.counts = call("GET", "/queue", params={"limit": 1})["counts"]
        self.held = all_pages(call, "/queue", "items", state="needs_attention")
        self.held += all_pages(call, "/queue", "items", state="failed")
        done = all_pages(call, "/queue", "items", state="done")
        self.done = {(i["kind"], i["source_id"]) for i in done}
        for kind in self.work.kinds():
            shown = all_pages(call, "/documents", "documents", kind=kind)
            self.documents[kind] = {d["source_id"]: d for d in shown}
        self.links = self._shown_links()
        if self.changed is not None:
            self.changed_after = self.documents["invoice"].get(self.changed[0], {})
        if self.work.reverted_po:
            self.reverted_after = self.documents["purchase_order"].get(self.work.reverted_po, {})
        connection_id = call("GET", "/connections")[0]["id"]
        self.usage = call("GET", f"/connections/{connection_id}/usage")
        self.sandbox_stats = httpx2.get(sandbox.url + "/_sandbox/stats", timeout=10).json()
        org = next(o for o in sandbox.state.orgs.values() if o.key == "demo")
        self.in_xero = count_in_xero(org, self.work, self.documents)

    def _shown_links(self) -> list[tuple[str, dict[str, Any]]]:
        """A few documents of each kind for "View in Xero": the ones the demo talks about
        first (the revised invoice, the reverted purchase order, the credit notes applied)."""
        work = self.work
        wanted: list[tuple[str, str]] = [("invoice", s) for s in work.valid("invoice")[:2]]
        wanted += [("expense", s) for s in work.valid("expense")[:1]]
        if work.reverted_po:
            wanted.append(("purchase_order", work.reverted_po))
        wanted += [("credit_note", s) for s in work.valid("credit_note")[:2]]
        wanted += [("payment", s) for s in work.valid("payment")[:1]]
        found = []
        for kind, source_id in wanted:
            doc = self.documents.get(kind, {}).get(source_id)
            if doc is not None and doc.get("link"):
                found.append((kind, doc))
        return found

    # checks ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        found: list[str] = []
        for kind in self.work.kinds():
            missing = [s for s in self.work.valid(kind) if (kind, s) not in self.done]
            if missing:
                found.append(f"{len(missing)} valid {kind}s not synced (first: {missing[0]})")
        held = {i["source_id"]: i["error"]["code"] if i["error"] else "" for i in self.held}
        refused = {source: error["code"] for _, source, error in self.refused}
        for source_id, (_, code) in self.work.expected_errors.items():
            got = refused.get(source_id) if code == "VALIDATION_FAILED" else held.get(source_id)
            if got != code:
                found.append(f"{source_id}: expected {code}, got {got or 'nothing'}")
        for kind, in_xero in self.in_xero.items():
            problem = in_xero.problem(KIND_NAMES.get(kind, kind).strip())
            if problem:
                found.append(problem)
        if self.resent_unchanged != self.resent:
            found.append(f"re-sent documents changed: {self.resent - self.resent_unchanged}")
        if self.changed is not None:
            before = self.changed[1].get("xero_id")
            after = (self.changed_after.get("link") or {}).get("xero_id")
            version = (self.changed_after.get("link") or {}).get("pushed_version")
            if not before or before != after or version != 2:
                found.append(f"revised {self.changed[0]} not updated in place")
        found += self._reverted_problems() + self._refresh_problems()
        return found

    def _reverted_problems(self) -> list[str]:
        if not self.work.reverted_po:
            return []
        link = self.reverted_after.get("link") or {}
        if (
            link.get("status") != "SUBMITTED"
            or not link.get("note")
            or link.get("pushed_version") != 2
        ):
            return [
                f"purchase order {self.work.reverted_po} taken back to draft: expected it "
                f"SUBMITTED in Xero at version 2 with a note, got {link.get('status')} at "
                f"version {link.get('pushed_version')}"
            ]
        return []

    def _refresh_problems(self) -> list[str]:
        found = []
        shown = {
            d["source_id"]: d.get("link") or {} for d in self.refreshed if d["kind"] == "invoice"
        }
        for source_id, how in self.work.settled.items():
            link = shown.get(source_id, {})
            due = link.get("amount_due")
            if (
                link.get("status") != "PAID"
                or link.get("source_status") != "paid"
                or due is None
                or Decimal(due) != 0
            ):
                found.append(
                    f"invoice {source_id} {how}: Refresh from Xero read {link.get('status')} "
                    f"({link.get('source_status')}), due {due}; expected PAID (paid), due 0"
                )
        return found


def all_pages(call: Call, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged list (queue items, documents)."""
    found: list[dict[str, Any]] = []
    while True:
        page = call("GET", path, params={**params, "limit": PAGE, "offset": len(found)})[key]
        found += page
        if len(page) < PAGE:
            return found


def _by_kind_table(outcome: Outcome) -> Table:
    work = outcome.work
    table = Table(title="Documents by kind")
    for column in ("kind", "pushed", "synced", "held", "refused", "in Xero", "once each"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    held = Counter(str(i["kind"]) for i in outcome.held)
    refused = Counter(kind for kind, _, _ in outcome.refused)
    synced = Counter(kind for kind, _ in outcome.done)
    for kind in work.kinds():
        found = outcome.in_xero.get(kind, InXero())
        table.add_row(
            KIND_NAMES.get(kind, kind),
            str(len(work.documents(kind))),
            str(synced[kind]),
            str(held[kind]),
            str(refused[kind]),
            str(found.records + found.twice + found.strangers),
            "yes" if found.once else "[red]NO[/]",
        )
        if kind == "credit_note" and "allocation" in outcome.in_xero:
            applied = outcome.in_xero["allocation"]
            wanted = applied.records + len(applied.missing)
            table.add_row(
                KIND_NAMES["allocation"],
                str(wanted),
                "",
                "",
                "",
                str(applied.records + applied.twice + applied.strangers),
                "yes" if applied.once else "[red]NO[/]",
            )
    return table


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
    twice = sum(found.twice for found in outcome.in_xero.values())
    table.add_row("documents in Xero twice", str(twice))
    calls = int(outcome.usage.get("calls", 0))
    table.add_row("Xero API calls (engine's count)", str(calls))
    table.add_row("Xero API calls (sandbox's count)", str(sandbox_calls))
    if synced:
        table.add_row("calls per 1,000 documents", f"{calls * 1000 / synced:.0f}")
    table.add_row("429 Too Many Requests", str(refused_429))
    table.add_row("wall time", f"{outcome.wall:.1f} s")
    return table


# How each amount on a link reads, by kind (a credit note's "due" is the credit left).
AMOUNT_LABELS = {
    "credit_note": (("total", "total"), ("amount_credited", "applied"), ("amount_due", "left")),
    "payment": (("total", "amount"),),
}
INVOICE_AMOUNTS = (
    ("total", "total"),
    ("amount_paid", "paid"),
    ("amount_credited", "credited"),
    ("amount_due", "due"),
)


def _noun(kind: str) -> str:
    return kind.replace("_", " ")


def _stamp(link: dict[str, Any], kind: str = "invoice") -> str:
    """A link's Xero stamp in a line: number, status, and the amounts it has."""
    parts = [f"{link.get('number') or ''} {link.get('status')}".strip()]
    for key, label in AMOUNT_LABELS.get(kind, INVOICE_AMOUNTS):
        if link.get(key) is not None:
            parts.append(f"{label} {link[key]}")
    if link.get("allocations"):
        parts.append(f"{len(link['allocations'])} allocation(s) made")
    return ", ".join(parts)


def show_reverted(doc: dict[str, Any], console: Console) -> None:
    """The purchase order taken back to draft, and why Xero still says otherwise."""
    link = doc.get("link") or {}
    body = doc.get("body") or {}
    console.print(
        f"  purchase order {doc['source_id']} is {body.get('status')} in the app (version "
        f"{doc.get('version')}); in Xero: {link.get('status')}",
        highlight=False,
    )
    if link.get("note"):
        console.print(f"    note: {link['note']}", highlight=False)


def show_refresh(
    kind: str,
    before: dict[str, dict[str, Any]],
    reply: dict[str, Any],
    why: dict[str, str],
    console: Console,
) -> None:
    """What "Refresh from Xero" brought back, next to what the link said before."""
    console.print(
        f"  {reply['read']} {KIND_NAMES[kind]} read back in {reply['calls']} Xero call(s)",
        highlight=False,
    )
    for doc in reply["documents"]:
        link = doc.get("link") or {}
        was = before.get(doc["source_id"], {}).get("link") or {}
        reason = f" ({why[doc['source_id']]})" if doc["source_id"] in why else ""
        paid = f", paid on {link['paid_date']}" if link.get("paid_date") else ""
        console.print(
            f"  {_noun(kind)} {doc['source_id']}{reason}: was {was.get('status')}; now "
            f"[bold]{link.get('status')}[/] (source_status {link.get('source_status')}){paid}",
            highlight=False,
        )
        console.print(f"    {_stamp(link, kind)}", highlight=False)


def print_summary(outcome: Outcome, console: Console) -> int:
    """The summary; returns the exit code (0 only when every check passed)."""
    console.print()
    console.print(_by_kind_table(outcome))
    console.print(_figures(outcome))
    if outcome.refused or outcome.held:
        console.print("[bold]Not sent to Xero[/], each with its code and what to do:")
        rows = [(f"{_noun(k)} {s}", "refused at intake", e) for k, s, e in outcome.refused]
        rows += [
            (f"{_noun(i['kind'])} {i['source_id']}", "held", i["error"] or {}) for i in outcome.held
        ]
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
        console.print(f"  {_noun(kind)} {doc['source_id']}: {_stamp(link, kind)}", highlight=False)
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
