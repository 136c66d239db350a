"""``ledgerlink worker`` as its own operating-system process, to be killed and started again.

The process is the real command (``python -m ledgerlink.cli worker --once``) against the test's
database and sandbox. ``pause_at`` names a point from ``ledgerlink.sync.pause`` where it stops
and waits to be killed; ``wait_paused`` returns once it is there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ledgerlink.config import Settings

# Generous: these bound how long a broken run may hang, not how fast a good one must be.
START_DEADLINE = 120.0


@dataclass
class WorkerProcess:
    settings: Settings
    folder: Path
    public_url: str
    lease_seconds: float = 2.0
    extra_env: dict[str, str] = field(default_factory=dict)
    once: bool = True
    name: str = "worker"
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    pause_file: Path | None = None
    lives: int = 0

    def env(self, pause_at: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGERLINK_", "COVERAGE"))}
        env.update(self.settings.as_env(), PYTHONUNBUFFERED="1")
        env.update(self.extra_env)
        if pause_at:
            assert self.pause_file is not None
            env["LEDGERLINK_PAUSE_AT"] = pause_at
            env["LEDGERLINK_PAUSE_FILE"] = str(self.pause_file)
        return env

    def start(self, pause_at: str | None = None) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.lives += 1
        self.log_path = self.folder / f"{self.name}-{self.lives}.log"
        self.pause_file = self.folder / f"{self.name}-{self.lives}.paused"
        command = [
            sys.executable,
            "-m",
            "ledgerlink.cli",
            "worker",
            "--once" if self.once else "--no-once",
            "--public-url",
            self.public_url,
            "--lease-seconds",
            str(self.lease_seconds),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=self.env(pause_at), stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def paused(self) -> str | None:
        """The pause point this life stopped at, or None while it has not (or was not armed)."""
        if self.pause_file is None or not self.pause_file.exists():
            return None
        return self.pause_file.read_text().strip() or None

    def wait_paused(self) -> str:
        """Block until the process stops at its pause point; the point's name."""
        assert self.process is not None and self.pause_file is not None
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if point := self.paused():
                return point
            if self.process.poll() is not None:
                raise AssertionError(f"the worker ended before its pause point:\n{self.log()}")
            time.sleep(0.02)
        raise AssertionError(f"the worker never reached its pause point:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or released."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def die_at(self, *points: str) -> list[str]:
        """A life for each pause point, killed there; then a last life run to its end (its
        exit code asserted). The points each life stopped at."""
        deaths: list[str] = []
        try:
            for point in points:
                self.start(pause_at=point)
                deaths.append(self.wait_paused())
                self.kill()
            self.start()
            assert self.wait() == 0, self.log()
        finally:
            self.stop()
        return deaths

    def wait(self) -> int:
        """Wait for the process to end (a ``--once`` run, or after ``terminate``)."""
        assert self.process is not None
        try:
            return self.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the worker did not finish:\n{self.log()}") from None

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops a worker; its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def stop(self) -> None:
        """SIGKILL when it still runs (a life that ended by itself is left as it is)."""
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=30)
