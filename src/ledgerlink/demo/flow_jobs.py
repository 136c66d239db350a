"""The job-management app's flow: invoices, expenses, purchase orders, credit notes and their
allocations, payments (jobs.py), a few bad ones among them; pushed again to show nothing is sent
twice, a purchase order taken back to draft, "Refresh from Xero" for the invoices settled in
full, and Xero's side coming back by webhook."""

from __future__ import annotations

from rich.console import Console

from ledgerlink.demo.documents import Workload
from ledgerlink.demo.jobs import job_workload
from ledgerlink.demo.report import (
    KIND_NAMES,
    Outcome,
    print_summary,
    show_refresh,
    show_reverted,
    watch_queue,
)
from ledgerlink.demo.stage import WEBHOOK_KEY, EngineApi, Stage
from ledgerlink.demo.two_way import show_two_way

BULK_CHUNK = 250


def push(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> None:
    """Bulk uploads of at most BULK_CHUNK documents, kind by kind in the order a source app
    sends them (invoices before the payments and credit notes that name them); every refused
    one is kept with its code."""
    for kind, docs in work.by_kind():
        answered: dict[str, int] = {}
        for start in range(0, len(docs), BULK_CHUNK):
            chunk = docs[start : start + BULK_CHUNK]
            reply = engine.call("POST", f"/documents/{kind}/bulk", json=chunk)
            for result in reply["results"]:
                status = result["status"]
                outcome.intake[status] = outcome.intake.get(status, 0) + 1
                answered[status] = answered.get(status, 0) + 1
                if status == "invalid":
                    first = result["errors"][0]
                    outcome.refused.append((kind, result["source_id"], first))
        if docs:
            refused = answered.get("invalid", 0)
            console.print(
                f"  {KIND_NAMES[kind]:<17} {len(docs):>4}"
                + (f"  ({refused} refused at intake)" if refused else ""),
                highlight=False,
            )
    created = outcome.intake.get("created", 0)
    console.print(
        f"  {work.total} documents sent in bulk requests: {created} accepted, "
        f"{outcome.intake.get('invalid', 0)} refused at intake"
    )


def push_again(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> int:
    """The same documents again change nothing; one changed invoice updates Xero in place; an
    approved purchase order taken back to draft stays SUBMITTED in Xero. Returns how many new
    versions were made."""
    refused = {s for s, (_, code) in work.expected_errors.items() if code == "VALIDATION_FAILED"}
    sample = [d for d in work.invoices if d["source_id"] not in refused][:50]
    reply = engine.call("POST", "/documents/invoice/bulk", json=sample)
    outcome.resent_unchanged = reply["counts"].get("unchanged", 0)
    outcome.resent = len(sample)
    revised = work.revised or sample[0]["source_id"]
    first = dict(next(d for d in work.invoices if d["source_id"] == revised))
    first["reference"] = str(first.get("reference", "")) + " (revised)"
    before = engine.call("GET", f"/documents/invoice/{revised}")
    changed = engine.call("PUT", f"/documents/invoice/{revised}", json=first)
    outcome.changed = (revised, before.get("link") or {}, changed["status"])
    console.print(
        f"  the same {len(sample)} invoices again: {outcome.resent_unchanged} unchanged; "
        f"{revised} revised: {changed['status']} (version {changed['version']})"
    )
    made = 1
    if work.reverted_po:
        po = dict(next(d for d in work.purchase_orders if d["source_id"] == work.reverted_po))
        po["status"] = "draft"
        reverted = engine.call("PUT", f"/documents/purchase_order/{po['source_id']}", json=po)
        console.print(
            f"  purchase order {po['source_id']} taken back from approved to draft: "
            f"{reverted['status']} (version {reverted['version']})"
        )
        made += 1
    return made


def refresh(engine: EngineApi, work: Workload, outcome: Outcome, console: Console) -> None:
    """ "Refresh from Xero" for the invoices settled in full and the credit notes applied to
    invoices: what Xero did with them since (paid, credited) comes back to their links."""
    notes = [
        d["source_id"]
        for d in work.credit_notes
        if d.get("allocations") and d["source_id"] not in work.expected_errors
    ][:2]
    for kind, wanted, why in (
        ("invoice", list(work.settled), work.settled),
        ("credit_note", notes, {}),
    ):
        if not wanted:
            continue
        before = {s: engine.call("GET", f"/documents/{kind}/{s}") for s in wanted}
        reply = engine.call("POST", f"/documents/{kind}/refresh", json={"source_ids": wanted})
        outcome.refreshed += reply["documents"]
        show_refresh(kind, before, reply, why, console)


def jobs_flow(stage: Stage, documents: int) -> int:
    """The job-management app's flow: push the mix, watch it sync, push again, refresh, and
    Xero's side back by webhook. Returns the exit code."""
    engine, console, sandbox = stage.engine, stage.console, stage.sandbox
    work = job_workload(documents)
    outcome = Outcome(work=work, started=stage.started)
    console.print(f"[bold]4. Push[/] {work.total} documents over REST")
    push(engine, work, outcome, console)
    console.print("[bold]5. Sync[/] (the worker sends in batches of 50)")
    watch_queue(engine.call, outcome.intake.get("created", 0), console)
    console.print("[bold]6. Changes in the app[/]")
    made = push_again(engine, work, outcome, console)
    watch_queue(engine.call, outcome.intake.get("created", 0) + made, console)
    if work.reverted_po:
        show_reverted(
            engine.call("GET", f"/documents/purchase_order/{work.reverted_po}"),
            console,
        )
    if work.settled:
        console.print(
            "[bold]7. Refresh from Xero[/] (POST /documents/{kind}/refresh): the "
            "invoices settled in full, the credit notes applied"
        )
        refresh(engine, work, outcome, console)
    outcome.collect(engine.call, sandbox)
    code = print_summary(outcome, console)
    console.print(
        "[bold]8. Xero's side comes back[/]: a person pays an invoice and a bill in "
        "Xero; Xero's webhook reaches the engine, which tells the app"
    )
    hook = f"{stage.engine_url}/api/v1/xero/webhooks"
    if not show_two_way(engine.call, sandbox, hook, WEBHOOK_KEY, console):
        console.print("[red]What was paid in Xero did not come back.[/]")
        code = code or 1
    return code
