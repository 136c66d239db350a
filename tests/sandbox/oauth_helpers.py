"""The unattended authorization-code flow over plain HTTP, for tests that need user tokens.

The custom-connection token in conftest reaches only the demo organisation; a token from here
reaches every organisation named in ``tenants`` (keys such as ``demo`` and ``uk``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.conftest import RunningSandbox, XeroHttp

WEB_CLIENT = "LEDGERLINK-DEMO-APP"
WEB_SECRET = "ledgerlink-demo-secret"
PKCE_CLIENT = "LEDGERLINK-PKCE-APP"
AUTHORIZE = "/identity/connect/authorize"
REDIRECT_URI = "http://127.0.0.1:8000/api/v1/connections/callback"
SCOPES = (
    "openid profile email offline_access accounting.transactions accounting.contacts "
    "accounting.settings"
)


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(**extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": WEB_CLIENT,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "st-" + secrets.token_hex(4),
    }
    params.update(extra)
    return params


def redirect_query(response: httpx2.Response) -> dict[str, str]:
    """The parameters Xero put on the redirect back to the app."""
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


def authorize_code(base_url: str, tenants: tuple[str, ...] = ("demo", "uk"), **extra: str) -> str:
    params = authorize_params(sandbox_consent="allow", sandbox_tenants=",".join(tenants), **extra)
    response = httpx2.get(base_url + "/identity/connect/authorize", params=params, timeout=10)
    query = redirect_query(response)
    assert query.get("state") == params["state"]
    return query["code"]


def connect(
    base_url: str,
    tenants: tuple[str, ...] = ("demo", "uk"),
    *,
    client_id: str = WEB_CLIENT,
    client_secret: str = WEB_SECRET,
    scope: str = SCOPES,
) -> dict[str, Any]:
    """Consent (unattended) to ``tenants`` and exchange the code: the token JSON."""
    code = authorize_code(base_url, tenants, client_id=client_id, scope=scope)
    response = httpx2.post(
        base_url + "/connect/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(client_id, client_secret),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def token_call(http: httpx2.Client, data: dict[str, str], auth: Any = None) -> httpx2.Response:
    return http.post("/connect/token", data=data, auth=auth)


def exchange(http: httpx2.Client, code: str, **extra: str) -> httpx2.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    data.update(extra)
    return token_call(http, data, auth=(WEB_CLIENT, WEB_SECRET))


def refresh(http: httpx2.Client, token: str, auth: Any = (WEB_CLIENT, WEB_SECRET)) -> Any:
    return token_call(http, {"grant_type": "refresh_token", "refresh_token": token}, auth=auth)


def jwt_claims(token: str, key: bytes) -> dict[str, Any]:
    head, body, signature = token.split(".")
    expected = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


def signing_key(http: httpx2.Client) -> bytes:
    key = http.get("/.well-known/openid-configuration/jwks").json()["keys"][0]
    assert key["alg"] == "HS256"
    return base64.urlsafe_b64decode(key["k"] + "=" * (-len(key["k"]) % 4))


def api(sandbox: RunningSandbox, token: str, tenant: str | None) -> XeroHttp:
    return XeroHttp(sandbox.url, token, tenant)


def organisation_status(sandbox: RunningSandbox, token: str, tenant: str) -> int:
    client = api(sandbox, token, tenant)
    try:
        return client.get("/Organisation").status
    finally:
        client.close()


def connections(http: httpx2.Client, token: str, **params: str) -> httpx2.Response:
    return http.get("/connections", params=params, headers={"Authorization": f"Bearer {token}"})


def consent_form(html: str) -> str:
    found = re.search(r'name="consent_id" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def pkce_code(http: httpx2.Client, challenge: str, client_id: str = PKCE_CLIENT) -> str:
    params = authorize_params(
        client_id=client_id,
        code_challenge=challenge,
        code_challenge_method="S256",
        sandbox_consent="allow",
        sandbox_tenants="demo",
    )
    return redirect_query(http.get(AUTHORIZE, params=params))["code"]


def pkce_exchange(http: httpx2.Client, code: str, verifier: str | None) -> httpx2.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": PKCE_CLIENT,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return token_call(http, data)
