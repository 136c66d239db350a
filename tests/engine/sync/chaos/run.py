"""One run, from an empty schema to its report: the sandbox and a connection to each of its
organisations set up, the chaos (waves pushed through intake to every organisation while the
fleet is killed and the sandbox misbehaves), the drain (no more chaos, until the queue is
idle), the workers stopped, and the judging, organisation by organisation.

``run_chaos`` is the one entry ``test_chaos.py`` and ``bench/chaos.py`` call.
"""

from __future__ import annotations

import signal
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from ledgerlink.config import Settings
from ledgerlink.store.models import QueueItem
from ledgerlink.sync.intake import upsert_documents
from tests.engine.conftest import TEST_KEY, postgres_database
from tests.engine.sync.chaos import orgs as organisations
from tests.engine.sync.chaos import schedule
from tests.engine.sync.chaos.documents import KINDS
from tests.engine.sync.chaos.fleet import Fleet
from tests.engine.sync.chaos.judge import Violation, judge_all, merged
from tests.engine.sync.chaos.orgs import Org
from tests.engine.sync.chaos.plan import ChaosConfig, Plan, Push, Wave
from tests.engine.sync.chaos.report import Report, figures
from tests.engine.sync.chaos.sandbox import LIMITS, Outage, Weather
from tests.engine.sync.chaos.seen import Seen
from tests.engine.sync.conftest import SyncHarness, connect_harness
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer

TICK = 0.05
LATE = 2.0  # a wave pushed later than this after its moment is noted
OPEN = ("queued", "in_flight")


