"""The sync jobs pages: create one (sync now, pull now, backfill), watch it to its end on its
page (the live part is final once it has ended), read its counts and log; the scheduled
connections with their next run; a viewer reads, never creates; another workspace's jobs and
connections are not found."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ledgerlink.store import schedules
from ledgerlink.store.models import SyncJob
from ledgerlink.store.twoway import PollMark
from ledgerlink.sync import jobs, on_demand
from ledgerlink.web.render import templates
from tests.engine.api.conftest import Api
from tests.engine.web.conftest import Browser
from tests.engine.web.test_queue_pages import invoice, text

Make = Any  # the ``people`` fixture
DEADLINE = 120.0  # bounds a hang, not a speed


def owner_with_invoices(api: Api, people: Make, count: int = 2) -> tuple[Browser, str]:
    owner = people("owner")
    owner.sign_in()
    cid = api.custom(owner.api_key)
    for n in range(count):
        body = invoice(f"inv-{n}", "200")
        assert api.call("PUT", f"/documents/invoice/inv-{n}", owner.api_key, json=body).is_success
    return owner, cid


def create(owner: Browser, data: dict[str, str]) -> str:
    """A job made with the form; its id (its run waited for)."""
    made = owner.post("/jobs", data, from_page="/jobs")
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/jobs/([^/?]+)\?said=job_started", made.headers["location"])
    assert found, made.headers["location"]
    assert on_demand.wait(found.group(1), DEADLINE)
    return found.group(1)


def watched(owner: Browser, job_id: str) -> str:
    """The job's live part once it says it is final (as live.js reads it)."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        live = owner.get(f"/jobs/{job_id}/live", headers={"X-Partial": "1"})
        assert live.status_code == 200 and "<html" not in live.text
        if "data-final" in live.text:
            return live.text
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never ended")


def test_sync_now_is_created_and_watched_to_its_end(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people)
    job_id = create(owner, {"connection_id": cid, "job": "sync_now"})
    page = owner.get(f"/jobs/{job_id}?said=job_started")
    assert page.status_code == 200
    assert "The job has started." in page.text
    assert f'data-live="/jobs/{job_id}/live"' in page.text
    assert "Sync now on Ledgerlink Demo Company (AU)" in text(page.text)
    live = text(watched(owner, job_id))
    assert "finished" in live and "Synced 2" in live and "Held 0" in live
    listed = owner.get(f"/jobs?connection={cid}")
    assert f'<a href="/jobs/{job_id}">' in listed.text and "Sync now" in listed.text


def test_a_sync_now_with_nothing_waiting_says_so(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 1)
    create(owner, {"connection_id": cid, "job": "sync_now"})
    again = create(owner, {"connection_id": cid, "job": "sync_now"})
    live = text(watched(owner, again))
    assert "finished" in live and "Nothing was waiting" in live


def test_pull_now_reads_xero_at_once(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 1)
    create(owner, {"connection_id": cid, "job": "sync_now"})
    with api.services.factory() as session:  # the run left polls for later, none read yet
        marks = session.scalars(select(PollMark).where(PollMark.connection_id == cid)).all()
    assert marks and all(m.polled_at is None and m.next_at > datetime.now(UTC) for m in marks)
    job_id = create(owner, {"connection_id": cid, "job": "pull_now"})
    assert "finished" in text(watched(owner, job_id))
    with api.services.factory() as session:
        polled = session.scalars(select(PollMark.polled_at).where(PollMark.connection_id == cid))
        assert all(when is not None for when in polled)
        assert session.get(SyncJob, job_id).kind == "pull_now"
    assert "Pull now on Ledgerlink Demo Company (AU)" in text(owner.get(f"/jobs/{job_id}").text)


def test_backfill_queues_a_kind_again_and_names_each_wrong_field(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people)
    create(owner, {"connection_id": cid, "job": "sync_now"})
    job_id = create(owner, {"connection_id": cid, "job": "backfill", "kind": "invoice"})
    live = text(watched(owner, job_id))
    assert "Unchanged 2" in live and "Synced 0" in live  # Xero already holds them as they are

    later = {"connection_id": cid, "job": "backfill", "kind": "invoice", "since": "2030-01-01"}
    nothing = owner.post("/jobs", later, from_page="/jobs")
    assert nothing.headers["location"] == "/jobs?said=backfill_none"
    for data, field in (
        ({"connection_id": cid, "job": "backfill"}, "kind"),
        ({"connection_id": cid, "job": "backfill", "kind": "invoice", "since": "soon"}, "since"),
        ({"connection_id": cid, "job": "rewind"}, "job"),
        ({"connection_id": "", "job": "sync_now"}, "connection_id"),
    ):
        refused = owner.post("/jobs", data, from_page="/jobs")
        assert refused.status_code in (404, 422), (field, refused.text)
        assert f"field {field}" in text(refused.text)
        assert f'id="{field}-error"' in refused.text or field == "job"


def test_scheduled_connections_are_listed_with_their_next_run(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 0)
    assert "No connection sends on a schedule" in text(owner.get("/jobs").text)
    settings = {"mode": "scheduled", "schedule": "0 2 * * *"}
    assert api.call(
        "PATCH", f"/connections/{cid}/settings", owner.api_key, json=settings
    ).is_success
    page = text(owner.get("/jobs").text)
    when = templates.env.filters["when"](schedules.next_fire("0 2 * * *", datetime.now(UTC)))
    assert f"Ledgerlink Demo Company (AU): 0 2 * * * (UTC), next run {when}" in page


def test_a_viewer_reads_jobs_but_creates_none(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 0)
    viewer = people("viewer", workspace=owner.workspace_id, email="viewer@example.com")
    viewer.sign_in()
    page = viewer.get("/jobs")
    assert page.status_code == 200 and 'method="post" action="/jobs"' not in page.text
    refused = viewer.post("/jobs", {"connection_id": cid, "job": "sync_now"}, from_page="/jobs")
    assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text
    with api.services.factory() as session:
        assert session.scalars(select(SyncJob)).all() == []


def test_another_workspaces_jobs_are_not_found(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 0)
    job_id = jobs.queue_job(
        api.services.factory, owner.workspace_id, cid, "sync_now", datetime.now(UTC)
    )
    stranger = people("owner")
    stranger.sign_in()
    assert job_id not in stranger.get("/jobs").text
    assert stranger.get(f"/jobs/{job_id}").status_code == 404
    assert stranger.get(f"/jobs/{job_id}/live").status_code == 404
    assert stranger.get(f"/jobs?connection={cid}").status_code == 404
    refused = stranger.post("/jobs", {"connection_id": cid, "job": "sync_now"}, from_page="/jobs")
    assert refused.status_code == 404 and "CONNECTION_NOT_FOUND" in refused.text
    with api.services.factory() as session:
        assert len(session.scalars(select(SyncJob)).all()) == 1


def test_jobs_are_paged_newest_first(api: Api, people: Make) -> None:
    owner, cid = owner_with_invoices(api, people, 0)
    made = [
        jobs.queue_job(api.services.factory, owner.workspace_id, cid, "sync_now", datetime.now(UTC))
        for _ in range(3)
    ]
    first = owner.get("/jobs?limit=2")
    assert first.text.count('<a href="/jobs/') == 2 and made[-1] in first.text
    assert 'href="/jobs?limit=2&amp;offset=2" rel="next"' in first.text
    second = owner.get("/jobs?limit=2&offset=2")
    assert made[0] in second.text and 'rel="prev"' in second.text
