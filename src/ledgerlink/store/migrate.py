"""Bring a database to the newest schema with Alembic, from code (no alembic.ini on disk).

The migrations ship inside the package, so ``ledgerlink serve`` on a fresh install can create
its own tables; every process may call ``ensure_schema`` at start, it does nothing when current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ledgerlink.store.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(engine: Engine) -> None:
    """Upgrade to head over one connection of ``engine`` (DDL commits with the version row)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
