"""The worker fleet and the killer: ``ledgerlink worker`` processes started, SIGKILLed as the
schedule says (mostly one holding a connection's lease, the one holding the most when it can:
a process driving several organisations at once), some new lives armed to stop at a pause point
and killed there, the ones that ended by themselves noted and started again.

Each worker is a real ``python -m ledgerlink.cli worker`` (``WorkerProcess``) driving up to
``concurrency`` organisations at once (a thread each, each leasing as its own owner
``host:pid:uuid/n``), with short leases, the sandbox's limits, and a compressed retry policy,
all through its environment: nothing of the engine's state is changed from outside.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from ledgerlink.store.models import Lease
from tests.engine.sync.chaos.config import ChaosConfig
from tests.engine.sync.chaos.sandbox import LIMITS
from tests.engine.sync.chaos.schedule import KillPlan
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, limits_env
from tests.engine.sync.worker_process import WorkerProcess

# How long a kill aimed at a lease holder waits for a worker to hold a lease; for the first
# half of it, only a worker holding several will do.
HOLDER_WAIT = 3.0


@dataclass
class Kill:
    at: float
    worker: str
    pid: int
    holder: bool
    point: str  # "anywhere", a pause point, or "drain" (an armed life stopped for the drain)
    leases: int  # how many organisations' leases the process held when it was killed


def worker_env(config: ChaosConfig) -> dict[str, str]:
    """The sandbox's limits, the run's compressed back-off and how many organisations a
    process drives at once, for every worker process."""
    return {
        **limits_env(LIMITS),
        "LEDGERLINK_WORKER_CONCURRENCY": str(config.concurrency),
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

    def leases(self) -> dict[str, int]:
        """How many live leases each running worker holds, by name (a thread of a process
        leases as ``host:pid:uuid/n``)."""
        with self.harness.factory() as session:
            owners = list(
                session.scalars(select(Lease.owner).where(Lease.expires_at >= datetime.now(UTC)))
            )
        pids = Counter(owner.rsplit(":", 2)[-2] for owner in owners if owner.count(":") >= 2)
        return {
            w.name: pids[str(w.process.pid)]  # type: ignore[union-attr]
            for w in self.workers
            if w.alive() and pids[str(w.process.pid)]  # type: ignore[union-attr]
        }

    def holder(self, least: int = 1) -> WorkerProcess | None:
        """The running worker holding the most live leases, if it holds at least ``least``."""
        held = self.leases()
        best = max(held.items(), key=lambda kv: kv[1], default=None)
        if best is None or best[1] < least:
            return None
        return next(w for w in self.workers if w.name == best[0])

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
            held = self.leases().get(worker.name, 0)
            pid = self.sigkill(worker)
            self.kills.append(Kill(now, worker.name, pid, True, point, held))
            self.restart_at[worker.name] = (now + 0.2, None)

    def aim(self, plan: KillPlan, now: float) -> bool:
        """Kill as planned once the moment comes; False while still waiting for it.

        A kill aimed at a lease holder waits (up to ``HOLDER_WAIT``) until a worker holds a
        lease (for the first half of the wait, leases of several organisations), then
        ``plan.jitter`` more, so it lands inside a run rather than between runs; when none
        takes a lease in time, a running worker is killed instead.
        """
        if plan.holder and self.target is None and now < self.aim_until:
            several = now < self.aim_until - HOLDER_WAIT / 2 and len(self.config.organisations) > 1
            holder = self.holder(2 if several else 1)
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
        held = self.leases().get(target.name, 0)
        pid = self.sigkill(target)
        self.kills.append(Kill(now, target.name, pid, held > 0, "anywhere", held))
        self.restart_at[target.name] = (now + plan.restart_after, plan.pause_at)
        return True

    # after it -----------------------------------------------------------------------------

    def calm(self, at: float) -> None:
        """No more kills: every worker running, none armed to stop at a pause point."""
        for worker in self.workers:
            if worker.alive() and self.armed.get(worker.name):
                # a life armed to stop at a pause point would stop there during the drain
                point = worker.paused() or "drain"
                held = self.leases().get(worker.name, 0)
                pid = self.sigkill(worker)
                self.kills.append(Kill(at, worker.name, pid, False, point, held))
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
        """What the worker logs' tracebacks were, grouped: the exception that ended each chain
        (a chained one is told by its cause) and the engine's innermost frame it passed, most
        common first, with how many and in which logs."""
        groups: Counter[str] = Counter()
        where: dict[str, set[str]] = {}
        for path in sorted(self.folder.glob("w*-*.log")):
            for failure in failures(path.read_text(errors="replace")):
                groups[failure] += 1
                where.setdefault(failure, set()).add(path.name)
        if not groups:
            return []
        found = [f"worker logs hold {sum(groups.values())} tracebacks:"]
        for failure, count in groups.most_common(6):
            logs = sorted(where[failure])
            shown = ", ".join(logs[:4]) + (f" and {len(logs) - 4} more" if len(logs) > 4 else "")
            found.append(f"{count} x {failure} ({shown})")
        return found


ENGINE_FILE = re.compile(r"/src/(ledgerlink/.+)$")
ENGINE_FRAME = re.compile(r'File ".*?/src/(ledgerlink/[^"]+)", line (\d+), in (\w+)')
CHAINED = ("The above exception was the direct cause", "During handling of the above exception")


def failures(log: str) -> list[str]:
    """Each traceback chain of a log as "exception (at the engine's innermost frame)": from the
    JSON lines' ``exception`` (the outermost first, as ``ledgerlink.logs`` writes it), and from
    plain tracebacks (a process that failed before its logging was set up)."""
    found: list[str] = []
    plain: list[str] = []
    for line in log.splitlines():
        if not line.startswith("{"):
            plain.append(line)
            continue
        try:
            record = json.loads(line)
        except ValueError:
            plain.append(line)
            continue
        chain = record.get("exception") if isinstance(record, dict) else None
        if isinstance(chain, str):
            found += _plain_failures(chain.splitlines())
        elif isinstance(chain, list) and chain and isinstance(chain[0], dict):
            first = chain[0]
            value = str(first.get("exc_value") or "").split("\n")[0]
            frames = [
                f"{m.group(1)}:{f.get('lineno')} {f.get('name')}"
                for e in chain
                for f in e.get("frames") or []
                if (m := ENGINE_FILE.search(str(f.get("filename"))))
            ]
            where = frames[-1] if frames else "no engine frame"
            found.append(f"{first.get('exc_type')}: {value[:160]} (at {where})")
    return found + _plain_failures(plain)


def _plain_failures(lines: list[str]) -> list[str]:
    found: list[str] = []
    frame = ""
    i = 0
    while i < len(lines):
        if not lines[i].startswith("Traceback (most recent call last):"):
            i += 1
            continue
        i += 1
        while i < len(lines) and (lines[i].startswith(" ") or not lines[i].strip()):
            match = ENGINE_FRAME.search(lines[i])
            if match:
                frame = f"{match.group(1)}:{match.group(2)} {match.group(3)}"
            i += 1
        exception = lines[i][:200] if i < len(lines) else "(cut off)"
        following = next((ln for ln in lines[i + 1 : i + 12] if ln.startswith(CHAINED)), None)
        if following is None:  # the chain ends here
            found.append(f"{exception} (at {frame or 'no engine frame'})")
            frame = ""
    return found
