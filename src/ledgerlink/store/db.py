"""Engines and transactions that behave the same on SQLite (embedded) and PostgreSQL (scale-out).

SQLite: WAL so readers never block the writer, and every transaction starts with
``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead of one failing at once
when it upgrades a read lock (pysqlite's deferred BEGIN does exactly that). PostgreSQL: row locks
(``SELECT ... FOR UPDATE``) serialise what must happen once, such as a token refresh.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")

_JSON_ENCODER = msgspec.json.Encoder(decimal_format="number")
_JSON_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def json_dumps(value: Any) -> str:
    """JSON columns keep Decimal as an exact JSON number (the stdlib encoder refuses Decimal)."""
    return _JSON_ENCODER.encode(value).decode()


def json_loads(value: str | bytes) -> Any:
    """Numbers with a fraction come back as Decimal, so money read from JSON stays exact."""
    return _JSON_DECODER.decode(value)


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _create_private(database: str | None) -> None:
    """Create a new SQLite database file readable by its owner only (0600).

    SQLite itself makes it 0644 under the usual umask, so every local user could read the
    documents and contacts in it; its -wal and -shm files take the database file's mode.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # Already there, or no such folder (SQLite then says so itself): nothing to do.
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_hooks(engine: Engine, database: str | None) -> None:
    @event.listens_for(engine, "do_connect")
    def _before_connect(*_args: Any) -> None:
        _create_private(database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver: SQLAlchemy's "begin" hook below issues the BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; ``postgresql://`` URLs are sent to psycopg 3."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {"json_serializer": json_dumps, "json_deserializer": json_loads}
    if backend == "sqlite":
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        options["connect_args"] = connect_args
        options.update(kwargs)
        engine = create_engine(parsed, **options)
        _sqlite_hooks(engine, parsed.database)
        return engine
    if backend == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    options["pool_pre_ping"] = True
    options.update(kwargs)
    return create_engine(parsed, **options)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Objects stay readable after commit: callers hand them on after their transaction ends."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def lock_row(session: Session, model: type[T], pk: Any) -> T | None:
    """The row, freshly read and locked until the transaction ends.

    PostgreSQL takes a row lock; SQLite needs none, because its ``BEGIN IMMEDIATE`` already
    holds the database's one write lock for the whole transaction.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return session.get(model, pk, with_for_update=True, populate_existing=True)
    return session.get(model, pk, populate_existing=True)


def core(session: Session) -> Connection:
    """The session's connection, for Core statements on the hot paths (no ORM bookkeeping per
    row or statement); what the session holds unflushed is flushed first, as an ORM statement
    would have done."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()
