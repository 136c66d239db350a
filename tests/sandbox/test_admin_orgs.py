"""Organisations made through the admin API, each with its own custom connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30) as client:
        yield client


def make(admin: httpx2.Client, **body: Any) -> list[dict[str, Any]]:
    reply = admin.post("/orgs", json=body)
    assert reply.status_code == 201, reply.text
    made: list[dict[str, Any]] = reply.json()["organisations"]
    return made


def token(sandbox: RunningSandbox, client_id: str, secret: str) -> str:
    reply = httpx2.post(
        sandbox.url + "/connect/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def codes(client: XeroHttp, path: str, key: str, field: str) -> list[str]:
    reply = client.get(path)
    assert reply.status == 200, reply.text
    return sorted(str(r[field]) for r in reply.json[key])


def test_each_organisation_gets_the_demo_setup_and_its_own_custom_connection(
    admin: httpx2.Client, sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    made = make(admin, count=3, prefix="bench")
    assert [(o["key"], o["name"]) for o in made] == [
        ("bench-0001", "bench 0001"),
        ("bench-0002", "bench 0002"),
        ("bench-0003", "bench 0003"),
    ]
    assert len({o["tenant_id"] for o in made}) == len({o["client_id"] for o in made}) == 3
    first = made[0]
    own = XeroHttp(sandbox.url, token(sandbox, first["client_id"], first["client_secret"]), None)
    try:
        # a custom connection reaches its one organisation without naming it
        assert own.get("/Organisation").json["Organisations"][0]["Name"] == "bench 0001"
        for path, key, field in [
            ("/Accounts", "Accounts", "Code"),
            ("/TaxRates", "TaxRates", "TaxType"),
            ("/Currencies", "Currencies", "Code"),
            ("/TrackingCategories", "TrackingCategories", "Name"),
        ]:
            assert codes(own, path, key, field) == codes(xero, path, key, field)
        assert own.get("/Contacts").json["Contacts"] == []
        own.tenant = made[1]["tenant_id"]
        assert own.get("/Organisation").status == 403
    finally:
        own.close()
    listed = admin.get("/orgs").json()["orgs"]
    assert [o["key"] for o in listed] == ["demo", "uk", "bench-0001", "bench-0002", "bench-0003"]
    apps = {a["client_id"]: a for a in admin.get("/apps").json()["apps"]}
    app = apps[first["client_id"]]
    assert (app["kind"], app["custom_tenant"], app["tier"], app["has_secret"]) == (
        "custom",
        "bench-0001",
        "core",
        True,
    )


def test_a_second_call_continues_the_numbering(admin: httpx2.Client) -> None:
    make(admin, count=2, prefix="bench")
    again = make(admin, count=2, prefix="Bench", custom_connection=False)
    assert [o["key"] for o in again] == ["bench-0003", "bench-0004"]
    assert all(o["client_id"] is None and o["client_secret"] is None for o in again)
    assert [o["key"] for o in make(admin, count=1)] == ["org-0001"]


def test_a_reset_keeps_made_organisations_empty_and_reachable(
    admin: httpx2.Client, sandbox: RunningSandbox
) -> None:
    (made,) = make(admin, count=1, prefix="keep")
    own = XeroHttp(sandbox.url, token(sandbox, made["client_id"], made["client_secret"]), None)
    try:
        assert own.put("/Contacts", {"Name": "Someone"}).status == 200
        assert admin.post("/reset").status_code == 200
        own.token = token(sandbox, made["client_id"], made["client_secret"])
        assert own.get("/Contacts").json["Contacts"] == []
        assert own.get("/Organisation").json["Organisations"][0]["Name"] == "keep 0001"
    finally:
        own.close()


REFUSED: list[tuple[dict[str, object], str]] = [
    ({}, "count is required: how many organisations to make (1 to 5000)"),
    ({"count": 0}, "count must be a whole number from 1 to 5000"),
    ({"count": 5001}, "count must be a whole number from 1 to 5000"),
    ({"count": "3"}, "count must be a whole number from 1 to 5000"),
    ({"count": True}, "count must be a whole number from 1 to 5000"),
    (
        {"count": 1, "prefix": "9 lives"},
        "prefix must start with a letter and hold only letters, digits and hyphens (at most "
        "40), e.g. bench: the organisations' keys are bench-0001, bench-0002...",
    ),
    ({"count": 1, "custom_connection": "yes"}, "custom_connection must be true or false"),
    (
        {"count": 1, "tier": "gold"},
        "tier must be one of starter, core, plus, advanced, enterprise (Starter allows 1,000 "
        "calls a day)",
    ),
    (
        {"count": 1, "custom_connection": False, "tier": "starter"},
        "tier belongs to the custom connection apps, and custom_connection is false: leave "
        "tier out, or set it on your own app with /_sandbox/apps",
    ),
    (
        {"count": 1, "created": "March"},
        "created must be a date as YYYY-MM-DD (from 2026-03-02: granular scopes only)",
    ),
    (
        {"count": 1, "size": 3},
        "unknown fields: size; known: count, prefix, custom_connection, tier, created, country,"
        " class, seed_year",
    ),
]


def test_bad_bodies_are_refused_and_make_nothing(admin: httpx2.Client) -> None:
    # one sandbox for every case: each would otherwise start its own
    for body, message in REFUSED:
        reply = admin.post("/orgs", json=body)
        assert (reply.status_code, reply.json()) == (400, {"error": message}), body
    assert len(admin.get("/orgs").json()["orgs"]) == 2
    assert len(admin.get("/apps").json()["apps"]) == 3
