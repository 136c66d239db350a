"""The sections of ``bench/run.py``: each runs in a fresh sandbox and database, measures, and
adds its rows to the table (or lines under it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import webhook_intake
from bench.baselines import (
    START,
    Outcome,
    batches_of_30,
    invoices,
    make_contacts,
    one_by_one,
    warmup_invoices,
)
from bench.engine_side import (
    UNLIMITED,
    Ledger,
    database,
    finish_spread,
    intake_rates,
    measured,
    postgres_reachable,
    worker_processes,
)
from bench.table import Table, number, share
from bench.xero_side import Org, Sandbox, sandbox, sent_once

from ledgerlink.demo.documents import CLIENTS, invoice
from ledgerlink.sync.limiter import XeroLimits

NAMES = ("compressed", "cpu", "intake", "orgs", "workers", "webhooks")
Doc = dict[str, Any]


@dataclass(frozen=True)
class Sizes:
    documents: int  # the compressed-minute run, per column
    one_by_one: int  # of those, what the one-by-one script sends
    minute: float  # the compressed minute, in seconds
    cpu_documents: int  # per CPU run (limits off)
    stored: tuple[int, ...]  # intake: documents already stored
    intake_batch: int
    orgs: int  # many organisations, one worker process
    per_org: int
    orgs_minute: float  # its minute (60: Xero's own)
    pg_orgs: int  # many organisations, worker processes on PostgreSQL
    pg_per_org: int
    pg_workers: int
    pg_minute: float
    workers_timeout: float  # seconds the worker processes get before they are stopped
    webhooks: webhook_intake.Sizes = webhook_intake.Sizes()  # Xero's webhooks in


def numbers(docs: list[Doc]) -> list[str]:
    return [d["number"] for d in docs]


def _span(times: list[float]) -> float:
    """Seconds from the first of these requests to the last."""
    return max(times) - min(times) if len(times) > 1 else 0.0


class Bench:
    """The run's sections by name (``NAMES``), sharing the table and the lines under it."""

    def __init__(self, sizes: Sizes, folder: Path, table: Table, lines: list[str]) -> None:
        self.sizes = sizes
        self.folder = folder
        self.table = table
        self.lines = lines
        self.postgres = postgres_reachable()
        self.single_org = False  # the sandbox could not make organisations

    def _orgs(self, box: Sandbox, count: int, prefix: str) -> list[Org]:
        found: list[Org] = box.new_orgs(count, prefix)
        if not box.orgs_route and not self.single_org:
            self.single_org = True
            self.table.notes.append(
                "note: this sandbox has no POST /_sandbox/orgs: every run used its demo "
                "organisation alone (many-organisations runs are one organisation)"
            )
        return found

    # -- compressed minute: the three columns --------------------------------------------

    def _engine_compressed(self, kind: str, docs: list[Doc]) -> tuple[Outcome, tuple[int, int]]:
        """ledgerlink's column of the compressed-minute run, on a ``kind`` database."""
        minute = self.sizes.minute
        with sandbox(minute) as box, database(kind, self.folder) as url:
            org = self._orgs(box, 1, "engine")[0]
            ledger = Ledger(url, box.url, XeroLimits(minute_seconds=minute))
            try:
                ledger.connect([org])
                measured(ledger, {org.key: (org, warmup_invoices("WARM"))})  # not counted
                refused_before = box.refused_429()
                mark = len(box.requests_at(org))
                run = measured(ledger, {org.key: (org, docs)})
                engine = Outcome(
                    run.documents,
                    run.calls.calls,
                    run.cpu_seconds,
                    run.wall_seconds,
                    box.refused_429() - refused_before,
                    0.0,
                    run.calls.egress_bytes,
                    _span(box.requests_at(org)[mark:]),
                )
                return engine, sent_once(box.url, [org], {org.key: numbers(docs)})
            finally:
                ledger.close()

    def compressed(self) -> None:
        s = self.sizes
        minute = s.minute
        docs = invoices(s.documents, "CMP")
        engine, once = self._engine_compressed("sqlite", docs)
        results = [(engine, once)]
        for script, count in ((one_by_one, s.one_by_one), (batches_of_30, s.documents)):
            with sandbox(minute) as box:
                org = self._orgs(box, 1, script.__name__.replace("_", ""))[0]
                make_contacts(box.url, org)
                sent = docs[:count]
                mark = len(box.requests_at(org))
                outcome = script(box.url, org, sent)
                outcome.refused_429 = box.refused_429()
                outcome.paced_seconds = _span(box.requests_at(org)[mark:])
                results.append((outcome, sent_once(box.url, [org], {org.key: numbers(sent)})))
        self.table.title += f"\ncompressed minute of {minute:g} s, invoices, contacts in Xero"
        self._compressed_rows(results, minute)
        if self.postgres:
            pg, (found, expected) = self._engine_compressed("postgresql", docs)
            whole = pg.calls * minute / 60 / pg.wall_seconds
            paced = (pg.calls - 1) * minute / 60 / pg.paced_seconds if pg.paced_seconds else 0
            self.table.notes.append(
                f"ledgerlink on PostgreSQL, the same run: {found}/{expected} once, {pg.calls} "
                f"calls, {pg.refused_429} 429s, wall {pg.wall_seconds:.2f} s, share of bound "
                f"{share(whole)} (wall) | {share(paced)} (first to last request), CPU "
                f"{pg.cpu_seconds * 1000 / pg.documents:.2f} ms/doc."
            )
        self.table.notes += [
            "rate-limit bound: the least wall time Xero's 60 calls a minute per organisation "
            "allow for the calls a column made, at a steady pace (calls x minute / 60); Xero's "
            "windows are fixed, so a run of fewer than 60 calls may beat it (share over 100%). "
            "The wall time counts from the first document pushed (ledgerlink's intake of them "
            "all comes before its first call); the share from first to last request is Xero's "
            "view of the pacing alone, as the sandbox logged each request's arrival.",
            f"one by one sends the first {self.sizes.one_by_one} documents only (two calls "
            "each); every column writes to an organisation of its own.",
        ]

    def _compressed_rows(
        self, results: list[tuple[Outcome, tuple[int, int]]], minute: float
    ) -> None:
        add = self.table.add
        add("documents in Xero exactly once", *(f"{o}/{e}" for _, (o, e) in results))
        add(
            "calls per 1,000 documents", *(number(r.calls * 1000 / r.documents) for r, _ in results)
        )
        add(
            "CPU ms per document (this process)",
            *(number(r.cpu_seconds * 1000 / r.documents, 2) for r, _ in results),
        )
        add("wall time, s", *(number(r.wall_seconds, 2) for r, _ in results))
        bounds = [r.calls * minute / 60 for r, _ in results]
        add("rate-limit bound, s (calls x minute/60)", *(number(b, 2) for b in bounds))
        add(
            "share of bound reached (bound / wall)",
            *(share(b / r.wall_seconds) for b, (r, _) in zip(bounds, results, strict=True)),
        )
        # Xero's side: from the first request it received to the last, against the least time
        # its minute allows between them (every interval at the steady pace).
        paced = [(r.calls - 1) * minute / 60 for r, _ in results]
        add(
            "share of bound, first to last request ((calls-1) x minute/60 / span)",
            *(
                share(b / r.paced_seconds) if r.paced_seconds > 0 else "-"
                for b, (r, _) in zip(paced, results, strict=True)
            ),
        )
        add("429 responses", *(str(r.refused_429) for r, _ in results))
        add("time lost waiting out 429s, s", *(number(r.waited_seconds, 1) for r, _ in results))
        add(
            "egress bytes per document (reply bodies)",
            *(number(r.egress_bytes / r.documents, 0) for r, _ in results),
        )

    # -- engine CPU per document, limits off ---------------------------------------------

    def cpu(self) -> None:
        s = self.sizes
        kinds = ["sqlite"] + (["postgresql"] if self.postgres else [])
        figures: dict[tuple[str, bool], float] = {}
        with sandbox(limits=False) as box:
            for n, kind in enumerate(kinds):
                for new in (False, True):
                    tag = f"C{n}{'N' if new else 'K'}"
                    org = self._orgs(box, 1, tag.lower())[0]
                    with database(kind, self.folder) as url:
                        ledger = Ledger(url, box.url, UNLIMITED)
                        try:
                            ledger.connect([org])
                            measured(ledger, {org.key: (org, warmup_invoices(tag + "W"))})
                            docs = invoices(s.cpu_documents, tag, new_contacts=new)
                            run = measured(ledger, {org.key: (org, docs)})
                        finally:
                            ledger.close()
                    figures[(kind, new)] = run.cpu_seconds * 1000 / run.documents
        for new in (False, True):
            label = "all contacts new" if new else "contacts in Xero"
            cells = [number(figures[(k, new)], 2) for k in kinds]
            if not self.postgres:
                cells.append("(no PostgreSQL)")
            self.table.add(
                f"engine CPU ms/doc, {label}, limits off (SQLite | PostgreSQL)",
                " | ".join(cells),
            )

    # -- intake ---------------------------------------------------------------------------

    def intake(self) -> None:
        s = self.sizes

        def docs_for(prefix: str, offset: int, count: int) -> list[Doc]:
            rng = random.Random(offset)
            return [
                invoice(rng, n, START, client=CLIENTS[n % len(CLIENTS)], prefix=prefix)
                for n in range(offset + 1, offset + count + 1)
            ]

        with sandbox(limits=False) as box, database("sqlite", self.folder) as url:
            org = self._orgs(box, 1, "intake")[0]
            ledger = Ledger(url, box.url, UNLIMITED)
            try:
                ledger.connect([org])
                rates = intake_rates(ledger, org, docs_for, list(s.stored), s.intake_batch)
            finally:
                ledger.close()
        for stored, rate in rates:
            self.table.add(f"intake documents/s, {stored:,} stored (SQLite)", number(rate, 0))

    # -- many organisations ---------------------------------------------------------------

    def _many(self, kind: str, orgs_count: int, per_org: int, minute: float, workers: int) -> str:
        limits = XeroLimits(minute_seconds=minute)
        with sandbox(minute) as box, database(kind, self.folder) as url:
            orgs = self._orgs(box, orgs_count, f"many{kind[:2]}")
            work = {o.key: (o, invoices(per_org, f"M{i:04d}", seed=i)) for i, o in enumerate(orgs)}
            ledger = Ledger(url, box.url, limits)
            try:
                ledger.connect(orgs)
                if workers:
                    mark = ledger.mark()
                    started = _now()
                    for org, docs in work.values():
                        ledger.push(org, docs)
                    ended = worker_processes(
                        ledger, workers, minute, self.folder, self.sizes.workers_timeout
                    )
                    wall = ended if ended is not None else float("nan")
                    calls = ledger.calls_since(mark)
                else:
                    run = measured(ledger, work)
                    wall, calls, started = run.wall_seconds, run.calls, run.started
            finally:
                ledger.close()
            refused = box.refused_429()
            once, expected = sent_once(
                box.url, orgs, {k: numbers(docs) for k, (_, docs) in work.items()}
            )
        spread, median = finish_spread(started, calls.last_call)
        bound = calls.calls / max(len(orgs), 1) * minute / 60
        wall_text = (
            f"wall {wall:.1f} s"
            if wall == wall
            else f"NOT DONE after {self.sizes.workers_timeout:.0f} s (workers stopped)"
        )
        return (
            f"{len(orgs)} organisations x {per_org} invoices, {kind}, "
            f"{f'{workers} worker processes' if workers else 'one worker process'}, "
            f"minute {minute:g} s: {wall_text}, documents once {once}/{expected}, "
            f"calls {calls.calls}, 429s {refused}, median organisation done at {median:.1f} s, "
            f"slowest over median {spread:.2f}, bound {bound:.1f} s (an organisation's mean calls "
            "x minute / 60)"
        )

    def orgs(self) -> None:
        s = self.sizes
        self.lines.append("many organisations")
        self._line(self._many("sqlite", s.orgs, s.per_org, s.orgs_minute, 0))

    def workers(self) -> None:
        s = self.sizes
        if not self.postgres:
            self.lines.append("  worker processes on PostgreSQL: skipped (no PostgreSQL)")
            return
        self._line(self._many("postgresql", s.pg_orgs, s.pg_per_org, s.pg_minute, s.pg_workers))

    def _line(self, text: str) -> None:
        """A many-organisations line, kept for the end and shown now (a long run's first
        result is not lost if a later one fails)."""
        self.lines.append("  " + text)
        print("  " + text, flush=True)

    # -- Xero's webhooks in ------------------------------------------------------------

    def webhooks(self) -> None:
        """The receiver under load (``ledgerlink serve`` in its own process), then the pulls."""
        size = self.sizes.webhooks
        self.lines.append(
            f"webhook intake: {size.deliveries} signed deliveries of {size.per_delivery} "
            f"events from {size.clients} clients, {size.documents} linked invoices"
        )
        self.lines.append("  " + webhook_intake.HEADER)
        kinds = ["sqlite"] + (["postgresql"] if self.postgres and size.postgres_too else [])
        for kind in kinds:
            found = webhook_intake.run(kind, size, self.folder)
            self.lines.append("  " + webhook_intake.row(found))


def _now() -> datetime:
    return datetime.now(UTC)
