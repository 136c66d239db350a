"""A sync job whose worker died does not stay "running" forever: a running job whose owner
holds no live lease on its connection is ended as abandoned, with a log line saying its worker
stopped, when jobs are listed or when a worker takes the connection over. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Lease, SyncJob, new_id
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import jobs
from tests.engine.sync.conftest import SyncHarness

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_connection(factory: sessionmaker[Session], name: str = "Acme") -> tuple[str, str]:
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, name)
        connection = Connection(id=new_id(), workspace_id=workspace.id, tenant_id=new_id())
        session.add(connection)
        return workspace.id, connection.id


def running_job(
    factory: sessionmaker[Session], workspace_id: str, connection_id: str, owner: str | None
) -> str:
    job_id = new_id()
    with transaction(factory) as session:
        session.add(
            SyncJob(
                id=job_id,
                workspace_id=workspace_id,
                connection_id=connection_id,
                state="running",
                owner=owner,
                counts={"synced": 3},
                log=[{"at": NOW.isoformat(), "message": "started"}],
                created_at=NOW - timedelta(minutes=10),
            )
        )
    return job_id


def lease(factory: sessionmaker[Session], connection_id: str, owner: str, until: datetime) -> None:
    with transaction(factory) as session:
        session.merge(Lease(connection_id=connection_id, owner=owner, expires_at=until))


def job(factory: sessionmaker[Session], job_id: str) -> SyncJob:
    with factory() as session:
        found = session.get(SyncJob, job_id)
        assert found is not None
        return found


def test_listing_ends_the_jobs_of_dead_workers_only(session_factory: sessionmaker[Session]) -> None:
    factory = session_factory
    ws, dead_conn = make_connection(factory)
    _, live_conn = make_connection(factory, "Other")
    _, expired_conn = make_connection(factory, "Third")
    dead = running_job(factory, ws, dead_conn, "host:1:dead")  # no lease at all
    alive = running_job(factory, ws, live_conn, "host:2:alive")
    lease(factory, live_conn, "host:2:alive", NOW + timedelta(minutes=2))
    expired = running_job(factory, ws, expired_conn, "host:3:gone")
    lease(factory, expired_conn, "host:3:gone", NOW - timedelta(seconds=1))

    listed = {j.id: j for j in jobs.list_jobs(factory, ws, NOW)}
    assert listed[alive].state == "running" and listed[alive].finished_at is None
    for job_id in (dead, expired):
        ended = listed[job_id]
        assert ended.state == "abandoned" and ended.finished_at == NOW
        assert ended.counts == {"synced": 3}  # what it did is kept
        assert ended.log[0]["message"] == "started"
        assert "stopped" in ended.log[-1]["message"]
        assert job(factory, job_id).state == "abandoned"  # stored, not only shown

    # Listing again changes nothing more: no second log line.
    again = {j.id: j for j in jobs.list_jobs(factory, ws, NOW + timedelta(hours=1))}
    assert len(again[dead].log) == 2 and again[dead].finished_at == NOW
    assert again[alive].state == "abandoned"  # its lease ran out meanwhile


def test_another_owners_lease_does_not_keep_a_job_alive(
    session_factory: sessionmaker[Session],
) -> None:
    ws, conn = make_connection(session_factory)
    old = running_job(session_factory, ws, conn, "host:1:dead")
    lease(session_factory, conn, "host:9:new", NOW + timedelta(minutes=3))
    assert [j.state for j in jobs.list_jobs(session_factory, ws, NOW)] == ["abandoned"]
    assert job(session_factory, old).state == "abandoned"


def test_a_job_from_before_owners_were_recorded(session_factory: sessionmaker[Session]) -> None:
    """No owner: alive while any worker holds the connection, ended once none does."""
    ws, conn = make_connection(session_factory)
    legacy = running_job(session_factory, ws, conn, None)
    lease(session_factory, conn, "host:2:someone", NOW + timedelta(minutes=1))
    assert [j.state for j in jobs.list_jobs(session_factory, ws, NOW)] == ["running"]
    assert job(session_factory, legacy).state == "running"
    later = NOW + timedelta(minutes=5)
    assert [j.state for j in jobs.list_jobs(session_factory, ws, later)] == ["abandoned"]


def test_a_job_is_listed_only_in_its_workspace(session_factory: sessionmaker[Session]) -> None:
    ws, conn = make_connection(session_factory)
    other_ws, _ = make_connection(session_factory, "Other")
    mine = running_job(session_factory, ws, conn, "host:1:dead")
    assert jobs.list_jobs(session_factory, other_ws, NOW) == []
    assert job(session_factory, mine).state == "running"  # not its workspace's to reap


def test_a_worker_taking_the_connection_over_ends_the_dead_workers_job(
    harness: SyncHarness,
) -> None:
    factory = harness.factory
    dead = running_job(factory, harness.workspace_id, harness.connection_id, "host:1:killed")
    lease(factory, harness.connection_id, "host:1:killed", harness.clock() - timedelta(seconds=5))
    worker = harness.worker()
    result = worker.run_once(harness.connection_id)
    assert result.job_id is not None

    ended = job(factory, dead)
    assert ended.state == "abandoned"
    assert "stopped" in ended.log[-1]["message"]
    assert "host:1:killed" in ended.log[-1]["message"]
    new = job(factory, result.job_id)
    assert new.state == "finished" and new.owner == worker.config.owner
    with factory() as session:
        running = session.scalars(select(SyncJob).where(SyncJob.state == "running")).all()
    assert running == []
