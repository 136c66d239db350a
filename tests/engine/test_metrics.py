"""``/metrics`` as Prometheus reads it: after a real sync against the sandbox, the figures are
what happened (calls by status as the call log has them, queue depth as the queue holds it)."""

from __future__ import annotations

from collections import Counter

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from ledgerlink.metrics import purpose
from ledgerlink.store.models import ApiCall, Document, QueueItem
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import XeroRateLimited
from tests.conftest import DEMO_TENANT, RunningSandbox, custom_token
from tests.engine.api.conftest import Api, api, api_db_url, api_sandbox  # noqa: F401

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def rest(request: pytest.FixtureRequest) -> Api:
    """tests/engine/api's REST app in process, over SQLite, with the sandbox as Xero."""
    found = request.getfixturevalue("api")
    assert isinstance(found, Api)
    return found


def scrape(rest: Api) -> Samples:
    """Every sample of ``/metrics``, parsed as Prometheus parses the exposition format."""
    reply = rest.client.get("/metrics")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def series(samples: Samples, name: str, *keys: str) -> dict[tuple[str, ...], float]:
    """One metric's samples by the values of ``keys`` among their labels."""
    return {
        tuple(dict(labels)[k] for k in keys): value
        for (found, labels), value in samples.items()
        if found == name
    }


def grew(before: Samples, after: Samples, name: str, *keys: str) -> dict[tuple[str, ...], float]:
    """How much a counter grew between two scrapes, by label values (the process's counters
    also hold what earlier tests in this process counted)."""
    old = series(before, name, *keys)
    new = series(after, name, *keys)
    return {k: v - old.get(k, 0.0) for k, v in new.items() if v - old.get(k, 0.0)}


def invoice(source_id: str, currency: str = "AUD") -> dict[str, object]:
    return {
        "source_id": source_id,
        "contact": {"key": "c-metrics", "name": "Metrics Pty Ltd"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "currency": currency,
        "lines": [{"description": "Design", "unit_amount": "150", "account_code": "200"}],
    }


def queue_in_db(rest: Api) -> dict[tuple[str, str], float]:
    with rest.services.factory() as session:
        rows = session.execute(
            select(QueueItem.state, Document.kind, func.count())
            .join(Document, Document.id == QueueItem.document_id)
            .group_by(QueueItem.state, Document.kind)
        )
        return {(state, kind): float(n) for state, kind, n in rows}


def nonzero(found: dict[tuple[str, ...], float]) -> dict[tuple[str, ...], float]:
    return {k: v for k, v in found.items() if v}


def test_metrics_after_a_sync_match_the_call_log_and_the_queue(rest: Api) -> None:
    key = rest.workspace()
    cid = rest.custom(key)
    docs = [invoice("m-1"), invoice("m-2"), invoice("m-yen", "JPY")]  # JPY: not enabled in Xero
    assert rest.call("POST", "/documents/invoice/bulk", key, json=docs).status_code == 200

    before = scrape(rest)
    depth = nonzero(series(before, "ledgerlink_queue_items", "state", "kind"))
    assert depth == {("queued", "invoice"): 3.0} == queue_in_db(rest)
    with rest.services.factory() as session:
        last_call = session.scalar(select(func.max(ApiCall.id))) or 0

    ran = rest.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    assert ran.status_code == 200 and ran.json()["job"]["counts"]["synced"] == 2, ran.text
    after = scrape(rest)

    depth = nonzero(series(after, "ledgerlink_queue_items", "state", "kind"))
    assert depth == {("done", "invoice"): 2.0, ("needs_attention", "invoice"): 1.0}
    assert depth == queue_in_db(rest)
    assert series(after, "ledgerlink_queue_items", "state", "kind")[("queued", "expense")] == 0

    with rest.services.factory() as session:
        calls = session.execute(
            select(ApiCall.method, ApiCall.status, ApiCall.path, ApiCall.response_bytes).where(
                ApiCall.id > last_call
            )
        ).all()
    assert calls, "the sync made no call to Xero"
    by_status = Counter((method, str(status)) for method, status, _, _ in calls)
    assert grew(before, after, "ledgerlink_xero_calls_total", "method", "status") == by_status

    egress: Counter[str] = Counter()
    for method, _, _, size in calls:
        egress[purpose(method)] += size
    assert egress["write"] > 0 and egress["read"] > 0
    assert grew(before, after, "ledgerlink_xero_egress_bytes_total", "purpose") == {
        (name,): float(size) for name, size in egress.items()
    }

    # Every tenant call waited for the limiter once (the identity API's /connections is no
    # tenant's call).
    waited = grew(before, after, "ledgerlink_limiter_wait_seconds_count")
    assert waited == {(): float(sum(1 for _, _, path, _ in calls if path != "/connections"))}
    jobs = grew(before, after, "ledgerlink_job_duration_seconds_count", "state")
    assert jobs.get(("finished",), 0) >= 1 and set(jobs) <= {("finished",)}


def test_a_429_is_counted_by_the_problem_xero_named(sandbox: RunningSandbox) -> None:
    from ledgerlink.metrics import REGISTRY

    def value(name: str, labels: dict[str, str]) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before_429 = value("ledgerlink_xero_429s_total", {"problem": "day"})
    before_calls = value("ledgerlink_xero_calls_total", {"method": "GET", "status": "429"})
    spec = {"kind": "rate_limit", "endpoint": "currencies", "problem": "day", "count": 1}
    assert httpx2.post(sandbox.url + "/_sandbox/faults", json=spec).status_code == 201
    token = custom_token(sandbox.url)
    url = sandbox.url + "/api.xro/2.0"
    with XeroClient(url, DEMO_TENANT, lambda: token) as xero, pytest.raises(XeroRateLimited):
        xero.get("/Currencies")
    assert value("ledgerlink_xero_429s_total", {"problem": "day"}) == before_429 + 1
    assert value("ledgerlink_xero_calls_total", {"method": "GET", "status": "429"}) == (
        before_calls + 1
    )
