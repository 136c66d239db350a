"""`ledgerlink plan` and `ledgerlink jobs` as a user runs them against a running engine: the plan
writes nothing to Xero, Sync now sends, a job is shown with its counts, a backfill queues."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2

from tests.cli.test_cli_engine import Running, engine, run

__all__ = ["engine"]  # the fixture, shared with test_cli_engine


def _put(running: Running, source_id: str, account: str = "200") -> None:
    doc = {
        "source_id": source_id,
        "contact": {"key": "c-1", "name": "Bayside Club"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Work", "unit_amount": "100.00", "account_code": account}],
    }
    reply = httpx2.put(
        f"{running.url}/api/v1/documents/invoice/{source_id}",
        json=doc,
        headers={"Authorization": f"Bearer {running.key}"},
    )
    assert reply.status_code == 200, reply.text


def _connection(running: Running) -> str:
    found = httpx2.get(
        f"{running.url}/api/v1/connections", headers={"Authorization": f"Bearer {running.key}"}
    ).json()
    return str(found[0]["id"])


def test_plan_then_sync_now_then_show_and_backfill(engine: Running, tmp_path: Path) -> None:
    _put(engine, "inv-1")
    _put(engine, "inv-2", account="9999")  # no such account: held
    cid = _connection(engine)
    common = ["--api", engine.url, "--key", engine.key]

    planned = run("plan", cid, *common)
    assert planned.returncode == 1, planned.stdout + planned.stderr  # something would be held
    assert "1 create" in planned.stdout and "1 held" in planned.stdout
    assert "XERO_ACCOUNT_CODE_INVALID" in planned.stdout
    assert "Nothing was written to Xero" in planned.stdout
    as_json = run("plan", cid, "--json", *common)
    report = json.loads(as_json.stdout)
    assert report["counts"] == {"create": 1, "held": 1}

    started = run("jobs", "start", "--connection", cid, "--wait", *common)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "finished" in started.stdout and "synced 1" in started.stdout
    job_id = started.stdout.split()[1]
    shown = run("jobs", "show", job_id, *common)
    assert shown.returncode == 0 and job_id in shown.stdout and "synced 1" in shown.stdout

    filled = run("jobs", "backfill", "--connection", cid, "--kind", "invoice", *common)
    assert filled.returncode == 0 and "2 invoice documents queued" in filled.stdout  # held: retried
    queue = httpx2.get(
        f"{engine.url}/api/v1/queue", headers={"Authorization": f"Bearer {engine.key}"}
    ).json()
    assert queue["counts"] == {"done": 1, "queued": 2}  # the held one retried, not doubled
    refused = run("jobs", "show", "no-such-job", *common)
    assert refused.returncode == 2 and "No job no-such-job" in refused.stdout
