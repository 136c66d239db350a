"""Writers queue instead of failing, and a locked read-then-write happens once at a time."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.db import is_postgres, lock_row, transaction
from ledgerlink.store.models import RateBucket

WORKERS = 4
ROUNDS = 10


def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    if is_postgres(engine):
        pytest.skip("SQLite settings")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_concurrent_read_then_write_under_lock_loses_no_update(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        session.add(RateBucket(key="counter", count=0))
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            for _ in range(ROUNDS):
                with transaction(session_factory) as session:
                    row = lock_row(session, RateBucket, "counter")
                    assert row is not None
                    seen = row.count
                    session.execute(text("SELECT 1"))  # give the other threads a chance
                    row.count = seen + 1
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with transaction(session_factory) as session:
        row = session.get(RateBucket, "counter")
        assert row is not None and row.count == WORKERS * ROUNDS


def test_a_failed_transaction_leaves_nothing(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        session.add(RateBucket(key="half-done"))
        session.flush()
        raise RuntimeError("crash before commit")
    with transaction(session_factory) as session:
        assert session.get(RateBucket, "half-done") is None
