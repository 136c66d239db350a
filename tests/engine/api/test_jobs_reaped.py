"""GET /jobs never shows a dead worker's run as running for ever: it answers it abandoned, with
the log line saying its worker stopped; a live worker's run stays running. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledgerlink.store.models import Lease
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.sync.test_job_reaping import running_job


def add_running_job(api: Api, workspace_key: str, connection_id: str, owner: str) -> str:
    workspace_id = api.call("GET", "/workspace", workspace_key).json()["id"]
    return running_job(api.services.factory, workspace_id, connection_id, owner)


@BOTH_DATABASES
def test_get_jobs_ends_a_dead_workers_run(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    dead = add_running_job(api, key, cid, "host:1:killed")

    listed = api.call("GET", "/jobs", key)
    assert listed.status_code == 200, listed.text
    (shown,) = listed.json()
    assert shown["id"] == dead and shown["state"] == "abandoned"
    assert shown["finished_at"] is not None and shown["counts"] == {"synced": 3}
    assert "stopped" in shown["log"][-1]["message"]


@BOTH_DATABASES
def test_get_jobs_leaves_a_live_workers_run_running(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    alive = add_running_job(api, key, cid, "host:2:busy")
    with api.services.factory.begin() as session:
        until = datetime.now(UTC) + timedelta(minutes=3)
        session.add(Lease(connection_id=cid, owner="host:2:busy", expires_at=until))
    (shown,) = api.call("GET", "/jobs", key).json()
    assert (shown["id"], shown["state"], shown["finished_at"]) == (alive, "running", None)
