"""The report of a run: its figures (what was pushed, killed, faulted and called; per kind,
its documents, versions and pushes, its writes under the chaos and in the drain, what Xero holds
of it and where its queue items ended; wall time), which rules held, and every violation with
its evidence, as text for the test's failure message and the bench's output.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.engine.sync.chaos.documents import KINDS, PLURAL
from tests.engine.sync.chaos.judge import RULES, Verdict, Violation
from tests.engine.sync.chaos.plan import ChaosConfig
from tests.engine.sync.chaos.seen import Seen, live

if TYPE_CHECKING:
    from tests.engine.sync.chaos.run import ChaosRun

# The Xero collection whose writes a kind's figures show (invoices and bills share one).
COLLECTION = {
    "invoice": "Invoices",
    "expense": "Invoices",
    "purchase_order": "PurchaseOrders",
    "credit_note": "CreditNotes",
    "payment": "Payments",
}


@dataclass
class Report:
    config: ChaosConfig
    figures: list[tuple[str, str]]
    violations: list[Violation]
    notes: list[str]
    folder: Path

    def failed(self, rule: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule]

    def render(self) -> str:
        out = [f"chaos run (seed {self.config.seed}, {self.config.workers} workers)"]
        width = max(len(name) for name, _ in self.figures)
        out += [f"  {name.ljust(width)}  {value}" for name, value in self.figures]
        out.append("rules:")
        shown: set[str] = set()
        for rule, words in RULES.items():
            found = self.failed(rule)
            verdict = f"FAIL ({len(found)})" if found else "ok"
            out.append(f"  [{verdict}] {rule}: {words}")
        for rule in RULES:
            found = self.failed(rule)
            if not found:
                continue
            out.append(f"{rule}: {len(found)} violation(s)")
            for violation in found[: self.config.detail_limit]:
                out.append(f"  - {violation.summary}")
                if violation.evidence and violation.evidence[0] in shown:
                    out.append("      (evidence above)")
                    continue
                shown.add(violation.evidence[0] if violation.evidence else "")
                out += [f"      {line}" for line in violation.evidence]
            if len(found) > self.config.detail_limit:
                rest = [v.summary for v in found[self.config.detail_limit :]]
                out.append(f"  ... and {len(rest)} more: " + "; ".join(rest)[:2000])
        if self.notes:
            out.append("notes:")
            out += [f"  {note}" for note in self.notes]
        out.append(f"worker logs: {self.folder}")
        return "\n".join(out)


def figures(run: ChaosRun, seen: Seen, verdict: Verdict) -> list[tuple[str, str]]:
    fleet = run.fleet
    kinds = Counter(d.kind for d in seen.documents)
    versions = sum(len(v) for v in seen.bodies.values())
    whys = Counter(key.split(":")[1] for key in run.outcomes.elements())
    fired = Counter(f"{f['kind']} {f['endpoint']} {f['method']}" for f in run.fired)
    by_kind = Counter(f["kind"] for f in run.fired)
    stats = run.harness.admin("GET", "/_sandbox/stats")
    calls = stats["api_calls"]["by_org"].get("demo", 0)
    holders = sum(1 for k in fleet.kills if k.holder)
    points = Counter(k.point for k in fleet.kills)
    total = time.monotonic() - run.started
    return [
        (
            "documents",
            f"{len(seen.documents)} ("
            + ", ".join(f"{kinds[k]} {PLURAL[k]}" for k in KINDS)
            + f"), {versions} versions",
        ),
        (
            "pushes",
            ", ".join(f"{n} {why}" for why, n in sorted(whys.items()))
            + f" (intake retries {run.intake_retries})",
        ),
        (
            "kills",
            f"{len(fleet.kills)} SIGKILL ({holders} of the lease holder; "
            + ", ".join(f"{n} {p}" for p, n in sorted(points.items()))
            + f"), {fleet.lives} worker lives, {fleet.self_exits} ended by themselves",
        ),
        (
            "faults fired",
            f"{len(run.fired)} ("
            + ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
            + f"); outage {run.config.outage_seconds:.0f} s offline, "
            f"{run.outage.refusals} calls refused",
        ),
        ("faults by call", ", ".join(f"{n} {k}" for k, n in sorted(fired.items()))),
        (
            "calls",
            f"sandbox {calls}, engine recorded {seen.engine_calls}, 429s "
            f"{stats['rate_limits']['refused_total']}, idempotent replays "
            f"{stats['idempotent_replays']}",
        ),
        ("calls by path", ", ".join(f"{n} {k}" for k, n in sorted(seen.calls.items()))),
        *per_kind(run, seen, verdict),
        (
            "contacts",
            f"{len(seen.contacts)} in Xero, {len(seen.contact_links)} contact links, "
            f"{verdict.contacts_twice} twice",
        ),
        (
            "wall time",
            f"chaos {run.seconds.get('chaos', 0):.1f} s, drain "
            f"{run.seconds.get('drain', 0):.1f} s, total {total:.1f} s",
        ),
    ]


def per_kind(run: ChaosRun, seen: Seen, verdict: Verdict) -> list[tuple[str, str]]:
    """Two lines per kind: its documents and versions and what was pushed of it; its writes
    (under the chaos and in the drain), what Xero holds of it (and how many twice), where its
    queue items ended."""
    kind_of = {d.id: d.kind for d in seen.documents}
    documents = Counter(d.kind for d in seen.documents)
    versions: Counter[str] = Counter()
    for document_id, found_versions in seen.bodies.items():
        if document_id in kind_of:
            versions[kind_of[document_id]] += len(found_versions)
    states = {kind: Counter[str]() for kind in KINDS}
    for document_id, found in seen.items.items():
        for item in found:
            states[kind_of.get(document_id, "invoice")][item.state] += 1
    writes = seen.writes
    shared = "writes counted with the invoices' (one collection)"
    rows = []
    for kind in KINDS:
        whys = Counter(
            key.split(":")[1] for key in run.outcomes.elements() if key.split(":")[0] == kind
        )
        held = sum(1 for r in seen.records[kind] if live(r))
        xero = f"Xero {held} live, {verdict.duplicates[kind]} twice"
        if kind == "credit_note":
            made = verdict.allocations
            xero += (
                f"; allocations {made['wanted']} asked, {made['live']} live, "
                f"{made['twice']} twice ({_writes(writes.get('CreditNotes/Allocations'))})"
            )
        if kind == "payment":
            paid = verdict.payments
            xero = (
                f"{paid['wanted']} to keep, {paid['deleted']} deleted; Xero {held} live "
                f"({paid['live']} of the run's), {paid['twice']} twice"
            )
        rows.append(
            (
                PLURAL[kind],
                f"{documents[kind]} documents, {versions[kind]} versions; pushed "
                + ", ".join(f"{n} {why}" for why, n in sorted(whys.items())),
            )
        )
        rows.append(
            (
                "",
                f"{_writes(writes.get(COLLECTION[kind])) if kind != 'expense' else shared}; "
                f"{xero}; queue " + ", ".join(f"{n} {s}" for s, n in sorted(states[kind].items())),
            )
        )
    return rows


def _writes(found: Counter[str] | None) -> str:
    """How many writes Xero had under the chaos and in the drain."""
    found = found or Counter()
    return f"writes {found['chaos']} under chaos + {found['drain']} in the drain"
