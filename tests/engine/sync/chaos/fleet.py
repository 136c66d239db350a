"""The worker fleet and the killer: ``ledgerlink worker`` processes started, SIGKILLed as the
plan says (mostly the one holding the connection's lease), some new lives armed to stop at a
pause point and killed there, the ones that ended by themselves noted and started again.

Each worker is a real ``python -m ledgerlink.cli worker`` (``WorkerProcess``) with short leases,
the sandbox's limits, and a compressed retry policy, all through its environment: nothing of
the engine's state is changed from outside.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from ledgerlink.store.models import Lease
from tests.engine.sync.chaos.plan import ChaosConfig, KillPlan
from tests.engine.sync.chaos.sandbox import LIMITS
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, limits_env
from tests.engine.sync.worker_process import WorkerProcess

# How long a kill aimed at the lease holder waits for a worker to hold the lease.
HOLDER_WAIT = 3.0


@dataclass
class Kill:
    at: float
    worker: str
    pid: int
    holder: bool
    point: str  # "anywhere", a pause point, or "drain" (an armed life stopped for the drain)


def worker_env(config: ChaosConfig) -> dict[str, str]:
    """The sandbox's limits and the run's compressed back-off, for every worker process."""
    return {
        **limits_env(LIMITS),
        "LEDGERLINK_BACKOFF_SECONDS": str(config.backoff_seconds),
        "LEDGERLINK_BACKOFF_MAX_SECONDS": str(config.backoff_max_seconds),
    }


class Fleet:
    """``config.workers`` worker processes, the kill plans to carry out on them, and what
    happened to them (``kills``, ``self_exits``; notes go to the run's ``notes``)."""

    def __init__(
        self,
        config: ChaosConfig,
        harness: SyncHarness,
        folder: Path,
        plans: list[KillPlan],
        notes: list[str],
    ) -> None:
        self.config = config
        self.harness = harness
        self.folder = folder
        self.plans = deque(plans)
        self.notes = notes
        env = worker_env(config)
        self.workers = [
            WorkerProcess(
                harness.settings,
                folder,
                PUBLIC_URL,
                config.lease_seconds,
                env,
                once=False,
                name=f"w{i}",
            )
            for i in range(config.workers)
        ]
        self.kills: list[Kill] = []
        self.self_exits = 0
        self.armed: dict[str, str | None] = {}
        self.paused_seen: dict[str, float] = {}
        self.restart_at: dict[str, tuple[float, str | None]] = {}
        self.target: WorkerProcess | None = None
        self.target_at = 0.0
        self.aim_until = 0.0
        self.aiming: KillPlan | None = None
        self.last_plan_delay = 0.1

    @property
    def lives(self) -> int:
        return sum(w.lives for w in self.workers)

    def start(self, worker: WorkerProcess, pause_at: str | None = None) -> None:
        worker.start(pause_at=pause_at)
        self.armed[worker.name] = pause_at
        self.paused_seen.pop(worker.name, None)

    def start_all(self) -> None:
        for worker in self.workers:
            self.start(worker)

    @staticmethod
    def sigkill(worker: WorkerProcess) -> int:
        """SIGKILL (when it still runs); the pid it had."""
        assert worker.process is not None
        pid = worker.process.pid
        worker.stop()
        return pid

    def holder(self) -> WorkerProcess | None:
        """The running worker whose lease on the connection is live, if any."""
        with self.harness.factory() as session:
            owner = session.scalar(
                select(Lease.owner).where(
                    Lease.connection_id == self.harness.connection_id,
                    Lease.expires_at >= datetime.now(UTC),
                )
            )
        if not owner:
            return None
        pid = owner.rsplit(":", 2)[-2]
        for worker in self.workers:
            if worker.alive() and str(worker.process.pid) == pid:  # type: ignore[union-attr]
                return worker
        return None

    # during the chaos ---------------------------------------------------------------------

    def step(self, now: float) -> None:
        """One tick: note and restart what ended, kill what is paused, carry out the next plan."""
        self.reap(now)
        self.kill_paused(now, self.last_plan_delay)
        if self.plans and now >= self.plans[0].at:
            if self.aiming is not self.plans[0]:
                self.aiming, self.aim_until = self.plans[0], now + HOLDER_WAIT
            if self.aim(self.plans[0], now):
                self.last_plan_delay = self.plans.popleft().pause_kill_after
        self.restarts(now)

    def reap(self, now: float, *, restart_delay: float = 0.5) -> None:
        """Workers that ended by themselves are noted (with their log's end) and restarted."""
        for worker in self.workers:
            if worker.process is None or worker.alive() or worker.name in self.restart_at:
                continue
            self.self_exits += 1
            tail = " | ".join(worker.log().strip().splitlines()[-3:])[-600:]
            self.notes.append(
                f"{worker.name} life {worker.lives} ended by itself (exit "
                f"{worker.process.returncode}) at {now:.1f} s: {tail}"
            )
            self.restart_at[worker.name] = (now + restart_delay, None)

    def restarts(self, now: float) -> None:
        for worker in self.workers:
            due = self.restart_at.get(worker.name)
            if due is not None and now >= due[0]:
                del self.restart_at[worker.name]
                self.start(worker, due[1])

    def kill_paused(self, now: float, plan_delay: float) -> None:
        for worker in self.workers:
            if not worker.alive() or worker.name in self.restart_at:
                continue
            point = worker.paused()
            if point is None:
                continue
            seen = self.paused_seen.setdefault(worker.name, now)
            if now < seen + plan_delay:
                continue
            pid = self.sigkill(worker)
            self.kills.append(Kill(now, worker.name, pid, True, point))
            self.restart_at[worker.name] = (now + 0.2, None)

    def aim(self, plan: KillPlan, now: float) -> bool:
        """Kill as planned once the moment comes; False while still waiting for it.

        A kill aimed at the lease holder waits (up to ``HOLDER_WAIT``) until a worker holds the
        lease, then ``plan.jitter`` more, so it lands inside a run rather than between runs;
        when none takes the lease in time, a running worker is killed instead.
        """
        if plan.holder and self.target is None and now < self.aim_until:
            holder = self.holder()
            if holder is None:
                return False
            self.target, self.target_at = holder, now + plan.jitter
        if self.target is not None and now < self.target_at:
            return False
        running = [w for w in self.workers if w.alive() and w.name not in self.restart_at]
        target = self.target if self.target in running else None
        if target is None and running:
            target = running[int(plan.pick * len(running))]
        self.target = None
        if target is None:
            self.notes.append(f"kill at {now:.1f} s skipped: no worker running")
            return True
        held = self.holder() is target
        pid = self.sigkill(target)
        self.kills.append(Kill(now, target.name, pid, held, "anywhere"))
        self.restart_at[target.name] = (now + plan.restart_after, plan.pause_at)
        return True

    # after it -----------------------------------------------------------------------------

    def calm(self, at: float) -> None:
        """No more kills: every worker running, none armed to stop at a pause point."""
        for worker in self.workers:
            if worker.alive() and self.armed.get(worker.name):
                # a life armed to stop at a pause point would stop there during the drain
                point = worker.paused() or "drain"
                pid = self.sigkill(worker)
                self.kills.append(Kill(at, worker.name, pid, False, point))
        self.restart_at.clear()
        for worker in self.workers:
            if not worker.alive():
                self.start(worker)

    def keep_running(self, now: float) -> None:
        """A worker that ended by itself is started again at once."""
        self.reap(now, restart_delay=0.0)
        self.restarts(now)

    def stop(self) -> dict[str, int | None]:
        """SIGTERM every worker, SIGKILL what has not ended in time; exit codes by name."""
        codes: dict[str, int | None] = {}
        for worker in self.workers:
            if worker.alive():
                assert worker.process is not None
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.config.stop_seconds
        for worker in self.workers:
            if worker.process is None:
                continue
            with contextlib.suppress(Exception):
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=30)
                self.notes.append(f"{worker.name} did not stop on SIGTERM; killed")
            codes[worker.name] = worker.process.returncode
        return codes

    def kill_all(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.stop()

    def tracebacks(self) -> list[str]:
        """How many tracebacks the worker logs hold, and the last line of the first few."""
        found: list[str] = []
        count = 0
        for path in sorted(self.folder.glob("w*-*.log")):
            text = path.read_text(errors="replace")
            for block in text.split("Traceback (most recent call last):")[1:]:
                count += 1
                if len(found) < 5:
                    last = next(
                        (ln for ln in block.strip().splitlines() if not ln.startswith(" ")), ""
                    )
                    tail = [ln for ln in block.strip().splitlines() if ln.strip()]
                    found.append(f"{path.name}: {tail[-1][:300] if tail else last}")
        return ([f"worker logs hold {count} tracebacks, first ones:"] + found) if count else []
