"""The migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store import migrate
from ledgerlink.store.db import transaction
from ledgerlink.store.migrate import MIGRATIONS
from ledgerlink.store.models import Base, Connection, Workspace, new_id


def test_upgrade_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_upgrade_twice_changes_nothing(engine: Engine, db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.ensure_schema(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migrations_ship_with_the_package() -> None:
    """pyproject's package-data globs must cover every file Alembic needs at run time."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["ledgerlink"]
    package = MIGRATIONS.parent.parent
    needed = [p for p in MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert needed
    for path in needed:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, g) for g in globs), relative


def test_timestamps_read_back_aware_utc_and_json_keeps_decimals(
    session_factory: sessionmaker[Session],
) -> None:
    sydney = datetime(2026, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=11)))
    with transaction(session_factory) as session:
        workspace = Workspace(id=new_id(), name="w", created_at=sydney)
        session.add(workspace)
        session.flush()
        session.add(
            Connection(
                id="c1",
                workspace_id=workspace.id,
                tenant_id="t",
                settings={"amount": Decimal("12345678901234.5678")},
            )
        )
    with transaction(session_factory) as session:
        found = session.scalars(select(Workspace)).one()
        connection = session.get(Connection, "c1")
        assert connection is not None
        assert found.created_at == sydney
        assert found.created_at.utcoffset() == timedelta(0)
        assert connection.settings["amount"] == Decimal("12345678901234.5678")
