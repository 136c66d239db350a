"""Many organisations at once from one worker process.

Xero bounds each organisation (60 calls a minute, 5 at once) and each app (10,000 a minute), so
one organisation's work is paced at about a call a second while hundreds of others could go on
beside it. A pool runs ``size`` threads; each leases a connection with due work, drives it
(``Worker.run_once``: the same run, lease, intents and exactly-once rules as a lone worker) and
then leases the next. A thread waiting on its organisation's limiter slot waits alone: the
others go on with theirs. Which connection a free thread takes is the queue's fair order
(``leases.due_connections``: the least recently driven first), and a run gives its connection
back after its slice (``WorkerConfig.run_slice_seconds``), so a long backlog never keeps a
thread from organisations waiting for a turn.

The app-wide limit is the shared limiter's, in the database, so several processes with a pool
each still stay within it together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import positive_from_env
from ledgerlink.sync import queue
from ledgerlink.sync.worker import MIN_IDLE_SECONDS, RunResult, Worker

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 64


def concurrency_from_env(default: int = DEFAULT_CONCURRENCY) -> int:
    """``LEDGERLINK_WORKER_CONCURRENCY``: connections one worker process drives at once."""
    value = positive_from_env("LEDGERLINK_WORKER_CONCURRENCY", int)
    return int(value) if value is not None else default


class WorkerPool:
    """``size`` threads, each driving one leased connection at a time.

    ``make_worker(n)`` builds the n-th thread's worker: its own lease owner (two threads of one
    process must never both hold one connection) on the process's shared database, limiter and
    HTTP client.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        make_worker: Callable[[int], Worker],
        size: int,
        *,
        idle_poll: float = 2.0,
    ) -> None:
        self.factory = factory
        self.make_worker = make_worker
        self.size = max(1, size)
        self.idle_poll = idle_poll
        self.results: list[RunResult] = []
        lock = threading.Lock()
        self._changed = threading.Condition(lock)  # idle threads that are not the scout
        self._look = threading.Condition(lock)  # the scout, between its looks
        self._busy = 0
        self._scout: int | None = None  # the idle thread looking for work
        # Looks asked for by a lease (``_found_work``) and not yet taken by an idle thread:
        # a count, so one asked for before any thread was waiting is not lost.
        self._looks = 0
        self._sleepers = 0  # idle threads other than the scout, waiting for a look
        self._done = False
        self._stopping = threading.Event()

    # control ---------------------------------------------------------------------------

    def wake(self) -> None:
        """New work (an upload, a refresh): idle threads look for it now."""
        with self._changed:
            self._changed.notify_all()
            self._look.notify_all()

    def halt(self) -> None:
        """Stop after the runs in progress (each ends its job and gives its lease back)."""
        self._stopping.set()
        self.wake()

    # running ---------------------------------------------------------------------------

    def run(self, *, until_idle: bool = False, max_seconds: float | None = None) -> list[RunResult]:
        """Drive connections until halted, or (``until_idle``) until nothing is queued or in
        flight anywhere, or ``max_seconds`` have passed; what every run did."""
        self._done = False
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        threads = [
            threading.Thread(
                target=self._thread, args=(n, until_idle, deadline), name=f"ledgerlink-worker-{n}"
            )
            for n in range(self.size)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.results

    def _over(self, deadline: float | None) -> bool:
        if self._stopping.is_set() or self._done:
            return True
        return deadline is not None and time.monotonic() >= deadline

    def _thread(self, n: int, until_idle: bool, deadline: float | None) -> None:
        worker = self.make_worker(n)
        if n:  # thread 0 looks first; the rest join as work is found (see ``_found_work``)
            self._idle(n, until_idle, deadline)
        while not self._over(deadline):
            with self._changed:
                self._busy += 1
            result = RunResult()
            try:
                result = worker.run_once(on_lease=lambda _connection_id: self._found_work(n))
            except Exception:
                log.exception("worker run failed; the pool carries on")
            finally:
                with self._changed:
                    self._busy -= 1
                    if result.connection_id is not None or self._busy == 0:
                        # A run ended, or the last busy thread is done: the scout looks again
                        # now (the queue may be idle, and the scout may have seen this thread
                        # busy on its last look; nothing else would wake it before its poll).
                        self._look.notify()
            if result.connection_id is not None:
                with self._changed:
                    if until_idle:  # a loop that runs for days keeps no history
                        self.results.append(result)
                continue
            self._idle(n, until_idle, deadline)

    def _found_work(self, n: int) -> None:
        """A thread leased a connection: one idle thread looks for the next (the scout's
        place is free if it was the scout), so work fans out a thread at a time until a look
        finds nothing; the pool never sits on due work with threads asleep."""
        with self._changed:
            if self._scout == n:
                self._scout = None
            self._looks = min(self._looks + 1, self.size)  # more looks than threads find nothing
            if self._sleepers:
                self._changed.notify()
            else:
                self._look.notify()  # no one else is idle: the scout takes the look

    def _idle(self, n: int, until_idle: bool, deadline: float | None) -> None:
        """Nothing to lease. One idle thread (the scout) looks for due work on the queue's
        schedule; the others sleep until the scout finds some, work arrives (``wake``) or the
        pool ends, so a pool of many threads costs one look at a time, not one per thread."""
        with self._changed:
            if self._scout is not None and self._scout != n:
                self._sleepers += 1
                try:
                    self._changed.wait_for(
                        lambda: self._looks > 0 or self._over(deadline),
                        self._remaining(self.idle_poll * 10, deadline),
                    )
                finally:
                    self._sleepers -= 1
                self._take_look()
                return
            self._scout = n
            if self._take_look():
                return  # a lease asked for a look: take it now, not after the queue's poll
        due = queue.next_due(self.factory)
        with self._changed:
            if until_idle and due is None and self._busy == 0:
                self._done = True
                self._changed.notify_all()
                self._look.notify_all()
                return
            wait = self.idle_poll
            if due is not None:
                wait = min(wait, max(MIN_IDLE_SECONDS, (due - datetime.now(UTC)).total_seconds()))
            if not self._over(deadline):
                self._look.wait(self._remaining(wait, deadline))
            self._take_look()

    def _take_look(self) -> bool:
        """Take one asked-for look, if any (the caller holds the lock)."""
        if self._looks <= 0:
            return False
        self._looks -= 1
        return True

    @staticmethod
    def _remaining(wait: float, deadline: float | None) -> float:
        """``wait``, cut to what is left before the deadline."""
        if deadline is None:
            return wait
        return min(wait, max(0.0, deadline - time.monotonic()))
