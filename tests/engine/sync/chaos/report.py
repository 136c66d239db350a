"""The report of a run: its figures (what was pushed, killed, faulted and called; per
organisation, its documents, calls and faults and the rules it broke; per kind,
its documents, versions and pushes, its writes under the chaos and in the drain, what Xero holds
of it and where its queue items ended; wall time), which rules held, and every violation with
its evidence, as text for the test's failure message and the bench's output.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.engine.sync.chaos.documents import KINDS, PLURAL
from tests.engine.sync.chaos.judge import RULES, Verdict, Violation
from tests.engine.sync.chaos.plan import ChaosConfig
from tests.engine.sync.chaos.seen import Seen
from tests.engine.sync.chaos.shapes import live

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
        cfg = self.config
        out = [
            f"chaos run (seed {cfg.seed}, organisations {', '.join(cfg.organisations)}, "
            f"{cfg.workers} workers of concurrency {cfg.concurrency})"
        ]
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


def figures(
    run: ChaosRun, seens: dict[str, Seen], verdicts: dict[str, Verdict], verdict: Verdict
) -> list[tuple[str, str]]:
    """The run's figures, the organisations' added up, and a line per organisation."""
    fleet = run.fleet
    all_seen = list(seens.values())
    kinds = Counter(d.kind for seen in all_seen for d in seen.documents)
    versions = sum(len(seen.bodies.get(d.id, {})) for seen in all_seen for d in seen.documents)
    whys = Counter(key.split(":")[1] for key in run.outcomes.elements())
    fired = Counter(f"{f['kind']} {f['endpoint']} {f['method']}" for f in run.fired)
    by_kind = Counter(f["kind"] for f in run.fired)
    stats = run.harness.admin("GET", "/_sandbox/stats")
    by_org = stats["api_calls"]["by_org"]
    holders = sum(1 for k in fleet.kills if k.holder)
    several = sum(1 for k in fleet.kills if k.leases > 1)
    points = Counter(k.point for k in fleet.kills)
    calls_by_path: Counter[str] = Counter()
    for seen in all_seen:
        calls_by_path.update(seen.calls)
    total = time.monotonic() - run.started
    return [
        (
            "documents",
            f"{sum(kinds.values())} ("
            + ", ".join(f"{kinds[k]} {PLURAL[k]}" for k in KINDS)
            + f"), {versions} versions, to {len(seens)} organisations",
        ),
        *per_org(run, seens, verdicts, stats),
        (
            "pushes",
            ", ".join(f"{n} {why}" for why, n in sorted(whys.items()))
            + f" (intake retries {run.intake_retries})",
        ),
        (
            "kills",
            f"{len(fleet.kills)} SIGKILL ({holders} of a lease holder, {several} of a process "
            f"holding several organisations' leases; "
            + ", ".join(f"{n} {p}" for p, n in sorted(points.items()))
            + f"), {fleet.lives} worker lives of up to {run.config.concurrency} organisations "
            f"each, {fleet.self_exits} ended by themselves",
        ),
        (
            "faults fired",
            f"{len(run.fired)} ("
            + ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
            + f"); outages {run.config.outage_seconds:.0f} s offline each, calls refused "
            + ", ".join(f"{o.key} {o.refusals}" for o in run.outages),
        ),
        ("faults by call", ", ".join(f"{n} {k}" for k, n in sorted(fired.items()))),
        (
            "calls",
            f"sandbox {sum(by_org.get(key, 0) for key in seens)}, engine recorded "
            f"{sum(seen.engine_calls for seen in all_seen)}, 429s "
            f"{stats['rate_limits']['refused_total']}, idempotent replays "
            f"{stats['idempotent_replays']}",
        ),
        ("calls by path", ", ".join(f"{n} {k}" for k, n in sorted(calls_by_path.items()))),
        *per_kind(run, all_seen, verdict),
        (
            "contacts",
            f"{sum(len(seen.contacts) for seen in all_seen)} in Xero, "
            f"{sum(len(seen.contact_links) for seen in all_seen)} contact links, "
            f"{verdict.contacts_twice} twice",
        ),
        (
            "wall time",
            f"chaos {run.seconds.get('chaos', 0):.1f} s, drain "
            f"{run.seconds.get('drain', 0):.1f} s, total {total:.1f} s",
        ),
    ]


def per_org(
    run: ChaosRun, seens: dict[str, Seen], verdicts: dict[str, Verdict], stats: dict[str, Any]
) -> list[tuple[str, str]]:
    """A line per organisation: its documents, calls, faults, and the rules it broke."""
    fired = Counter(str(f.get("tenant")) for f in run.fired)
    rows = []
    for org in run.orgs:
        seen, verdict = seens[org.key], verdicts[org.key]
        broken = Counter(v.rule for v in verdict.violations)
        rows.append(
            (
                f"  {org.key}",
                f"{len(seen.documents)} documents, {stats['api_calls']['by_org'].get(org.key, 0)} "
                f"calls ({seen.engine_calls} recorded), {fired[org.tenant_id]} faults, "
                + (
                    "rules broken: " + ", ".join(f"{r} {n}" for r, n in sorted(broken.items()))
                    if broken
                    else "every rule held"
                ),
            )
        )
    return rows


def per_kind(run: ChaosRun, seens: list[Seen], verdict: Verdict) -> list[tuple[str, str]]:
    """Two lines per kind, every organisation's added up: its documents and versions and what
    was pushed of it; its writes (under the chaos and in the drain), what Xero holds of it (and
    how many twice), where its queue items ended."""
    kind_of = {d.id: d.kind for seen in seens for d in seen.documents}
    documents = Counter(kind_of.values())
    versions: Counter[str] = Counter()
    for seen in seens:
        for document in seen.documents:
            versions[document.kind] += len(seen.bodies.get(document.id, {}))
    states = {kind: Counter[str]() for kind in KINDS}
    for seen in seens:
        for document_id, found in seen.items.items():
            for item in found:
                states[kind_of.get(document_id, "invoice")][item.state] += 1
    writes: dict[str, Counter[str]] = {}
    for seen in seens:
        for what, counted in seen.writes.items():
            writes.setdefault(what, Counter()).update(counted)
    held_by_kind = Counter(
        kind for seen in seens for kind, found in seen.records.items() for r in found if live(r)
    )
    shared = "writes counted with the invoices' (one collection)"
    rows = []
    for kind in KINDS:
        whys = Counter(
            key.split(":")[1] for key in run.outcomes.elements() if key.split(":")[0] == kind
        )
        held = held_by_kind[kind]
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
