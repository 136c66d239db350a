"""Requests to one organisation in flight together, for the length of a run (``Run.flight``).

A run keeps up to ``calls_at_once`` requests in flight (Xero takes 5 at once per
organisation). Each request has its own intent and documents of its own, so it goes on beside
the others while the run's thread converts the next batch, and the last requests of a claim
stay in flight while the thread prepares the next claim: the organisation's next call is ready
when its limiter allows it, instead of after a pause at every claim of 500.

What the next claim decides must not depend on what those requests will change, so the run
waits for them first (``join``) unless every document it claimed is ``independent``: none is in
flight, none carries an open send, none needs another document in Xero first, and all go in one
stage. Once a request says stop (Xero unreachable, a 429, the lease lost), no further request
starts; those in flight finish and are recorded. A request that raised raises at the next
``join``, after the others have finished, as it would have alone.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ledgerlink import kinds
from ledgerlink.sync.checks import view_of
from ledgerlink.sync.context import Work


class Flight:
    """A run's requests in flight: at most ``calls`` at once, each with its documents."""

    def __init__(self, calls: int) -> None:
        self.calls = max(1, calls)
        self.stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[Future[None], frozenset[str]] = {}
        self._finished: list[Future[None]] = []

    @property
    def documents(self) -> frozenset[str]:
        """The documents of the requests not yet finished (their replies not yet applied)."""
        self._collect()
        return frozenset().union(*self._pending.values()) if self._pending else frozenset()

    def send(self, documents: Iterable[str], request: Callable[[], bool]) -> None:
        """Start ``request`` (True: it says stop) once fewer than ``calls`` are in flight; not
        at all once one has said stop."""
        while len(self._pending) >= self.calls:
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            self._settle(done)
        if self.stop.is_set():
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.calls, thread_name_prefix="ledgerlink-send")

        def run() -> None:
            if not self.stop.is_set() and request():
                self.stop.set()

        # The log context (connection, job) goes with each request's thread.
        future = self._pool.submit(contextvars.copy_context().run, run)
        self._pending[future] = frozenset(documents)

    def join(self) -> bool:
        """Wait for every request in flight; True when one said stop. A request that raised
        raises here (the first of them), once all have finished."""
        if self._pending:
            done, _ = wait(list(self._pending))
            self._settle(done)
        finished, self._finished = self._finished, []
        for future in finished:
            future.result()
        return self.stop.is_set()

    def close(self) -> None:
        """Join, then end the request threads."""
        try:
            self.join()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def _collect(self) -> None:
        self._settle([f for f in self._pending if f.done()])

    def _settle(self, done: Iterable[Future[None]]) -> None:
        for future in done:
            if self._pending.pop(future, None) is not None:
                self._finished.append(future)


def independent(flight: Flight | None, works: Iterable[Work]) -> bool:
    """Whether a claim's works may be decided while ``flight``'s requests are still going on:
    nothing they will change is read (see the module's docstring)."""
    busy = flight.documents if flight is not None else frozenset()
    if not busy:
        return True
    stages: set[int] = set()
    for work in works:
        if work.document_id in busy or work.intent_id:
            return False
        kind = kinds.get(work.kind)
        stages.add(kind.stage)
        if work.document is not None and kind.requires(work.document, view_of(work.link)):
            return False
    return len(stages) <= 1
