"""Faults on demand: errors, slow calls, offline, 429 bursts, lost replies, seeded chance."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=10) as client:
        yield client


def add_fault(admin: httpx2.Client, **rule: object) -> None:
    reply = admin.post("/faults", json=rule)
    assert reply.status_code == 201, reply.text


def codes(xero: XeroHttp) -> list[str]:
    return [c["Code"] for c in xero.get("/Currencies").json["Currencies"]]


def test_an_error_fault_answers_500_and_applies_nothing(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    add_fault(admin, kind="error", endpoint="currencies", method="PUT", status=500)
    reply = xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "e-1"})
    assert reply.status == 500
    body = reply.json
    assert (body["Title"], body["Status"], body["Detail"]) == (
        "An error occurred",
        500,
        "Injected fault",
    )
    assert "JPY" not in codes(xero)
    # the fault fired once; the retry with the same key is applied (nothing was stored)
    reply = xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "e-1"})
    assert reply.status == 200
    assert "JPY" in codes(xero)
    fired = admin.get("/faults").json()["fired"]
    assert fired == [
        {"kind": "error", "endpoint": "currencies", "method": "PUT", "tenant": xero.tenant}
    ]


def test_a_503_fault_is_xeros_unavailable_answer(admin: httpx2.Client, xero: XeroHttp) -> None:
    add_fault(admin, kind="error", status=503)
    reply = xero.get("/Organisation")
    assert reply.status == 503
    assert reply.json["Title"] == "Service Unavailable"
    assert reply.json["Detail"] == "The Xero API is currently unavailable"
    assert xero.get("/Organisation").status == 200


def test_a_fault_only_hits_its_endpoint_method_and_tenant(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    add_fault(admin, kind="error", endpoint="currencies", method="PUT", count=None)
    add_fault(admin, kind="error", endpoint="organisation", tenant_id="uk", count=None)
    assert xero.get("/Currencies").status == 200
    assert xero.get("/Organisation").status == 200
    assert xero.put("/Currencies", {"Code": "JPY"}).status == 500
    assert xero.put("/Currencies", {"Code": "JPY"}).status == 500


def test_a_slow_fault_delays_but_applies(admin: httpx2.Client, xero: XeroHttp) -> None:
    add_fault(admin, kind="slow", endpoint="currencies", delay_seconds=0.2)
    reply = xero.put("/Currencies", {"Code": "JPY"})
    assert reply.status == 200
    assert "JPY" in codes(xero)
    assert [f["kind"] for f in admin.get("/faults").json()["fired"]] == ["slow"]


def test_a_slow_call_whose_caller_gave_up_is_still_applied(
    admin: httpx2.Client, xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    """Xero has the whole request before it starts work: a caller that hangs up (or dies)
    while it waits loses only the reply, and the write still happens."""
    add_fault(admin, kind="slow", endpoint="currencies", method="PUT", delay_seconds=1.0)
    with pytest.raises(httpx2.TimeoutException):
        httpx2.put(
            sandbox.url + "/api.xro/2.0/Currencies",
            json={"Code": "JPY"},
            headers=xero.headers({"Idempotency-Key": "gone-1"}),
            timeout=0.2,
        )
    for _ in range(200):  # the sandbox finishes the call on its own; wait for its log entry
        logged = admin.get("/requests", params={"method": "PUT"}).json()["requests"]
        if logged:
            break
        time.sleep(0.05)
    assert [(r["path"], r["status"]) for r in logged] == [("/Currencies", 200)]
    assert "JPY" in codes(xero)
    # the caller's retry with the same key gets Xero's stored answer, not a second write
    again = xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "gone-1"})
    assert again.status == 200
    assert admin.get("/stats").json()["idempotent_replays"] == 1


def test_an_offline_fault_answers_organisation_offline(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    add_fault(admin, kind="offline", count=2)
    for _ in range(2):
        reply = xero.get("/Organisation")
        assert reply.status == 503
        assert reply.json["Detail"] == "The Organisation is offline"
    assert xero.get("/Organisation").status == 200


def test_a_rate_limit_burst_is_a_real_looking_429(admin: httpx2.Client, xero: XeroHttp) -> None:
    add_fault(admin, kind="rate_limit", problem="minute")
    reply = xero.get("/Organisation")
    assert reply.status == 429
    assert reply.text == "Rate Limit Exceeded"
    assert reply.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    assert "X-MinLimit-Remaining" in reply.headers
    add_fault(admin, kind="rate_limit", problem="concurrent")
    reply = xero.get("/Organisation")
    assert reply.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in reply.headers
    assert xero.get("/Organisation").status == 200
    refused = admin.get("/stats").json()["rate_limits"]["refused"]
    assert refused == {"minute": 1, "concurrent": 1}


def test_a_lost_reply_was_applied_and_its_key_replays(admin: httpx2.Client, xero: XeroHttp) -> None:
    add_fault(admin, kind="lost_reply", endpoint="currencies", method="PUT")
    with pytest.raises(httpx2.RemoteProtocolError):
        xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "lost-1"})
    # the write happened although its answer never arrived
    assert "JPY" in codes(xero)
    reply = xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "lost-1"})
    assert reply.status == 200
    assert reply.json["Currencies"] == [{"Code": "JPY", "Description": "Japanese Yen"}]
    assert admin.get("/stats").json()["idempotent_replays"] == 1
    log = admin.get("/requests", params={"method": "PUT"}).json()["requests"]
    assert [(e["status"], e.get("lost_reply", False)) for e in log] == [(200, True), (200, False)]


def statuses_with_seed(admin: httpx2.Client, xero: XeroHttp, seed: int) -> list[int]:
    admin.post("/reset", json={"seed": seed})
    add_fault(admin, kind="error", endpoint="organisation", probability=0.5)
    return [xero.get("/Organisation").status for _ in range(16)]


def test_chance_faults_repeat_exactly_with_the_same_seed(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    first = statuses_with_seed(admin, xero, 42)
    assert set(first) == {200, 500}
    assert statuses_with_seed(admin, xero, 42) == first
    assert statuses_with_seed(admin, xero, 43) != first