class ChaosRun:
    """What one run planned, did and noticed; ``chaos``, ``drain`` and ``report`` in turn."""

    def __init__(
        self, config: ChaosConfig, harness: SyncHarness, orgs: list[Org], folder: Path
    ) -> None:
        self.config = config
        self.harness = harness
        self.orgs = orgs
        self.folder = folder
        plan = Plan(config, [org.spec for org in orgs])
        self.waves = plan.waves()
        self.chaos_seconds = self.waves[-1].at + config.tail_seconds
        self.docs = plan.docs
        keys = tuple(org.key for org in orgs)
        self.notes: list[str] = []
        self.violations: list[Violation] = []
        self.outcomes: Counter[str] = Counter()
        self.intake_retries = 0
        self.fired: list[dict[str, Any]] = []
        self.seconds: dict[str, float] = {}
        self.calm_from = 0  # the sandbox's request log's length when the chaos stopped
        self.started = time.monotonic()
        kill_plans = schedule.kills(config, self.chaos_seconds)
        self.fleet = Fleet(config, harness, folder, kill_plans, self.notes)
        self.outages = [
            Outage(harness, org.key, org.tenant_id, at, config.outage_seconds)
            for org, at in zip(
                orgs, schedule.outages(config, self.chaos_seconds, keys).values(), strict=True
            )
        ]
        turns = schedule.weather(config, self.waves[-1].at)
        self.weather = Weather(harness, config, turns, keys)

    def push(self, wave: Wave, number: int) -> None:
        """The wave through intake, each organisation's documents to its connection, as a
        source app's bulk upload lands; what intake answered is checked against the plan (rule
        ``intake``)."""
        for kind in KINDS:  # what others follow first, as a source app uploads them
            for org in self.orgs:
                pushes = [
                    p for p in wave.pushes if p.doc.kind == kind and p.doc.org == org.spec.tag
                ]
                if pushes:
                    self._upload(org, kind, pushes, number)

    def _upload(self, org: Org, kind: str, pushes: list[Push], number: int) -> None:
        harness = self.harness
        items = [p.doc.body(p.variant) for p in pushes]
        for attempt in range(5):
            try:
                results = upsert_documents(
                    harness.factory, harness.workspace_id, org.connection_id, kind, items
                )
                break
            except DBAPIError as exc:  # a deadlock with a worker: the upload is retried
                self.intake_retries += 1
                if attempt == 4:
                    raise
                self.notes.append(f"wave {number} intake retried: {str(exc)[:160]}")
        for push, result in zip(pushes, results, strict=True):
            self.outcomes[f"{kind}:{push.why}:{result.outcome}"] += 1
            if result.outcome != push.expect:
                errors = "; ".join(e.message for e in result.errors)[:300]
                self.violations.append(
                    Violation(
                        "intake",
                        f"wave {number} {push.why} of {push.doc.source_id} (variant "
                        f"{push.variant}): intake said {result.outcome}, expected "
                        f"{push.expect} {errors}",
                    )
                )

    def open_items(self) -> int:
        with self.harness.factory() as session:
            query = select(func.count()).where(QueueItem.state.in_(OPEN))
            return int(session.scalar(query) or 0)

    def chaos(self) -> None:
        self.weather.step(0.0)
        self.fleet.start_all()
        waves = deque(enumerate(self.waves))
        start = time.monotonic()
        late = 0.0
        # Every wave is pushed under the chaos, however far behind a busy machine leaves it.
        while (now := time.monotonic() - start) < self.chaos_seconds or waves:
            if waves and now >= waves[0][1].at:
                number, wave = waves.popleft()
                late = max(late, now - wave.at)
                self.push(wave, number)
            self.weather.step(now)
            for outage in self.outages:
                outage.step(now)
            self.fleet.step(now)
            time.sleep(TICK)
        self.seconds["chaos"] = time.monotonic() - start
        if late > LATE:
            self.notes.append(
                f"the waves fell up to {late:.1f} s behind their plan (a busy machine): the "
                "chaos went on until the last was pushed"
            )
        self.fired = self.weather.stop()
        self.calm_from = len(self.harness.server.state.request_log)

    def drain(self) -> None:
        """No more faults or kills: every worker runs, until nothing is queued or in flight."""
        cfg = self.config
        start = time.monotonic()
        self.fleet.calm(self.chaos_seconds)
        idle = False
        deadline = start + cfg.drain_seconds
        while time.monotonic() < deadline:
            self.fleet.keep_running(time.monotonic() - start)
            in_xero = self.harness.admin("GET", "/_sandbox/stats")["rate_limits"]["in_flight"]
            if self.open_items() == 0 and not in_xero:
                idle = True
                break
            time.sleep(0.25)
        self.seconds["drain"] = time.monotonic() - start
        if not idle:
            with self.harness.factory() as session:
                stuck = Counter(
                    f"{state} ({code or 'no code'})"
                    for state, code in session.execute(
                        select(QueueItem.state, QueueItem.error_code).where(
                            QueueItem.state.in_(OPEN)
                        )
                    )
                )
            self.violations.append(
                Violation(
                    "idle",
                    f"after {cfg.drain_seconds:.0f} s without faults or kills the queue still "
                    f"holds {dict(stuck)}",
                )
            )

    def report(self, exit_codes: dict[str, int | None]) -> Report:
        seens = Seen.read_all(self.harness, self.calm_from, self.orgs)
        verdicts = judge_all(seens, {org.key: org.spec.label for org in self.orgs})
        verdict = merged(verdicts.values())
        notes = self.notes + verdict.notes
        for name, code in exit_codes.items():
            if code not in (0, None, -signal.SIGTERM):  # -SIGTERM: stopped while starting
                notes.append(f"{name} exited {code} on SIGTERM")
        notes += self.fleet.tracebacks()
        return Report(
            self.config,
            figures(self, seens, verdicts, verdict),
            self.violations + verdict.violations,
            notes,
            self.folder,
        )


def run_chaos(config: ChaosConfig, folder: Path, say: Callable[[str], None] = print) -> Report:
    """One whole run in a PostgreSQL schema of its own (skips when PostgreSQL is down); every
    worker process is gone when it returns, whatever happened. Worker logs go to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxConfig(limits=LIMITS, fault_seed=config.seed)
    with postgres_database() as (url, factory), SandboxServer(sandbox) as server:
        settings = replace(
            Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(server.url),
            xero_read_timeout=config.read_timeout,
        )
        harness = connect_harness(server, factory, settings, "Chaos")
        orgs = organisations.connect(harness, organisations.specs(config.organisations))
        run = ChaosRun(config, harness, orgs, folder)
        try:
            say(
                f"chaos: {len(run.docs)} documents to {len(orgs)} organisations in "
                f"{len(run.waves)} waves over {run.chaos_seconds:.0f} s, "
                f"{len(run.fleet.plans)} kills planned, {config.workers} workers driving up "
                f"to {config.concurrency} organisations each"
            )
            run.chaos()
            say(f"chaos over after {run.seconds['chaos']:.1f} s; draining")
            run.drain()
            codes = run.fleet.stop()
        finally:
            run.fleet.kill_all()
        return run.report(codes)
