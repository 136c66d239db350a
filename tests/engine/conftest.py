"""Shared engine fixtures: a migrated database on SQLite and on PostgreSQL, and a sandbox.

``db_url`` runs each test that uses it twice: once on a fresh SQLite file, once in a fresh
PostgreSQL schema of its own (dropped afterwards), so tests never see each other's rows. The
schema is made by the real migrations (``migrate.upgrade``), not ``create_all``.
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine, make_session_factory
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WEB_CLIENT = "LEDGERLINK-DEMO-APP"
WEB_SECRET = "ledgerlink-demo-secret"
CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
TEST_KEY = base64.urlsafe_b64encode(b"ledgerlink-test-key-32-bytes-ok!").decode()


@functools.cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it answers."""
    engine = make_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return None


def postgres_schema_url() -> Generator[str, None, None]:
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    problem = postgres_problem()
    if problem is not None:
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable ({problem}); start it (.ci/run)")
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database() -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A PostgreSQL schema of its own made by the migrations, its URL and a session factory on
    it; the schema is dropped afterwards. Skips when PostgreSQL is down."""
    with closing(postgres_schema_url()) as schemas:
        url = next(schemas)
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            yield url, make_session_factory(engine)
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables yet) of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledgerlink.db"
        return
    yield from postgres_schema_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url`` after the migrations ran."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings for the test database with a fixed key (no key file is written)."""
    return Settings(database_url=db_url, secret_keys=(TEST_KEY,))


@pytest.fixture
def sandbox_server() -> Iterator[SandboxServer]:
    """A sandbox with the default configuration on a loopback port."""
    with SandboxServer(SandboxConfig()) as server:
        yield server


@pytest.fixture
def xero_settings(settings: Settings, sandbox_server: SandboxServer) -> Settings:
    """``settings`` pointed at the sandbox, connecting with its demo web app."""
    from dataclasses import replace

    return replace(
        settings.for_sandbox(sandbox_server.url),
        xero_client_id=WEB_CLIENT,
        xero_client_secret=WEB_SECRET,
    )
