"""``ledgerlink status`` as an operator runs it: text from outside (documents, Xero, people) is
shown, never obeyed by the terminal; and where there is no database it says so, creating none."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine, make_session_factory, transaction
from ledgerlink.store.models import Connection, Document, Lease, QueueItem, SyncJob, Workspace
from tests.engine.conftest import PG_URL, postgres_problem

LEDGERLINK = [sys.executable, "-m", "ledgerlink.cli"]
CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home
HOSTILE = f"{CLEAR}[bold red]PAID[/] \x07\r\x9b31m[/]"


def status(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}
    env["COLUMNS"] = "250"
    return subprocess.run(
        [*LEDGERLINK, "status", *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


def hostile_database(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.add(Workspace(id="w1", name=f"Acme {HOSTILE}"))
            session.flush()
            session.add(
                Connection(
                    id="c1",
                    workspace_id="w1",
                    tenant_id="t1",
                    tenant_name=f"Org {HOSTILE}",
                    short_code="!x\x1b[8m",
                )
            )
            session.flush()
            session.add(
                Document(
                    id="d1",
                    workspace_id="w1",
                    connection_id="c1",
                    kind="invoice",
                    source_id=f"INV{CLEAR}1",
                )
            )
            session.flush()
            session.add(
                QueueItem(
                    id="q1",
                    workspace_id="w1",
                    connection_id="c1",
                    document_id="d1",
                    version=1,
                    state="needs_attention",
                    attempts=1,
                    not_before=now,
                    error_code="XERO_VALIDATION",
                    error_message=f"Xero said: {HOSTILE}",
                    error_field=f"lines[0]{CLEAR}",
                )
            )
    finally:
        engine.dispose()


def test_status_shows_outside_text_without_obeying_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ll.db"
    hostile_database(url)
    result = status("--database-url", url, cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for char in ("\x1b", "\x07", "\r", "\x9b"):
        assert char not in out, repr(char)
    assert "\\x1b[2J" in out  # shown as text a person can read
    assert "[bold red]PAID[/]" in out  # markup from outside is text, not styling
    assert "Acme" in out and "Org" in out and "Xero said:" in out
    assert "INV\\x1b[2J\\x1b[H1" in out


def test_status_without_a_database_says_so_and_creates_none(tmp_path: Path) -> None:
    result = status(cwd=tmp_path)  # the default URL: sqlite:///ledgerlink.db here
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "Traceback" not in said and "sqlalchemy" not in said.lower()
    assert "No ledgerlink database" in said
    assert str(tmp_path / "ledgerlink.db") in said.replace("\n", "")
    assert "ledgerlink serve" in said
    assert list(tmp_path.iterdir()) == []

    elsewhere = tmp_path / "nowhere" / "x.db"
    result = status("--database-url", f"sqlite:///{elsewhere}", cwd=tmp_path)
    assert result.returncode != 0 and "No ledgerlink database" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_status_on_an_empty_sqlite_file_asks_for_serve(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    result = status("--database-url", "sqlite:///empty.db", cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "no ledgerlink tables" in said and "ledgerlink serve" in said
    assert "Traceback" not in said and "no such table" not in said


def test_status_on_a_missing_or_empty_postgresql_database(tmp_path: Path) -> None:
    if postgres_problem() is not None:
        pytest.skip(f"PostgreSQL is unreachable: {postgres_problem()}")
    missing = PG_URL.rsplit("/", 1)[0] + "/ledgerlink_missing_" + uuid.uuid4().hex[:8]
    result = status("--database-url", missing, cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "No ledgerlink database" in said and "createdb" in said
    assert "Traceback" not in said

    schema = "t_" + uuid.uuid4().hex[:16]
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        empty = f"{PG_URL}?options=-csearch_path%3D{schema}"
        result = status("--database-url", empty, cwd=tmp_path)
        said = result.stdout + result.stderr
        assert result.returncode != 0, said
        assert "no ledgerlink tables" in said and "ledgerlink serve" in said
        assert "UndefinedTable" not in said
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_status_lists_sync_jobs_and_ends_a_dead_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ll.db"
    hostile_database(url)
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.add(
                SyncJob(
                    id="j1",
                    workspace_id="w1",
                    connection_id="c1",
                    state="running",
                    owner="host:1:killed",
                    counts={"synced": 4, "held": 1},
                    log=[{"at": "2026-03-02T09:00:00+00:00", "message": f"note {CLEAR}"}],
                    created_at=datetime.now(UTC),
                )
            )
        result = status("--database-url", url, cwd=tmp_path)
        out = result.stdout
        assert result.returncode == 0, out + result.stderr
        assert "Sync jobs" in out and "abandoned" in out and "stopped" in out
        assert "running" not in out.split("Sync jobs", 1)[1]
        assert "\x1b" not in out
        with make_session_factory(engine)() as session:
            job = session.get(SyncJob, "j1")
            assert job is not None and job.state == "abandoned"
    finally:
        engine.dispose()


def test_status_says_which_worker_drives_a_connection_and_when_one_stopped(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/ll.db"
    hostile_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            item = session.get(QueueItem, "q1")
            assert item is not None
            item.state = "in_flight"
            until = datetime.now(UTC) + timedelta(minutes=5)
            session.add(Lease(connection_id="c1", owner="host:77:alive", expires_at=until))
        out = status("--database-url", url, cwd=tmp_path).stdout
        assert "host:77:alive, lease to" in out

        with transaction(factory) as session:
            lease = session.get(Lease, "c1")
            assert lease is not None
            lease.expires_at = datetime.now(UTC) - timedelta(seconds=5)
        out = status("--database-url", url, cwd=tmp_path).stdout
        assert "its worker stopped" in out and "1 in flight wait for the next worker" in out
    finally:
        engine.dispose()


def test_status_counts_the_queue_by_kind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ll.db"
    hostile_database(url)
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.add(
                Document(
                    id="d2", workspace_id="w1", connection_id="c1", kind="payment", source_id="p"
                )
            )
            session.flush()
            session.add(
                QueueItem(
                    id="q2",
                    workspace_id="w1",
                    connection_id="c1",
                    document_id="d2",
                    version=1,
                    state="queued",
                    not_before=datetime.now(UTC),
                )
            )
    finally:
        engine.dispose()
    out = status("--database-url", url, cwd=tmp_path).stdout
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 6}
    assert set(rows) >= {"invoice", "payment", "all"}
    counts = {kind: [c.strip() for c in rows[kind].split("│")[2:8]] for kind in rows}
    assert counts["invoice"] == ["0", "0", "0", "1", "0", "0"]  # needs_attention
    assert counts["payment"] == ["1", "0", "0", "0", "0", "0"]  # queued
    assert counts["all"] == ["1", "0", "0", "1", "0", "0"]
