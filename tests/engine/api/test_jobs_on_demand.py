"""Jobs a person starts over REST: "Sync now" answers at once and runs in the background,
watched at GET /jobs/{id}; it sends a scheduled connection's waiting documents; a backfill
queues every stored document of a kind once, and what Xero holds unchanged is not written."""

from __future__ import annotations

import time
from typing import Any

import httpx2

from tests.engine.api.conftest import BOTH_DATABASES, Api

DEADLINE = 120.0  # bounds a hang, not a speed


def invoice(n: int, day: str = "2026-03-02") -> dict[str, Any]:
    return {
        "source_id": f"inv-{n}",
        "contact": {"key": f"c-{n % 3}", "name": f"Client {n % 3}"},
        "issue_date": day,
        "due_date": "2026-06-30",
        "status": "sent",
        "lines": [{"description": "Work", "unit_amount": f"{100 + n}.00", "account_code": "200"}],
    }


def finished(api: Api, key: str, job_id: str) -> dict[str, Any]:
    """The job once it has ended (polled; the deadline only bounds a hang)."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        job: dict[str, Any] = api.call("GET", f"/jobs/{job_id}", key).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end")


def writes(api: Api) -> int:
    logged = httpx2.get(f"{api.sandbox.url}/_sandbox/requests", timeout=30).json()["requests"]
    return sum(1 for r in logged if r["method"] in ("PUT", "POST"))


def slow_puts(api: Api, seconds: float) -> None:
    rule = {"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": seconds}
    assert httpx2.post(f"{api.sandbox.url}/_sandbox/faults", json=[rule]).status_code < 300


@BOTH_DATABASES
def test_sync_now_answers_at_once_and_the_job_is_followed_to_its_end(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    for n in range(4):
        assert api.call("PUT", f"/documents/invoice/inv-{n}", key, json=invoice(n)).status_code
    slow_puts(api, 2.0)  # Xero takes its time: the answer cannot be waiting for the run

    started = api.call("POST", "/jobs", key, json={"connection_id": cid})
    assert started.status_code == 202, started.text
    job = started.json()["job"]
    assert started.json()["ran"] is None and job["state"] in ("queued", "running")
    doc = api.call("GET", "/documents/invoice/inv-0", key).json()
    assert doc["sync"]["state"] in ("queued", "in_flight")  # not sent yet when answered

    ended = finished(api, key, job["id"])
    assert ended["state"] == "finished" and ended["counts"]["synced"] == 4
    assert ended["kind"] == "sync_now"
    assert api.call("GET", "/documents/invoice/inv-0", key).json()["sync"]["state"] == "done"
    other = api.workspace("Other")
    assert api.call("GET", f"/jobs/{job['id']}", other).status_code == 404


@BOTH_DATABASES
def test_sync_now_sends_a_scheduled_connections_waiting_documents(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    set_ = {"mode": "scheduled", "schedule": "0 2 * * *"}
    assert api.call("PATCH", f"/connections/{cid}/settings", key, json=set_).status_code == 200
    api.call("PUT", "/documents/invoice/inv-1", key, json=invoice(1))
    queued = api.call("GET", "/queue", key).json()["items"][0]
    assert "Waits until 02:00:00 UTC" in queued["waiting_for"]

    ran = api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    assert ran.status_code == 200 and ran.json()["ran"] is True
    assert ran.json()["job"]["counts"]["synced"] == 1


@BOTH_DATABASES
def test_a_backfill_queues_every_document_of_a_kind_once_and_writes_only_what_changed(
    api: Api,
) -> None:
    key = api.workspace()
    cid = api.custom(key)
    for n in range(6):
        day = "2026-03-02" if n < 3 else "2026-05-02"
        stored = api.call("PUT", f"/documents/invoice/inv-{n}", key, json=invoice(n, day))
        assert stored.status_code == 200, stored.text
    api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    before = writes(api)

    path = f"/connections/{cid}/backfill"
    since = api.call("POST", path, key, json={"kind": "invoice", "since": "2026-04-01"})
    assert since.status_code == 200 and since.json() == {"queued": 3}
    everything = api.call("POST", path, key, json={"kind": "invoice"})
    assert everything.json() == {"queued": 3}  # the other three wait already: not twice
    ran = api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid}).json()
    assert ran["job"]["counts"]["unchanged"] == 6 and ran["job"]["counts"]["synced"] == 0
    assert writes(api) == before  # Xero holds them as sent: nothing written

    changed = dict(invoice(1), reference="changed at the source")
    api.call("PUT", "/documents/invoice/inv-1", key, json=changed)
    api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    assert writes(api) == before + 1

    refused = api.call("POST", path, key, json={"kind": "nonsense"})
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "kind"
    bad_day = api.call("POST", path, key, json={"kind": "invoice", "since": "March"})
    assert bad_day.status_code == 422 and bad_day.json()["error"]["field"] == "since"
