"""On PostgreSQL, a notification pass or a feed read with nothing to read does not take the
events' horizon lock, so it never waits for (or holds up) the transactions writing events."""

from __future__ import annotations

from sqlalchemy import text

from ledgerlink.config import Settings
from ledgerlink.sync import events
from ledgerlink.sync.engine import Engine
from tests.engine.conftest import TEST_KEY, postgres_database


def test_nothing_to_send_or_read_takes_no_lock_behind_a_writer() -> None:
    with postgres_database() as (url, factory):
        engine = Engine.open(Settings(database_url=url, secret_keys=(TEST_KEY,)), admin_token="")
        workspace, _ = engine.create_workspace("Quiet")
        writer = factory()
        try:  # a transaction writing events, still open (a settle in progress)
            writer.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": events.LOCK_KEY})
            passed = engine.deliver_events()  # no endpoint: nothing waited for
            assert (passed.endpoints, passed.delivered) == (0, 0)
            assert engine.events(workspace) == []  # nothing after the cursor: no lock either
        finally:
            writer.rollback()
            writer.close()
            engine.close()
