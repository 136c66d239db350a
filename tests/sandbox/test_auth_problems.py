"""Every 401 and 403 of the Accounting API and /connections comes in Xero's problem shape.

Xero answers a refused token, tenant or scope with ``{"Type":null,"Title":...,"Status":...,
"Detail":...,"Instance":...,"Extensions":{}}`` (xero-facts section 6.1; the bodies quoted in
XeroAPI's SDK issues). A client that reads ``Detail`` to tell an expired token from a missing
scope needs every path to answer in that one shape, ``"Type": null`` included.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import (
    CUSTOM_CLIENT,
    CUSTOM_SECRET,
    DEMO_TENANT,
    UK_TENANT,
    RunningSandbox,
    custom_token,
)
from tests.sandbox.oauth_helpers import connect, connections

PROBLEM_KEYS = ["Type", "Title", "Status", "Detail", "Instance", "Extensions"]
ORGANISATION = "/api.xro/2.0/Organisation"


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


def assert_problem(reply: httpx2.Response, status: int, title: str, detail: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = json.loads(reply.content)
    assert list(body) == PROBLEM_KEYS
    assert body["Type"] is None
    assert (body["Title"], body["Status"]) == (title, status)
    assert body["Detail"] == detail or (
        detail.endswith("*") and body["Detail"].startswith(detail[:-1])
    ), body["Detail"]
    assert uuid.UUID(body["Instance"])
    assert body["Extensions"] == {}


def bearer(token: str, tenant: str | None = DEMO_TENANT) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if tenant is not None:
        headers["xero-tenant-id"] = tenant
    return headers


@pytest.mark.parametrize(
    "headers",
    [
        {"xero-tenant-id": DEMO_TENANT},
        {"Authorization": "Basic bm8tb25lOm5vdGhpbmc=", "xero-tenant-id": DEMO_TENANT},
        {"Authorization": "Bearer", "xero-tenant-id": DEMO_TENANT},
        bearer("not-a-token-the-sandbox-issued"),
    ],
    ids=["no-token", "basic-scheme", "empty-bearer", "unknown-token"],
)
def test_a_missing_or_unknown_token_gets_401(http: httpx2.Client, headers: dict[str, str]) -> None:
    reply = http.get(ORGANISATION, headers=headers)
    assert_problem(reply, 401, "Unauthorized", "AuthenticationUnsuccessful")


def test_an_expired_token_gets_401_saying_when(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    token = custom_token(sandbox.url)
    sandbox.state.clock.advance(sandbox.config.access_token_seconds + 1)
    reply = http.get(ORGANISATION, headers=bearer(token))
    assert_problem(reply, 401, "Unauthorized", "TokenExpired: token expired at *")


def test_a_token_without_the_scope_gets_401(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    made = httpx2.post(
        sandbox.url + "/connect/token",
        data={"grant_type": "client_credentials", "scope": "accounting.contacts"},
        auth=(CUSTOM_CLIENT, CUSTOM_SECRET),
        timeout=10,
    )
    assert made.status_code == 200, made.text
    reply = http.get(ORGANISATION, headers=bearer(made.json()["access_token"]))
    assert_problem(reply, 401, "Unauthorized", "AuthorizationUnsuccessful")


@pytest.mark.parametrize(
    "tenant",
    [UK_TENANT, "5f0c2e1a-9b7d-4c3e-8a6f-1d2b3c4e5f60", "not-a-tenant"],
    ids=["another-organisation", "unknown-organisation", "not-an-id"],
)
def test_a_tenant_the_token_cannot_reach_gets_403(
    http: httpx2.Client, sandbox: RunningSandbox, tenant: str
) -> None:
    token = custom_token(sandbox.url)
    reply = http.get(ORGANISATION, headers=bearer(token, tenant))
    assert_problem(reply, 403, "Forbidden", "AuthenticationUnsuccessful")


def test_a_missing_or_disconnected_tenant_gets_403(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    token = connect(sandbox.url, ("demo",))["access_token"]
    assert http.get(ORGANISATION, headers=bearer(token)).status_code == 200
    reply = http.get(ORGANISATION, headers=bearer(token, None))
    assert_problem(reply, 403, "Forbidden", "AuthenticationUnsuccessful")
    [connection] = connections(http, token).json()
    removed = http.delete(f"/connections/{connection['id']}", headers=bearer(token, None))
    assert removed.status_code == 204
    reply = http.get(ORGANISATION, headers=bearer(token))
    assert_problem(reply, 403, "Forbidden", "AuthenticationUnsuccessful")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_connections_without_a_live_token_get_401(
    http: httpx2.Client, sandbox: RunningSandbox, method: str
) -> None:
    path = "/connections" if method == "GET" else f"/connections/{uuid.uuid4()}"
    for headers in ({}, bearer("not-a-token-the-sandbox-issued", None)):
        reply = http.request(method, path, headers=headers)
        assert_problem(reply, 401, "Unauthorized", "AuthenticationUnsuccessful")
