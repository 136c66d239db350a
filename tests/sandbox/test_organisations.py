"""GET /Organisations: Xero serves the plural beside /Organisation, and common clients call it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, DEMO_TENANT, RunningSandbox, XeroHttp

ENVELOPE_PER_CALL = ("Id", "DateTimeUTC")


def _content(body: dict[str, Any]) -> dict[str, Any]:
    """The reply without what differs on every call (its id and time)."""
    return {k: v for k, v in body.items() if k not in ENVELOPE_PER_CALL}


def _client(sandbox: RunningSandbox, scopes: list[str]) -> XeroHttp:
    reply = httpx2.post(
        sandbox.url + "/connect/token",
        data={"grant_type": "client_credentials", "scope": " ".join(scopes)},
        auth=(CUSTOM_CLIENT, CUSTOM_SECRET),
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return XeroHttp(sandbox.url, reply.json()["access_token"], DEMO_TENANT)


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=10) as client:
        yield client


def test_the_plural_path_answers_as_the_singular(xero: XeroHttp) -> None:
    singular = xero.get("/Organisation")
    assert singular.status == 200, singular.text
    for path in ("/Organisations", "/organisations", "/ORGANISATIONS/"):
        plural = xero.get(path)
        assert plural.status == 200, f"{path}: {plural.status} {plural.text}"
        assert _content(plural.json) == _content(singular.json)
        assert plural.headers["content-type"] == singular.headers["content-type"]


def test_the_plural_path_takes_and_refuses_the_same_scopes(sandbox: RunningSandbox) -> None:
    reader = _client(sandbox, ["accounting.settings.read"])
    refused = _client(sandbox, ["accounting.contacts"])
    try:
        for path in ("/Organisation", "/Organisations"):
            assert reader.get(path).status == 200
            reply = refused.get(path)
            assert reply.status == 401, f"{path}: {reply.text}"
            assert reply.json["Detail"] == "AuthorizationUnsuccessful"
    finally:
        reader.close()
        refused.close()


def test_the_plural_path_counts_against_the_same_limits(xero: XeroHttp) -> None:
    first = xero.get("/Organisation")
    second = xero.get("/Organisations")
    third = xero.get("/Organisation")
    assert [r.status for r in (first, second, third)] == [200, 200, 200]
    left = [int(r.headers["X-MinLimit-Remaining"]) for r in (first, second, third)]
    assert left[1] == left[0] - 1 and left[2] == left[1] - 1
    days = [int(r.headers["X-DayLimit-Remaining"]) for r in (first, second, third)]
    assert days[1] == days[0] - 1 and days[2] == days[1] - 1


def test_a_fault_on_the_organisation_endpoint_reaches_the_plural_path(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    reply = admin.post("/faults", json={"kind": "error", "endpoint": "organisation", "status": 503})
    assert reply.status_code == 201, reply.text
    assert xero.get("/Organisations").status == 503
    assert xero.get("/Organisations").status == 200
