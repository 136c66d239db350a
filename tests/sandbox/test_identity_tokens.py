"""Xero's token endpoint: code exchange (secret and PKCE) and refresh-token rotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, RunningSandbox
from tests.sandbox.oauth_helpers import (
    PKCE_CLIENT,
    REDIRECT_URI,
    WEB_CLIENT,
    WEB_SECRET,
    authorize_code,
    connect,
    connections,
    exchange,
    jwt_claims,
    organisation_status,
    pkce_code,
    pkce_exchange,
    pkce_pair,
    refresh,
    signing_key,
    token_call,
)


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10, follow_redirects=False) as client:
        yield client


# --- code exchange --------------------------------------------------------------------------


def test_exchange_with_basic_auth_gives_full_token_set(http: httpx2.Client) -> None:
    code = authorize_code(str(http.base_url), ("demo",), nonce="n-123")
    reply = exchange(http, code)
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1800
    assert body["refresh_token"]
    assert set(body["scope"].split()) >= {"openid", "offline_access", "accounting.settings"}
    claims = jwt_claims(body["id_token"], signing_key(http))
    assert claims["iss"] == str(http.base_url).rstrip("/")
    assert claims["aud"] == WEB_CLIENT
    assert claims["nonce"] == "n-123"
    assert claims["email"] == "demo.user@ledgerlink.example"
    assert claims["given_name"] == "Demo"
    assert claims["xero_userid"] and claims["sub"]
    assert claims["exp"] > claims["iat"]
    access = jwt_claims(body["access_token"], signing_key(http))
    assert access["xero_userid"] == claims["xero_userid"]
    listed = connections(http, body["access_token"]).json()
    assert access["authentication_event_id"] == listed[0]["authEventId"]


def test_exchange_with_client_secret_post(http: httpx2.Client) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": WEB_CLIENT,
        "client_secret": WEB_SECRET,
    }
    reply = token_call(http, data)
    assert reply.status_code == 200
    assert reply.json()["access_token"]


@pytest.mark.parametrize(
    "auth",
    [(WEB_CLIENT, "wrong-secret"), (WEB_CLIENT, ""), ("NO-SUCH-APP", "x")],
)
def test_bad_client_credentials_are_invalid_client(http: httpx2.Client, auth: Any) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    reply = token_call(http, data, auth=auth)
    assert reply.status_code == 401
    assert reply.json() == {"error": "invalid_client"}
    assert reply.headers["www-authenticate"].startswith("Basic")


def test_web_app_without_secret_in_form_is_invalid_client(http: httpx2.Client) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": WEB_CLIENT,
    }
    reply = token_call(http, data)
    assert (reply.status_code, reply.json()) == (401, {"error": "invalid_client"})


def test_scopes_without_offline_access_or_openid_give_no_refresh_or_id_token(
    sandbox: RunningSandbox,
) -> None:
    body = connect(sandbox.url, ("demo",), scope="accounting.settings")
    assert "refresh_token" not in body
    assert "id_token" not in body
    assert body["scope"] == "accounting.settings"


def test_scopes_add_up_across_consents(sandbox: RunningSandbox) -> None:
    connect(sandbox.url, ("demo",), scope="accounting.settings offline_access")
    second = connect(sandbox.url, ("demo",), scope="accounting.contacts")
    assert second["scope"].split() == [
        "accounting.settings",
        "offline_access",
        "accounting.contacts",
    ]


def test_pkce_exchange_without_secret(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    verifier, challenge = pkce_pair()
    reply = pkce_exchange(http, pkce_code(http, challenge), verifier)
    assert reply.status_code == 200
    body = reply.json()
    assert body["refresh_token"]
    assert organisation_status(sandbox, body["access_token"], DEMO_TENANT) == 200
    # The PKCE app refreshes with its client id alone.
    anonymous = refresh(http, body["refresh_token"], auth=None)
    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "invalid_client"})
    data = {
        "grant_type": "refresh_token",
        "refresh_token": body["refresh_token"],
        "client_id": PKCE_CLIENT,
    }
    assert token_call(http, data).status_code == 200


@pytest.mark.parametrize(
    "verifier",
    [
        "a" * 43,  # well formed, wrong
        None,  # missing
        "short",  # too short
        "a" * 129,  # too long
    ],
)
def test_pkce_wrong_or_missing_verifier_is_invalid_grant(
    http: httpx2.Client, verifier: str | None
) -> None:
    _, challenge = pkce_pair()
    reply = pkce_exchange(http, pkce_code(http, challenge), verifier)
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_grant"})


def test_web_app_that_sent_challenge_must_send_verifier(http: httpx2.Client) -> None:
    verifier, challenge = pkce_pair()
    assert exchange(http, pkce_code(http, challenge, WEB_CLIENT)).json() == {
        "error": "invalid_grant"
    }
    ok = exchange(http, pkce_code(http, challenge, WEB_CLIENT), code_verifier=verifier)
    assert ok.status_code == 200


def test_code_is_single_use(http: httpx2.Client) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    assert exchange(http, code).status_code == 200
    again = exchange(http, code)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


def test_code_expires(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    sandbox.state.clock.advance(sandbox.config.auth_code_seconds + 1)
    reply = exchange(http, code)
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_grant"})


def test_code_just_before_expiry_still_works(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    sandbox.state.clock.advance(sandbox.config.auth_code_seconds - 5)
    assert exchange(http, code).status_code == 200


def test_code_exchange_needs_the_same_redirect_uri(http: httpx2.Client) -> None:
    code = authorize_code(str(http.base_url), ("demo",))
    other = "http://localhost:8000/api/v1/connections/callback"  # registered, but not this one
    reply = exchange(http, code, redirect_uri=other)
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_grant"})


def test_code_issued_to_another_client_is_invalid_grant(http: httpx2.Client) -> None:
    verifier, challenge = pkce_pair()
    code = pkce_code(http, challenge, WEB_CLIENT)
    reply = pkce_exchange(http, code, verifier)  # PKCE client presents the web app's code
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
        ({"grant_type": "authorization_code"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unauthorized_client"),
    ],
)
def test_token_endpoint_errors(http: httpx2.Client, data: dict[str, str], error: str) -> None:
    reply = token_call(http, data, auth=(WEB_CLIENT, WEB_SECRET))
    assert (reply.status_code, reply.json()) == (400, {"error": error})


def test_custom_connection_app_cannot_use_authorization_code(http: httpx2.Client) -> None:
    data = {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI}
    reply = token_call(
        http, data, auth=("LEDGERLINK-CUSTOM-CONNECTION", "ledgerlink-custom-secret")
    )
    assert (reply.status_code, reply.json()) == (400, {"error": "unauthorized_client"})


# --- refresh tokens -------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    first = connect(sandbox.url, ("demo",))
    reply = refresh(http, first["refresh_token"])
    assert reply.status_code == 200
    second = reply.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 1800 and second["token_type"] == "Bearer"
    assert organisation_status(sandbox, second["access_token"], DEMO_TENANT) == 200
    third = refresh(http, second["refresh_token"]).json()
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    # Two rotations later the first token is neither current nor previous.
    assert refresh(http, first["refresh_token"]).json() == {"error": "invalid_grant"}


def test_previous_refresh_token_works_within_grace_then_fails(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    first = connect(sandbox.url, ("demo",))
    second = refresh(http, first["refresh_token"]).json()  # this reply is "lost"
    sandbox.state.clock.advance(sandbox.config.refresh_grace_seconds - 60)
    retry = refresh(http, first["refresh_token"])
    assert retry.status_code == 200
    retried = retry.json()
    assert retried["refresh_token"] == second["refresh_token"]
    assert organisation_status(sandbox, retried["access_token"], DEMO_TENANT) == 200
    sandbox.state.clock.advance(120)
    late = refresh(http, first["refresh_token"])
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})
    assert refresh(http, second["refresh_token"]).status_code == 200


def test_refresh_token_unused_too_long_expires(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    first = connect(sandbox.url, ("demo",))
    sandbox.state.clock.advance(sandbox.config.refresh_token_days * 86400 - 60)
    second = refresh(http, first["refresh_token"]).json()
    sandbox.state.clock.advance(sandbox.config.refresh_token_days * 86400 + 1)
    reply = refresh(http, second["refresh_token"])
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_grant"})


def test_refresh_by_another_client_or_unknown_token_is_invalid_grant(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    first = connect(sandbox.url, ("demo",))
    data = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": PKCE_CLIENT,
    }
    assert token_call(http, data).json() == {"error": "invalid_grant"}
    assert refresh(http, "sbx_rt_unknown").json() == {"error": "invalid_grant"}
    assert refresh(http, first["refresh_token"]).status_code == 200
