"""Alembic environment: ledgerlink's tables, batch mode on SQLite (it cannot ALTER much).

``ledgerlink.store.migrate`` runs this with an open connection in ``config.attributes``; the
``alembic`` command line also works when ``sqlalchemy.url`` is set.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ledgerlink.store.db import make_engine
from ledgerlink.store.models import Base

target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as fresh:
            run(fresh)
            fresh.commit()
    finally:
        engine.dispose()


main()
