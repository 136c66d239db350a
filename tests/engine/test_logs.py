"""JSON logs: one object a line, and the REST request's id on the Xero call that sent what it
pushed."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ledgerlink import logs
from tests.engine.api.conftest import Api, api, api_db_url, api_sandbox  # noqa: F401
from tests.engine.test_metrics import invoice


@pytest.fixture
def rest(request: pytest.FixtureRequest) -> Api:
    """tests/engine/api's REST app in process, over SQLite, with the sandbox as Xero."""
    found = request.getfixturevalue("api")
    assert isinstance(found, Api)
    return found


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """The process's log lines as ``ledgerlink serve`` writes them (JSON), at INFO."""
    found = Captured()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure("json", logging.INFO, found.stream)
    try:
        yield found
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_the_xero_call_that_sends_a_document_carries_the_pushing_requests_id(
    rest: Api, captured: Captured
) -> None:
    key = rest.workspace()
    cid = rest.custom(key)
    pushed = rest.call(
        "PUT",
        "/documents/invoice/corr-1",
        key,
        json=invoice("corr-1"),
        headers={"X-Request-ID": "push-7f3a"},
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.headers["x-request-id"] == "push-7f3a"
    document_id = rest.call("GET", "/documents/invoice/corr-1", key).json()["id"]

    ran = rest.call(
        "POST",
        "/jobs?wait=true",
        key,
        json={"connection_id": cid},
        headers={"X-Request-ID": "sync-1"},
    )
    assert ran.status_code == 200 and ran.json()["job"]["counts"]["synced"] == 1, ran.text

    lines = captured.lines()
    assert all({"timestamp", "level", "logger", "event"} <= set(line) for line in lines)
    # The push's own line (a plain ``logging`` call, as every module writes) is JSON with its id.
    access = [line for line in lines if line["event"].startswith("PUT /api/v1/documents")]
    assert [line["request_id"] for line in access] == ["push-7f3a"]
    sends = [
        line
        for line in lines
        if line["logger"] == "ledgerlink.xero.client"
        and document_id in line.get("document_ids", ())
    ]
    assert sends, [line["event"] for line in lines]
    assert {line["request_id"] for line in sends} == {"push-7f3a"}
    assert all(
        line["event"].startswith(("xero PUT /Invoices", "xero POST /Invoices")) for line in sends
    )
    assert all(line["connection_id"] == cid and line["job_id"] for line in sends)
    assert {line["xero_status"] for line in sends} == {200}


def test_a_request_without_a_usable_id_is_given_one(rest: Api) -> None:
    made = rest.client.get("/openapi.json")
    given = made.headers["x-request-id"]
    assert given and len(given) <= 64
    odd = rest.client.get("/metrics", headers={"X-Request-ID": "bad id with spaces"})
    assert odd.headers["x-request-id"] not in ("", "bad id with spaces")
    assert rest.client.get("/metrics").headers["x-request-id"] != given


def test_each_thread_logs_with_its_own_ids_and_console_lines_are_for_people(
    captured: Captured,
) -> None:
    log = logging.getLogger("ledgerlink.test")

    def drive(connection_id: str) -> None:
        with logs.bound(connection_id=connection_id):
            log.info("driving %s", connection_id)

    threads = [threading.Thread(target=drive, args=(f"c-{n}",)) for n in range(4)]
    with logs.bound(job_id="not-a-thread's"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    lines = [line for line in captured.lines() if line["logger"] == "ledgerlink.test"]
    assert sorted((line["event"], line["connection_id"]) for line in lines) == [
        (f"driving c-{n}", f"c-{n}") for n in range(4)
    ]
    assert not any("job_id" in line for line in lines)

    console = io.StringIO()
    handler = logs.configure("console", logging.INFO, console)
    try:
        with logs.bound(request_id="r-1"):
            log.info("for %s", "people")
    finally:
        logging.getLogger().removeHandler(handler)
    line = console.getvalue().strip()
    assert "for people" in line and "request_id=r-1" in line and not line.startswith("{")
