"""Xero's Idempotency-Key: replays, mismatches, expiry, key length, stored errors, scope."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.oauth_helpers import connect


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=10) as client:
        yield client


def replays(admin: httpx2.Client) -> int:
    return int(admin.get("/stats").json()["idempotent_replays"])


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def mismatch(key: str) -> dict[str, object]:
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": f"Idempotency Key: {key} is used with a different request.",
    }


def test_a_replay_returns_the_stored_reply(admin: httpx2.Client, xero: XeroHttp) -> None:
    first = xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("cur-1"))
    assert first.status == 200
    again = xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("cur-1"))
    assert again.status == 200
    # byte for byte the first reply, response Id and DateTimeUTC included
    assert again.text == first.text
    assert replays(admin) == 1
    # the same call without a key is run afresh: a new response Id
    fresh = xero.put("/Currencies", {"Code": "JPY"})
    assert fresh.json["Id"] != first.json["Id"]
    codes = [c["Code"] for c in xero.get("/Currencies").json["Currencies"]]
    assert codes.count("JPY") == 1


def test_the_same_key_with_another_body_is_refused(admin: httpx2.Client, xero: XeroHttp) -> None:
    assert xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("cur-2")).status == 200
    reply = xero.put("/Currencies", {"Code": "CHF"}, headers=keyed("cur-2"))
    assert reply.status == 400
    assert reply.json == mismatch("cur-2")
    codes = [c["Code"] for c in xero.get("/Currencies").json["Currencies"]]
    assert "CHF" not in codes


def test_the_same_key_on_another_url_is_refused(xero: XeroHttp) -> None:
    assert xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("cur-3")).status == 200
    reply = xero.put(
        "/Currencies", {"Code": "JPY"}, headers=keyed("cur-3"), params={"summarizeErrors": "false"}
    )
    assert reply.status == 400
    assert reply.json == mismatch("cur-3")


def test_a_key_expires_after_its_time(
    admin: httpx2.Client, sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    seconds = sandbox.config.idempotency_seconds
    assert xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("cur-4")).status == 200
    admin.post("/clock", json={"advance_seconds": seconds - 5})
    assert xero.put("/Currencies", {"Code": "CHF"}, headers=keyed("cur-4")).json == mismatch(
        "cur-4"
    )
    admin.post("/clock", json={"advance_seconds": 5})
    reply = xero.put("/Currencies", {"Code": "CHF"}, headers=keyed("cur-4"))
    assert reply.status == 200
    assert reply.json["Currencies"][0]["Code"] == "CHF"


def test_keys_longer_than_128_characters_are_refused(xero: XeroHttp) -> None:
    assert xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("k" * 128)).status == 200
    reply = xero.put("/Currencies", {"Code": "CHF"}, headers=keyed("k" * 129))
    assert reply.status == 400
    assert reply.json == {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": f"Idempotency Key: {'k' * 40} is invalid. It must be 1 to 128 characters long.",
    }
    codes = [c["Code"] for c in xero.get("/Currencies").json["Currencies"]]
    assert "CHF" not in codes


def test_an_error_is_stored_and_replayed(admin: httpx2.Client, xero: XeroHttp) -> None:
    first = xero.put("/Currencies", {"Code": "ZZZ"}, headers=keyed("bad-1"))
    assert first.status == 400
    assert first.json["Type"] == "ValidationException"
    again = xero.put("/Currencies", {"Code": "ZZZ"}, headers=keyed("bad-1"))
    assert (again.status, again.text) == (first.status, first.text)
    assert replays(admin) == 1


def test_get_ignores_the_key(admin: httpx2.Client, xero: XeroHttp) -> None:
    first = xero.get("/Currencies", headers=keyed("read-1"))
    second = xero.get("/Currencies", headers=keyed("read-1"))
    assert first.json["Id"] != second.json["Id"]
    assert replays(admin) == 0


def test_keys_belong_to_one_app(
    admin: httpx2.Client, sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    first = xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("shared"))
    other_app = XeroHttp(sandbox.url, connect(sandbox.url)["access_token"], DEMO_TENANT)
    try:
        second = other_app.put("/Currencies", {"Code": "JPY"}, headers=keyed("shared"))
    finally:
        other_app.close()
    assert second.status == 200
    assert second.json["Id"] != first.json["Id"]
    assert second.json["ProviderName"] != first.json["ProviderName"]
    assert replays(admin) == 0


def test_replays_still_count_against_the_limits(admin: httpx2.Client, xero: XeroHttp) -> None:
    admin.put("/limits", json={"tenant_per_minute": 2})
    xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("lim-1"))
    assert xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("lim-1")).status == 200
    reply = xero.put("/Currencies", {"Code": "JPY"}, headers=keyed("lim-1"))
    assert reply.status == 429
    assert reply.headers["X-Rate-Limit-Problem"] == "minute"
