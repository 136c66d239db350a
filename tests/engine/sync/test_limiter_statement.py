"""The limiter decides in one statement: taking a call is one, giving it back with Xero's headers
is one, and many threads deciding at once neither lose a count nor exceed a limit.

Runs on SQLite and PostgreSQL (``session_factory`` is both). Statements are counted with a
SQLAlchemy event; transaction control (SQLite's ``BEGIN IMMEDIATE``) is not a statement.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.db import transaction
from ledgerlink.store.models import RateBucket
from ledgerlink.sync.limiter import Limiter, Slot, XeroLimits
from tests.engine.xero.test_limits import FakeTime

TENANT = "tenant-a"


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_taking_a_call_and_giving_it_back_are_one_statement_each(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    time = FakeTime()
    limits = XeroLimits(per_minute=10, minute_margin=2, concurrent=1)
    lim = Limiter(session_factory, "client-1", limits, clock=time.clock, sleep=time.sleep)
    lim.acquire(TENANT).release()  # the rows exist from the first call on
    time.now += 60

    with counting(engine) as seen:
        slot = lim.try_acquire(TENANT)
    assert isinstance(slot, Slot)
    assert len(seen) == 1 and "RETURNING" in seen[0].upper()

    with counting(engine) as seen:
        refused = lim.try_acquire(TENANT)  # one call at once, and the minute spaces calls
    assert isinstance(refused, float) and refused > 0
    assert len(seen) == 2  # the refused statement, and one read to say how long to wait

    with counting(engine) as seen:
        slot.release({"X-DayLimit-Remaining": "4990", "X-MinLimit-Remaining": "58"})
    assert len(seen) == 1

    with transaction(session_factory) as session:
        row = session.get(RateBucket, lim.tenant_key(TENANT))
        assert row is not None
        # Xero counts 10 calls today where we made 2: our count is pulled up to Xero's.
        assert (row.count, row.in_flight, row.remaining_hint) == (10, 0, 4990)


def test_many_threads_deciding_at_once_lose_no_count_and_exceed_no_limit(
    session_factory: sessionmaker[Session],
) -> None:
    limits = XeroLimits(
        per_minute=1_000_000, app_per_minute=1_000_000, concurrent=3, slot_poll_seconds=0.005
    )
    lim = Limiter(session_factory, "client-1", limits)
    lock = threading.Lock()
    holding = [0, 0]  # now, most ever
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(15):
                with lim.acquire(TENANT):
                    with lock:
                        holding[0] += 1
                        holding[1] = max(holding[1], holding[0])
                    with lock:
                        holding[0] -= 1
        except BaseException as exc:  # reported below, never lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert 1 <= holding[1] <= 3
    with transaction(session_factory) as session:
        row = session.get(RateBucket, lim.tenant_key(TENANT))
        assert row is not None and (row.count, row.in_flight) == (8 * 15, 0)
