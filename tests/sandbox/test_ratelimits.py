"""Xero's rate limits: per tenant per minute, per day and concurrent; per app per minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, UK_TENANT, Reply, RunningSandbox, XeroHttp
from tests.sandbox.oauth_helpers import connect


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=10) as client:
        yield client


def remaining(reply: Reply) -> tuple[str, str, str]:
    headers = reply.headers
    return (
        headers["X-MinLimit-Remaining"],
        headers["X-DayLimit-Remaining"],
        headers["X-AppMinLimit-Remaining"],
    )


def assert_refused(reply: Reply, problem: str) -> None:
    assert reply.status == 429
    assert reply.text == "Rate Limit Exceeded"
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.headers["X-Rate-Limit-Problem"] == problem


def test_headers_count_down_and_the_minute_limit_refuses(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    admin.put("/limits", json={"tenant_per_minute": 3})
    counts = [remaining(xero.get("/Organisation")) for _ in range(3)]
    assert counts == [("2", "4999", "9999"), ("1", "4998", "9998"), ("0", "4997", "9997")]
    reply = xero.get("/Organisation")
    assert_refused(reply, "minute")
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    assert reply.headers["X-MinLimit-Remaining"] == "0"
    stats = admin.get("/stats").json()["rate_limits"]
    assert stats["refused"] == {"minute": 1}
    assert stats["refused_total"] == 1
    # a refused call is not counted as made
    assert admin.get("/stats").json()["api_calls"]["by_org"]["demo"] == 3


def test_the_minute_window_resets_when_the_clock_moves(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    admin.put("/limits", json={"tenant_per_minute": 2})
    xero.get("/Organisation")
    xero.get("/Organisation")
    reply = xero.get("/Organisation")
    assert_refused(reply, "minute")
    admin.post("/clock", json={"advance_seconds": int(reply.headers["Retry-After"])})
    reply = xero.get("/Organisation")
    assert reply.status == 200
    assert reply.headers["X-MinLimit-Remaining"] == "1"


def test_the_day_limit_refuses_until_the_day_ends(admin: httpx2.Client, xero: XeroHttp) -> None:
    # a shortened day, so the access token (30 minutes) outlives it
    admin.put("/limits", json={"tenant_per_day": 2, "day_seconds": 900})
    assert remaining(xero.get("/Organisation"))[1] == "1"
    assert remaining(xero.get("/Organisation"))[1] == "0"
    reply = xero.get("/Organisation")
    assert_refused(reply, "day")
    assert 780 < int(reply.headers["Retry-After"]) <= 900
    admin.post("/clock", json={"advance_seconds": 120})
    assert_refused(xero.get("/Organisation"), "day")
    admin.post("/clock", json={"advance_seconds": 780})
    reply = xero.get("/Organisation")
    assert reply.status == 200
    assert reply.headers["X-DayLimit-Remaining"] == "1"
    assert admin.get("/stats").json()["rate_limits"]["refused"] == {"day": 2}


def test_the_app_minute_limit_spans_organisations(
    admin: httpx2.Client, sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    admin.put("/limits", json={"app_per_minute": 3})
    token = connect(sandbox.url)["access_token"]
    demo = XeroHttp(sandbox.url, token, DEMO_TENANT)
    uk = XeroHttp(sandbox.url, token, UK_TENANT)
    try:
        assert remaining(demo.get("/Organisation")) == ("59", "4999", "2")
        assert remaining(uk.get("/Organisation")) == ("59", "4999", "1")
        assert remaining(uk.get("/Organisation")) == ("58", "4998", "0")
        reply = demo.get("/Organisation")
        assert_refused(reply, "appminute")
        assert reply.headers["X-MinLimit-Remaining"] == "59"
        assert "Retry-After" in reply.headers
        # another app has its own app-wide budget
        assert xero.get("/Organisation").status == 200
    finally:
        demo.close()
        uk.close()
    assert admin.get("/stats").json()["rate_limits"]["refused"] == {"appminute": 1}


def test_a_sixth_concurrent_call_is_refused(
    admin: httpx2.Client, sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    admin.post(
        "/faults",
        json={"kind": "slow", "endpoint": "organisation", "delay_seconds": 3, "count": 5},
    )
    statuses: list[int] = []

    def call() -> None:
        client = XeroHttp(sandbox.url, xero.token, DEMO_TENANT)
        try:
            statuses.append(client.get("/Organisation").status)
        finally:
            client.close()

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    # wait until the five slow calls are all inside the sandbox, then send the sixth
    deadline = time.monotonic() + 10
    in_flight = 0
    while in_flight < 5 and time.monotonic() < deadline:
        in_flight = admin.get("/stats").json()["rate_limits"]["in_flight"].get(DEMO_TENANT, 0)
    assert in_flight == 5
    reply = xero.get("/Organisation")
    for thread in threads:
        thread.join()
    assert_refused(reply, "concurrent")
    assert "Retry-After" not in reply.headers
    assert sorted(statuses) == [200] * 5
    stats = admin.get("/stats").json()["rate_limits"]
    assert stats["refused"] == {"concurrent": 1}
    assert stats["in_flight"] == {}
    assert xero.get("/Organisation").status == 200


def test_limits_can_be_switched_off(admin: httpx2.Client, xero: XeroHttp) -> None:
    admin.put("/limits", json={"tenant_per_minute": 1, "enabled": False})
    replies = [xero.get("/Organisation") for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 200]
    # no budget reported where none is enforced, so a client never waits on it
    assert all("X-MinLimit-Remaining" not in r.headers for r in replies)
    admin.put("/limits", json={"enabled": True})
    assert xero.get("/Organisation").status == 200
    assert_refused(xero.get("/Organisation"), "minute")


def test_each_organisation_has_its_own_minute(
    admin: httpx2.Client, sandbox: RunningSandbox
) -> None:
    admin.put("/limits", json={"tenant_per_minute": 1})
    token = connect(sandbox.url)["access_token"]
    demo = XeroHttp(sandbox.url, token, DEMO_TENANT)
    uk = XeroHttp(sandbox.url, token, UK_TENANT)
    try:
        assert demo.get("/Organisation").status == 200
        assert_refused(demo.get("/Organisation"), "minute")
        assert uk.get("/Organisation").status == 200
    finally:
        demo.close()
        uk.close()
