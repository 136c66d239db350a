from __future__ import annotations

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, XeroHttp


def test_organisation_is_served_in_xero_envelope(xero: XeroHttp) -> None:
    reply = xero.get("/Organisation")
    assert reply.status == 200
    body = reply.json
    assert body["Status"] == "OK"
    org = body["Organisations"][0]
    assert org["ShortCode"] == "!LLdm1"
    assert org["BaseCurrency"] == "AUD"
    assert org["PeriodLockDate"].startswith("/Date(")
    assert reply.headers["X-MinLimit-Remaining"] == "59"


def test_paths_are_case_insensitive(xero: XeroHttp) -> None:
    assert xero.get("/organisation").status == 200
    assert xero.get("/ORGANISATION").status == 200


def test_other_tenant_is_forbidden(xero: XeroHttp) -> None:
    xero.tenant = UK_TENANT
    reply = xero.get("/Organisation")
    assert reply.status == 403
    assert reply.json["Title"] == "Forbidden"
    xero.tenant = DEMO_TENANT


def test_missing_token_is_unauthorized(xero: XeroHttp) -> None:
    xero.token = "nope"
    reply = xero.get("/Organisation")
    assert reply.status == 401
    assert reply.json["Detail"] == "AuthenticationUnsuccessful"


def test_expired_token_is_told_it_expired(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    assert xero.get("/Organisation").status == 200
    sandbox.state.clock.advance(sandbox.config.access_token_seconds + 1)
    reply = xero.get("/Organisation")
    assert reply.status == 401
    assert reply.json["Title"] == "Unauthorized"
    assert reply.json["Detail"].startswith("TokenExpired: token expired at ")
