"""Several organisations in one consent, /connections, disconnect and revocation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox
from tests.sandbox.oauth_helpers import (
    PKCE_CLIENT,
    WEB_CLIENT,
    WEB_SECRET,
    api,
    connect,
    connections,
    organisation_status,
    refresh,
)


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10, follow_redirects=False) as client:
        yield client


# --- several organisations, connections, disconnect, revocation -----------------------------


def test_two_orgs_share_one_token_set(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    tokens = connect(sandbox.url, ("demo", "uk"))
    reply = connections(http, tokens["access_token"])
    assert reply.status_code == 200
    listed = reply.json()
    assert {c["tenantId"] for c in listed} == {DEMO_TENANT, UK_TENANT}
    assert len({c["authEventId"] for c in listed}) == 1
    for entry in listed:
        assert set(entry) == {
            "id",
            "authEventId",
            "tenantId",
            "tenantType",
            "tenantName",
            "createdDateUtc",
            "updatedDateUtc",
        }
        assert entry["tenantType"] == "ORGANISATION"
        assert entry["createdDateUtc"] == entry["updatedDateUtc"]
        datetime.fromisoformat(entry["createdDateUtc"])
    names = {c["tenantId"]: c["tenantName"] for c in listed}
    assert names[UK_TENANT] == "Ledgerlink Demo Ltd (UK)"
    for tenant in (DEMO_TENANT, UK_TENANT):
        client = api(sandbox, tokens["access_token"], tenant)
        reply_org = client.get("/Organisation")
        client.close()
        assert reply_org.status == 200
    uk = api(sandbox, tokens["access_token"], UK_TENANT)
    assert uk.get("/Organisation").json["Organisations"][0]["BaseCurrency"] == "GBP"
    uk.close()
    # One refresh serves both organisations.
    rotated = refresh(http, tokens["refresh_token"]).json()
    assert organisation_status(sandbox, rotated["access_token"], UK_TENANT) == 200
    assert organisation_status(sandbox, rotated["access_token"], DEMO_TENANT) == 200


def test_token_needs_a_tenant_header(sandbox: RunningSandbox) -> None:
    tokens = connect(sandbox.url, ("demo",))
    client = api(sandbox, tokens["access_token"], None)
    reply = client.get("/Organisation")
    client.close()
    assert reply.status == 403
    assert reply.json["Title"] == "Forbidden"


def test_connections_filter_by_auth_event(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    first = connect(sandbox.url, ("demo",))
    second = connect(sandbox.url, ("uk",))
    listed = connections(http, second["access_token"]).json()
    assert len(listed) == 2
    uk_event = next(c["authEventId"] for c in listed if c["tenantId"] == UK_TENANT)
    only = connections(http, first["access_token"], authEventId=uk_event).json()
    assert [c["tenantId"] for c in only] == [UK_TENANT]
    assert connections(http, first["access_token"], authEventId="0" * 32).json() == []


def test_reconsent_keeps_connection_id_with_new_auth_event(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    first = connect(sandbox.url, ("demo",))
    before = connections(http, first["access_token"]).json()[0]
    sandbox.state.clock.advance(5)
    second = connect(sandbox.url, ("demo",))
    after = connections(http, second["access_token"]).json()
    assert len(after) == 1
    assert after[0]["id"] == before["id"]
    assert after[0]["authEventId"] != before["authEventId"]
    assert after[0]["createdDateUtc"] == before["createdDateUtc"]
    assert after[0]["updatedDateUtc"] > after[0]["createdDateUtc"]


def test_disconnect_one_tenant(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    tokens = connect(sandbox.url, ("demo", "uk"))
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    listed = connections(http, tokens["access_token"]).json()
    uk_id = next(c["id"] for c in listed if c["tenantId"] == UK_TENANT)
    reply = http.delete(f"/connections/{uk_id}", headers=bearer)
    assert reply.status_code == 204
    assert reply.content == b""
    forbidden = api(sandbox, tokens["access_token"], UK_TENANT)
    gone = forbidden.get("/Organisation")
    forbidden.close()
    assert gone.status == 403
    assert gone.json["Title"] == "Forbidden"
    assert organisation_status(sandbox, tokens["access_token"], DEMO_TENANT) == 200
    remaining = connections(http, tokens["access_token"]).json()
    assert [c["tenantId"] for c in remaining] == [DEMO_TENANT]
    assert http.delete(f"/connections/{uk_id}", headers=bearer).status_code == 404


def test_disconnect_unknown_or_unauthenticated(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    tokens = connect(sandbox.url, ("demo",))
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        http.delete("/connections/00000000-0000-0000-0000-000000000000", headers=bearer).status_code
        == 404
    )
    listed = connections(http, tokens["access_token"]).json()
    reply = http.delete(f"/connections/{listed[0]['id']}", headers={"Authorization": "Bearer x"})
    assert reply.status_code == 401
    assert len(connections(http, tokens["access_token"]).json()) == 1


def test_connections_need_a_live_bearer(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    assert http.get("/connections").status_code == 401
    reply = connections(http, "not-a-token")
    assert reply.status_code == 401
    assert reply.json()["Title"] == "Unauthorized"
    tokens = connect(sandbox.url, ("demo",))
    sandbox.state.clock.advance(sandbox.config.access_token_seconds + 1)
    assert connections(http, tokens["access_token"]).status_code == 401


def test_revocation_removes_all_connections_and_kills_tokens(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    tokens = connect(sandbox.url, ("demo", "uk"))
    other = connect(sandbox.url, ("demo",))  # a second consent by the same user
    reply = http.post(
        "/connect/revocation",
        data={"token": tokens["refresh_token"]},
        auth=(WEB_CLIENT, WEB_SECRET),
    )
    assert reply.status_code == 200
    assert reply.content == b""
    assert organisation_status(sandbox, tokens["access_token"], DEMO_TENANT) == 401
    assert connections(http, tokens["access_token"]).status_code == 401
    assert refresh(http, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    assert connections(http, other["access_token"]).json() == []
    assert organisation_status(sandbox, other["access_token"], DEMO_TENANT) == 403


def test_revocation_needs_client_auth_and_ignores_foreign_tokens(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    tokens = connect(sandbox.url, ("demo",))
    bad = http.post(
        "/connect/revocation", data={"token": tokens["refresh_token"]}, auth=(WEB_CLIENT, "wrong")
    )
    assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client"})
    foreign = http.post(
        "/connect/revocation", data={"token": tokens["refresh_token"], "client_id": PKCE_CLIENT}
    )
    assert foreign.status_code == 200
    unknown = http.post(
        "/connect/revocation", data={"token": "nope"}, auth=(WEB_CLIENT, WEB_SECRET)
    )
    assert unknown.status_code == 200
    assert organisation_status(sandbox, tokens["access_token"], DEMO_TENANT) == 200
    missing = http.post("/connect/revocation", data={}, auth=(WEB_CLIENT, WEB_SECRET))
    assert (missing.status_code, missing.json()) == (400, {"error": "invalid_request"})
