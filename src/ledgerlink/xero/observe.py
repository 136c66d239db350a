"""Who hears about the calls the client makes, without the xero layer knowing who listens.

The xero layer speaks HTTP and imports nothing above it; the process's metrics
(``ledgerlink.metrics``) register an observer here when imported, and the client tells every
observer what each call cost: the wait for the limiter, the status and the reply's bytes, a 429's
problem. An observer must be quick and must not raise: it runs on every call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class CallObserver(Protocol):
    def waited(self, seconds: float) -> None: ...

    def answered(self, method: str, status: int, size: int) -> None: ...

    def rate_limited(self, problem: str) -> None: ...


_observers: list[CallObserver] = []

# The body size of the reply being reported to a client's ``on_call`` hook, set around the hook:
# the call log keeps it without every hook's (method, path, status) signature growing.
REPLY_BYTES: ContextVar[int] = ContextVar("ledgerlink_reply_bytes", default=0)


def observe(observer: CallObserver) -> None:
    """Tell ``observer`` about every call from now on (once, however often it is registered)."""
    if observer not in _observers:
        _observers.append(observer)


@contextmanager
def waiting() -> Iterator[None]:
    """Time a wait for the limiter, told even when the wait ends refused."""
    started = time.perf_counter()
    try:
        yield
    finally:
        for observer in _observers:
            observer.waited(time.perf_counter() - started)


def answered(method: str, status: int, size: int) -> None:
    for observer in _observers:
        observer.answered(method, status, size)


def rate_limited(problem: str) -> None:
    for observer in _observers:
        observer.rate_limited(problem)
