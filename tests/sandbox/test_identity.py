"""Xero's login and consent page, access-token expiry, discovery and userinfo."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, custom_token
from tests.sandbox.oauth_helpers import (
    AUTHORIZE,
    PKCE_CLIENT,
    REDIRECT_URI,
    api,
    authorize_params,
    connect,
    connections,
    consent_form,
    exchange,
    organisation_status,
    redirect_query,
    token_call,
)
from xero_sandbox import SandboxConfig


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10, follow_redirects=False) as client:
        yield client


# --- the consent page -----------------------------------------------------------------------


def test_consent_page_lists_app_scopes_and_both_orgs_first_checked(http: httpx2.Client) -> None:
    reply = http.get(AUTHORIZE, params=authorize_params())
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    html = reply.text
    assert "ledgerlink demo wants to access your Xero data" in html
    assert "accounting.transactions" in html
    assert f'value="{DEMO_TENANT}" checked>' in html
    assert f'value="{UK_TENANT}">' in html
    assert "Ledgerlink Demo Company (AU)" in html and "Ledgerlink Demo Ltd (UK)" in html
    assert ">Allow access</button>" in html and ">Cancel</button>" in html
    assert "http://" not in html.split("<body>")[0]  # nothing loaded from elsewhere


def test_consent_page_escapes_app_supplied_text(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    sandbox.state.config.apps[0].name = "<script>alert(1)</script>"
    html = http.get(AUTHORIZE, params=authorize_params()).text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_clicking_allow_redirects_with_code_for_ticked_org(http: httpx2.Client) -> None:
    params = authorize_params()
    consent_id = consent_form(http.get(AUTHORIZE, params=params).text)
    reply = http.post(
        AUTHORIZE, data={"consent_id": consent_id, "tenant": [UK_TENANT], "action": "allow"}
    )
    query = redirect_query(reply)
    assert reply.headers["location"].startswith(REDIRECT_URI + "?")
    assert query["state"] == params["state"]
    tokens = exchange(http, query["code"]).json()
    listed = connections(http, tokens["access_token"]).json()
    assert [c["tenantId"] for c in listed] == [UK_TENANT]
    # The consent is used up: a second click is refused.
    again = http.post(AUTHORIZE, data={"consent_id": consent_id, "action": "allow"})
    assert again.status_code == 400
    assert "expired" in again.text


def test_clicking_cancel_redirects_with_access_denied(http: httpx2.Client) -> None:
    params = authorize_params()
    consent_id = consent_form(http.get(AUTHORIZE, params=params).text)
    reply = http.post(AUTHORIZE, data={"consent_id": consent_id, "action": "cancel"})
    assert redirect_query(reply) == {"error": "access_denied", "state": params["state"]}


def test_allow_with_no_org_ticked_shows_page_again(http: httpx2.Client) -> None:
    consent_id = consent_form(http.get(AUTHORIZE, params=authorize_params()).text)
    reply = http.post(AUTHORIZE, data={"consent_id": consent_id, "action": "allow"})
    assert reply.status_code == 200
    assert "Select at least one organisation to connect." in reply.text
    assert consent_form(reply.text) == consent_id
    retry = http.post(
        AUTHORIZE, data={"consent_id": consent_id, "action": "allow", "tenant": DEMO_TENANT}
    )
    assert "code" in redirect_query(retry)


def test_unknown_consent_id_gets_error_page(http: httpx2.Client) -> None:
    reply = http.post(AUTHORIZE, data={"consent_id": "forged", "action": "allow"})
    assert reply.status_code == 400
    assert "location" not in reply.headers


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_request", "Invalid redirect_uri"),
        ({"redirect_uri": REDIRECT_URI + "/"}, "invalid_request", "Invalid redirect_uri"),
        ({"client_id": "NOPE"}, "unauthorized_client", "Unknown client or client not enabled"),
        (
            {"client_id": "LEDGERLINK-CUSTOM-CONNECTION"},
            "unauthorized_client",
            "Unknown client or client not enabled",
        ),
    ],
)
def test_untrusted_redirect_gets_error_page_not_redirect(
    http: httpx2.Client, change: dict[str, str], error: str, description: str
) -> None:
    reply = http.get(AUTHORIZE, params=authorize_params(sandbox_consent="allow", **change))
    assert reply.status_code == 400
    assert "location" not in reply.headers
    assert f'<dd class="error">{error}</dd>' in reply.text
    assert f'<dd class="description">{description}</dd>' in reply.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": ""}, "invalid_request"),
        ({"scope": "openid accounting.everything"}, "invalid_scope"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"client_id": PKCE_CLIENT}, "invalid_request"),  # PKCE app without a challenge
    ],
)
def test_bad_request_redirects_back_with_error_and_state(
    http: httpx2.Client, change: dict[str, str], error: str
) -> None:
    params = authorize_params(**change)
    reply = http.get(AUTHORIZE, params=params)
    assert redirect_query(reply) == {"error": error, "state": params["state"]}


def test_unattended_deny_and_unknown_tenant(http: httpx2.Client) -> None:
    params = authorize_params(sandbox_consent="deny")
    assert redirect_query(http.get(AUTHORIZE, params=params))["error"] == "access_denied"
    reply = http.get(
        AUTHORIZE, params=authorize_params(sandbox_consent="allow", sandbox_tenants="demo,mars")
    )
    assert reply.status_code == 400
    assert "unknown organisation: mars" in reply.text


class TestAutoConsent:
    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        return SandboxConfig(auto_consent=True)

    def test_auto_consent_connects_every_org(self, http: httpx2.Client) -> None:
        query = redirect_query(http.get(AUTHORIZE, params=authorize_params()))
        tokens = exchange(http, query["code"]).json()
        tenants = {c["tenantId"] for c in connections(http, tokens["access_token"]).json()}
        assert tenants == {DEMO_TENANT, UK_TENANT}


# --- access token expiry, client credentials, discovery, userinfo ----------------------------


def test_expired_access_token_gets_401(sandbox: RunningSandbox) -> None:
    tokens = connect(sandbox.url, ("demo",))
    sandbox.state.clock.advance(sandbox.config.access_token_seconds - 10)
    assert organisation_status(sandbox, tokens["access_token"], DEMO_TENANT) == 200
    sandbox.state.clock.advance(11)
    client = api(sandbox, tokens["access_token"], DEMO_TENANT)
    reply = client.get("/Organisation")
    client.close()
    assert reply.status == 401
    assert reply.json["Title"] == "Unauthorized"
    assert reply.json["Status"] == 401


def test_client_credentials_still_work_without_tenant_header(
    sandbox: RunningSandbox, http: httpx2.Client
) -> None:
    token = custom_token(sandbox.url)
    client = api(sandbox, token, None)
    reply = client.get("/Organisation")
    client.close()
    assert reply.status == 200
    assert reply.json["Organisations"][0]["BaseCurrency"] == "AUD"
    listed = connections(http, token).json()
    assert [c["tenantId"] for c in listed] == [DEMO_TENANT]
    direct = token_call(
        http,
        {"grant_type": "client_credentials"},
        auth=("LEDGERLINK-CUSTOM-CONNECTION", "ledgerlink-custom-secret"),
    ).json()
    assert "refresh_token" not in direct
    assert direct["expires_in"] == 1800


def test_discovery_document(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    doc = http.get("/.well-known/openid-configuration").json()
    base = sandbox.url
    assert doc["issuer"] == base
    assert doc["authorization_endpoint"] == base + AUTHORIZE
    assert doc["token_endpoint"] == base + "/connect/token"
    assert doc["revocation_endpoint"] == base + "/connect/revocation"
    assert doc["userinfo_endpoint"] == base + "/connect/userinfo"
    assert doc["jwks_uri"] == base + "/.well-known/openid-configuration/jwks"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert {"authorization_code", "refresh_token", "client_credentials"} == set(
        doc["grant_types_supported"]
    )
    assert http.get("/.well-known/openid-configuration/jwks").json()["keys"]


def test_userinfo(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    tokens = connect(sandbox.url, ("demo",))
    reply = http.get(
        "/connect/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert reply.status_code == 200
    info = reply.json()
    assert info["email"] == "demo.user@ledgerlink.example"
    assert info["given_name"] == "Demo"
    assert info["sub"] and info["xero_userid"]
    assert http.get("/connect/userinfo").status_code == 401
    no_openid = custom_token(sandbox.url)
    denied = http.get("/connect/userinfo", headers={"Authorization": f"Bearer {no_openid}"})
    assert denied.status_code == 403
