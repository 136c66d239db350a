"""Pricing tiers set each connection's daily limit; with limits off no budget is reported."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp, custom_token
from xero_sandbox.config import AppConfig, Limits, SandboxConfig
from xero_sandbox.ratelimit import RateLimited, RateLimiter

BUDGET = ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining")


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30) as client:
        yield client


def org_client(admin: httpx2.Client, sandbox: RunningSandbox, **body: Any) -> tuple[XeroHttp, str]:
    """A new organisation's own custom connection (its client) and that app's client id."""
    reply = admin.post("/orgs", json={"count": 1, **body})
    assert reply.status_code == 201, reply.text
    made = reply.json()["organisations"][0]
    token = custom_token(sandbox.url, auth=(made["client_id"], made["client_secret"]))
    return XeroHttp(sandbox.url, token, None), str(made["client_id"])


def test_the_starter_tier_allows_1000_calls_a_day_per_connection() -> None:
    config = SandboxConfig(
        apps=[
            AppConfig("STARTER", "s", kind="custom", tier="starter"),
            AppConfig("CORE", "c", kind="custom"),
        ],
        limits=Limits(tenant_per_minute=10**6, app_per_minute=10**6),
    )
    limiter = RateLimiter(config.limits, day_limit=config.day_limit)
    now = 1_000_000.0
    for _ in range(1000):
        limiter.acquire("STARTER", "org-a", now).release()
    assert limiter.headers("STARTER", "org-a", now)["X-DayLimit-Remaining"] == "0"
    with pytest.raises(RateLimited) as refused:
        limiter.acquire("STARTER", "org-a", now + 60)
    assert refused.value.problem == "day"
    assert refused.value.retry_after == 86400 - 60
    reply = refused.value.response()
    assert (reply.status_code, reply.headers["X-Rate-Limit-Problem"]) == (429, "day")
    assert reply.headers["Retry-After"] == "86340"
    # another connection of the same app, or another app on the same organisation, has its own
    limiter.acquire("STARTER", "org-b", now).release()
    assert limiter.headers("CORE", "org-a", now)["X-DayLimit-Remaining"] == "5000"
    limiter.acquire("STARTER", "org-a", now + 86400).release()


def test_a_tier_reaches_the_headers_and_changes_at_run_time(
    admin: httpx2.Client, sandbox: RunningSandbox
) -> None:
    starter, starter_app = org_client(admin, sandbox, tier="starter")
    core, _ = org_client(admin, sandbox)
    try:
        assert starter.get("/Organisation").headers["X-DayLimit-Remaining"] == "999"
        assert core.get("/Organisation").headers["X-DayLimit-Remaining"] == "4999"
        app = f"/apps/{starter_app}"
        changed = admin.patch(app, json={"tier": "Plus"})
        assert changed.status_code == 200 and changed.json()["tier"] == "plus"
        # the day already used stays used; only its size changes
        assert starter.get("/Organisation").headers["X-DayLimit-Remaining"] == "4998"
        refused = admin.patch(app, json={"tier": "free"})
        assert refused.status_code == 400
        assert refused.json()["error"].startswith("tier must be one of starter, core, plus")
        assert admin.get(app).json()["tier"] == "plus"
    finally:
        starter.close()
        core.close()


def test_a_starter_day_refuses_until_the_clock_ends_it(
    admin: httpx2.Client, sandbox: RunningSandbox
) -> None:
    # a compressed Starter day: two calls in a 900-second day
    admin.put("/limits", json={"starter_per_day": 2, "day_seconds": 900})
    starter, _ = org_client(admin, sandbox, tier="starter")
    core, _ = org_client(admin, sandbox)
    try:
        assert [starter.get("/Organisation").status for _ in range(2)] == [200, 200]
        reply = starter.get("/Organisation")
        assert reply.status == 429 and reply.text == "Rate Limit Exceeded"
        assert reply.headers["X-Rate-Limit-Problem"] == "day"
        assert 0 < int(reply.headers["Retry-After"]) <= 900
        assert reply.headers["X-DayLimit-Remaining"] == "0"
        assert core.get("/Organisation").status == 200
        admin.post("/clock", json={"advance_seconds": int(reply.headers["Retry-After"])})
        assert starter.get("/Organisation").headers["X-DayLimit-Remaining"] == "1"
    finally:
        starter.close()
        core.close()


def test_an_app_registered_on_a_tier(admin: httpx2.Client) -> None:
    body = {"client_id": "TIERED", "client_secret": "s", "kind": "custom", "custom_tenant": "uk"}
    assert admin.post("/apps", json={**body, "tier": "starter"}).json()["tier"] == "starter"
    assert admin.get("/apps/LEDGERLINK-DEMO-APP").json()["tier"] == "core"


def test_with_limits_off_no_reply_reports_a_budget(admin: httpx2.Client, xero: XeroHttp) -> None:
    admin.put("/limits", json={"enabled": False})
    line = {"Description": "Work", "Quantity": 1, "UnitAmount": Decimal("10"), "AccountCode": "200"}
    good = {"Type": "ACCREC", "Contact": {"Name": "Bayside Club"}, "LineItems": [line]}
    replies = {
        "batch put": xero.put("/Invoices", {"Invoices": [good, good]}),
        "batch post": xero.post("/Invoices", {"Invoices": [good]}),
        "validation": xero.put("/Invoices", {"Invoices": [{"Type": "ACCREC"}]}),
        "not found": xero.get("/Invoices/NOPE"),
        "read": xero.get("/Invoices", params={"summaryOnly": "true"}),
    }
    admin.post("/faults", json={"kind": "rate_limit", "problem": "minute"})
    replies["429 fault"] = xero.get("/Organisation")
    assert {name: r.status for name, r in replies.items()} == {
        "batch put": 200,
        "batch post": 200,
        "validation": 400,
        "not found": 404,
        "read": 200,
        "429 fault": 429,
    }
    for name, reply in replies.items():
        assert [h for h in BUDGET if h in reply.headers] == [], name
