"""The /_sandbox/ control API: reset, limits, clock, organisation flags, stats, request log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, XeroHttp


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=10) as client:
        yield client


def currency_codes(xero: XeroHttp) -> list[str]:
    reply = xero.get("/Currencies")
    assert reply.status == 200
    return [c["Code"] for c in reply.json["Currencies"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/faults"),
        ("PUT", "/limits"),
        ("POST", "/clock"),
        ("PUT", "/webhooks"),
        ("POST", "/orgs/demo"),
        ("POST", "/reset"),
    ],
)
def test_a_body_that_is_not_json_is_refused(admin: httpx2.Client, method: str, path: str) -> None:
    reply = admin.request(method, path, content=b"tenant_per_minute=5")
    assert reply.status_code == 400
    assert reply.json()["error"].startswith("the body is not JSON")


def test_an_endpoint_that_needs_a_body_says_so(admin: httpx2.Client) -> None:
    reply = admin.put("/limits")
    assert reply.status_code == 400
    assert reply.json() == {
        "error": "this endpoint needs a JSON body (Content-Type: application/json)"
    }
    reply = admin.put("/limits", json=[1, 2])
    assert reply.status_code == 400
    assert reply.json() == {"error": "the body must be a JSON object"}


def test_reset_restores_the_seed_and_keeps_the_connection(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    assert xero.put("/Currencies", {"Code": "JPY"}, headers={"Idempotency-Key": "k1"}).status == 200
    assert "JPY" in currency_codes(xero)
    admin.post("/faults", json={"kind": "error", "endpoint": "accounts", "count": 5})
    admin.put("/limits", json={"tenant_per_minute": 50})
    reply = admin.post("/reset", json={"seed": 7})
    assert reply.status_code == 200
    assert reply.json() == {"reset": True, "fault_seed": 7}
    faults = admin.get("/faults").json()
    assert faults["rules"] == [] and faults["seed"] == 7
    assert admin.get("/requests").json()["count"] == 0
    stats = admin.get("/stats").json()
    assert stats["idempotency_keys_stored"] == 0
    assert stats["api_calls"]["by_org"] == {"demo": 0, "uk": 0}
    # the same token still works, and the organisation is back to its seed
    reply = xero.get("/Currencies")
    assert reply.status == 200
    assert reply.headers["X-MinLimit-Remaining"] == "49"
    assert "JPY" not in currency_codes(xero)


def test_reset_without_a_body_is_accepted(admin: httpx2.Client) -> None:
    reply = admin.post("/reset")
    assert reply.status_code == 200
    assert reply.json()["fault_seed"] == 1


def test_limits_are_read_and_changed_at_run_time(admin: httpx2.Client, xero: XeroHttp) -> None:
    assert admin.get("/limits").json() == {
        "tenant_per_minute": 60,
        "tenant_per_day": 5000,
        "starter_per_day": 1000,
        "tenant_concurrent": 5,
        "app_per_minute": 10000,
        "minute_seconds": 60.0,
        "day_seconds": 86400.0,
        "enabled": True,
    }
    assert xero.get("/Organisation").headers["X-MinLimit-Remaining"] == "59"
    reply = admin.put("/limits", json={"tenant_per_minute": 5, "day_seconds": 600})
    assert reply.status_code == 200
    assert reply.json()["tenant_per_minute"] == 5
    assert reply.json()["day_seconds"] == 600.0
    # changing the limits restarts the windows with the new sizes
    reply = xero.get("/Organisation")
    assert reply.headers["X-MinLimit-Remaining"] == "4"
    assert reply.headers["X-DayLimit-Remaining"] == "4999"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"tenant_per_minute": "5"}, "tenant_per_minute must be a whole number"),
        ({"tenant_per_minute": 1.5}, "tenant_per_minute must be a whole number"),
        ({"tenant_per_day": -1}, "tenant_per_day must be at least 0"),
        ({"minute_seconds": 0}, "minute_seconds must be at least 0.001"),
        ({"enabled": 1}, "enabled must be true or false"),
        (
            {"per_minute": 5},
            "unknown fields: per_minute; known: tenant_per_minute, tenant_per_day, "
            "starter_per_day, tenant_concurrent, app_per_minute, minute_seconds, day_seconds, "
            "enabled",
        ),
    ],
)
def test_bad_limits_are_refused(
    admin: httpx2.Client, body: dict[str, object], message: str
) -> None:
    reply = admin.put("/limits", json=body)
    assert reply.status_code == 400
    assert reply.json() == {"error": message}
    assert admin.get("/limits").json()["tenant_per_minute"] == 60


def test_the_clock_moves_and_tokens_follow_it(admin: httpx2.Client, xero: XeroHttp) -> None:
    before = admin.get("/clock").json()
    assert before["offset_seconds"] == 0
    reply = admin.post("/clock", json={"advance_seconds": 1000})
    assert reply.status_code == 200
    assert reply.json()["offset_seconds"] == 1000
    assert reply.json()["timestamp"] >= before["timestamp"] + 1000
    assert xero.get("/Organisation").status == 200
    admin.post("/clock", json={"advance_seconds": 801})
    reply = xero.get("/Organisation")
    assert reply.status == 401
    assert reply.json["Detail"].startswith("TokenExpired: token expired at ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"advance_seconds": -5}, "advance_seconds must be at least 0"),
        ({"advance_seconds": "60"}, "advance_seconds must be a number"),
        ({}, "advance_seconds is required"),
    ],
)
def test_bad_clock_moves_are_refused(
    admin: httpx2.Client, body: dict[str, object], message: str
) -> None:
    reply = admin.post("/clock", json=body)
    assert reply.status_code == 400
    assert reply.json() == {"error": message}


def test_an_organisation_can_go_offline(admin: httpx2.Client, xero: XeroHttp) -> None:
    reply = admin.post("/orgs/demo", json={"offline": True})
    assert reply.status_code == 200
    assert reply.json()["offline"] is True
    reply = xero.get("/Organisation")
    assert reply.status == 503
    assert reply.json["Detail"] == "The Organisation is offline"
    admin.post(f"/orgs/{DEMO_TENANT}", json={"offline": False})
    assert xero.get("/Organisation").status == 200


def test_lock_dates_are_set_and_cleared(admin: httpx2.Client, xero: XeroHttp) -> None:
    reply = admin.post("/orgs/demo", json={"period_lock_date": "2025-12-31"})
    assert reply.json()["period_lock_date"] == "2025-12-31"
    org = xero.get("/Organisation").json["Organisations"][0]
    assert org["PeriodLockDate"] == "/Date(1767139200000+0000)/"
    reply = admin.post("/orgs/demo", json={"period_lock_date": None})
    assert reply.json()["period_lock_date"] is None
    org = xero.get("/Organisation").json["Organisations"][0]
    assert "PeriodLockDate" not in org


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"offline": "yes"}, "offline must be true or false"),
        (
            {"period_lock_date": "31/12/2025"},
            "period_lock_date must be a date as YYYY-MM-DD, or null",
        ),
        (
            {"end_of_year_lock_date": 2025},
            "end_of_year_lock_date must be a date as YYYY-MM-DD, or null",
        ),
    ],
)
def test_bad_organisation_flags_are_refused(
    admin: httpx2.Client, body: dict[str, object], message: str
) -> None:
    reply = admin.post("/orgs/demo", json=body)
    assert reply.status_code == 400
    assert reply.json() == {"error": message}
    assert admin.get("/orgs/demo").json()["offline"] is False


def test_an_unknown_organisation_is_404(admin: httpx2.Client) -> None:
    reply = admin.post("/orgs/nowhere", json={"offline": True})
    assert reply.status_code == 404
    assert reply.json()["error"].startswith("no organisation 'nowhere'; known: demo (")


def test_orgs_are_listed(admin: httpx2.Client) -> None:
    orgs = admin.get("/orgs").json()["orgs"]
    assert [(o["key"], o["tenant_id"], o["short_code"]) for o in orgs] == [
        ("demo", DEMO_TENANT, "!LLdm1"),
        ("uk", UK_TENANT, "!LLuk2"),
    ]


def test_stats_and_the_request_log_count_calls(admin: httpx2.Client, xero: XeroHttp) -> None:
    xero.get("/Organisation")
    xero.get("/Currencies")
    xero.put("/Currencies", {"Code": "JPY"})
    stats = admin.get("/stats").json()
    assert stats["api_calls"]["by_org"] == {"demo": 3, "uk": 0}
    assert stats["api_calls"]["by_tenant"] == {DEMO_TENANT: 3}
    assert stats["request_log"] == 3
    assert stats["rate_limits"]["refused_total"] == 0
    log = admin.get("/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in log["requests"]] == [
        ("GET", "/Organisation", 200),
        ("GET", "/Currencies", 200),
        ("PUT", "/Currencies", 200),
    ]
    assert log["requests"][0]["org"] == "demo"
    puts = admin.get("/requests", params={"method": "put", "tenant": "demo"}).json()
    assert puts["count"] == 1 and puts["requests"][0]["path"] == "/Currencies"
    assert admin.get("/requests", params={"tenant": "uk"}).json()["count"] == 0
    assert admin.delete("/requests").json()["count"] == 0
    assert admin.get("/stats").json()["request_log"] == 0


def test_fault_rules_are_listed_added_and_cleared(admin: httpx2.Client) -> None:
    reply = admin.post(
        "/faults",
        json=[
            {"kind": "error", "endpoint": "Invoices", "method": "put", "status": 503},
            {"kind": "slow", "delay_seconds": 0.5, "tenant_id": "uk"},
        ],
    )
    assert reply.status_code == 201
    rules = admin.get("/faults").json()["rules"]
    assert [(r["kind"], r["endpoint"], r["method"], r["tenant_id"]) for r in rules] == [
        ("error", "invoices", "PUT", None),
        ("slow", "*", "*", UK_TENANT),
    ]
    assert admin.delete("/faults").json()["rules"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "explode"},
            "fault 1: kind must be one of error, slow, offline, rate_limit, lost_reply",
        ),
        (
            {"endpoint": "x"},
            "fault 1: a fault needs a kind: one of error, slow, offline, rate_limit, lost_reply",
        ),
        ({"kind": "error", "status": 404}, "fault 1: an error fault needs a 5xx status"),
        (
            {"kind": "error", "count": 0},
            "fault 1: count must be at least 1 (or null for every matching call)",
        ),
        ({"kind": "error", "count": "2"}, "fault 1: count must be a whole number"),
        ({"kind": "error", "probability": 2}, "fault 1: probability must be between 0 and 1"),
        ({"kind": "slow", "delay_seconds": "1"}, "fault 1: delay_seconds must be a number"),
        (
            {"kind": "rate_limit", "problem": "hour"},
            "fault 1: problem must be one of minute, day, concurrent, appminute",
        ),
        ({"kind": "error", "colour": "red"}, "fault 1: unknown fault fields: colour"),
        ([{"kind": "error"}, "x"], "fault 2: a fault must be a JSON object"),
        (
            {"kind": "error", "tenant_id": "mars"},
            f"fault 1: no organisation 'mars'; known: demo ({DEMO_TENANT}), uk ({UK_TENANT})",
        ),
    ],
)
def test_bad_fault_rules_are_refused(admin: httpx2.Client, body: object, message: str) -> None:
    reply = admin.post("/faults", json=body)
    assert reply.status_code == 400
    assert reply.json() == {"error": message}
    assert admin.get("/faults").json()["rules"] == []


def test_the_index_page_lists_the_endpoints(admin: httpx2.Client) -> None:
    reply = admin.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "Xero sandbox — control API" in reply.text
    assert "/_sandbox/webhooks/flush" in reply.text
    assert "!LLdm1" in reply.text
