"""Token issuing: access tokens and ID tokens as signed JWTs, and the two user grants.

Xero's access and ID tokens are JWTs signed with RS256. The sandbox has no RSA library among its
dependencies, so it signs with HS256 and a key it publishes at the JWKS address: a client can
still decode and check every claim Xero sets (``xero_userid``, ``authentication_event_id``...).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from typing import Any

from starlette.responses import JSONResponse

from xero_sandbox.config import AppConfig
from xero_sandbox.state import SandboxState
from xero_sandbox.tokens import (
    DEMO_USER_EMAIL,
    DEMO_USER_FAMILY_NAME,
    DEMO_USER_GIVEN_NAME,
    DEMO_USER_ID,
    DEMO_USER_SUB,
    AccessToken,
    Grant,
    Principal,
    token_value,
)

SIGNING_KEY = b"xero-sandbox-token-signing-key-not-a-secret"
SIGNING_KID = "xero-sandbox-hs256"
ID_TOKEN_SECONDS = 300
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An RFC 6749 token-endpoint error: ``{"error": code}``.

    ``invalid_client`` is always 401 with a ``WWW-Authenticate`` challenge (RFC 6749 section 5.2
    allows it for every client and requires it for HTTP Basic), every other error is 400.
    """

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error

    def response(self) -> JSONResponse:
        if self.error == "invalid_client":
            headers = {**NO_STORE, "WWW-Authenticate": 'Basic realm="xero-sandbox"'}
            return JSONResponse({"error": self.error}, 401, headers=headers)
        return JSONResponse({"error": self.error}, 400, headers=NO_STORE)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(claims: dict[str, Any]) -> str:
    header = {"alg": "HS256", "kid": SIGNING_KID, "typ": "JWT"}
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(SIGNING_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


def jwks() -> dict[str, Any]:
    return {
        "keys": [
            {
                "kty": "oct",
                "use": "sig",
                "alg": "HS256",
                "kid": SIGNING_KID,
                "k": b64url(SIGNING_KEY),
            }
        ]
    }


def issue_access_token(state: SandboxState, principal: Principal, scopes: list[str]) -> AccessToken:
    now = int(state.clock.timestamp())
    expires = now + state.config.access_token_seconds
    claims: dict[str, Any] = {
        "nbf": now,
        "exp": expires,
        "iss": state.config.public_url,
        "aud": f"{state.config.public_url}/resources",
        "client_id": principal.client_id,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "scope": scopes,
    }
    if principal.custom_tenant is None:
        claims.update(
            sub=DEMO_USER_SUB,
            auth_time=now,
            xero_userid=principal.user_id,
            global_session_id=uuid.uuid4().hex,
            authentication_event_id=principal.grant_id,
        )
    access = AccessToken(
        token=sign_jwt(claims), principal=principal, expires=expires, scopes=scopes
    )
    state.identity.access_tokens[access.token] = access
    return access


def id_token(state: SandboxState, client_id: str, access_token: str, nonce: str | None) -> str:
    now = int(state.clock.timestamp())
    digest = hashlib.sha256(access_token.encode()).digest()
    claims: dict[str, Any] = {
        "nbf": now,
        "exp": now + ID_TOKEN_SECONDS,
        "iss": state.config.public_url,
        "aud": client_id,
        "iat": now,
        "at_hash": b64url(digest[: len(digest) // 2]),
        "sub": DEMO_USER_SUB,
        "auth_time": now,
        "xero_userid": DEMO_USER_ID,
        "global_session_id": uuid.uuid4().hex,
        "preferred_username": DEMO_USER_EMAIL,
        "email": DEMO_USER_EMAIL,
        "given_name": DEMO_USER_GIVEN_NAME,
        "family_name": DEMO_USER_FAMILY_NAME,
        "name": f"{DEMO_USER_GIVEN_NAME} {DEMO_USER_FAMILY_NAME}",
    }
    if nonce:
        claims["nonce"] = nonce
    return sign_jwt(claims)


def token_reply(state: SandboxState, grant: Grant, nonce: str | None = None) -> JSONResponse:
    """A new access token for the grant, with its current refresh token and an ID token."""
    principal = Principal(grant.client_id, grant.user_id, grant.grant_id)
    access = issue_access_token(state, principal, grant.scopes)
    body: dict[str, Any] = {}
    if "openid" in grant.scopes:
        body["id_token"] = id_token(state, grant.client_id, access.token, nonce)
    body.update(
        access_token=access.token,
        expires_in=state.config.access_token_seconds,
        token_type="Bearer",
    )
    if grant.refresh_token is not None:
        body["refresh_token"] = grant.refresh_token
    body["scope"] = " ".join(grant.scopes)
    return JSONResponse(body, headers=NO_STORE)


def pkce_matches(verifier: str, challenge: str) -> bool:
    computed = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return hmac.compare_digest(computed, challenge)


def authorization_code(state: SandboxState, app: AppConfig, form: dict[str, str]) -> JSONResponse:
    """Exchange a code for a token set and connect the organisations the person chose."""
    identity = state.identity
    now = state.clock.timestamp()
    value = form.get("code", "")
    if not value:
        raise OAuthError("invalid_request")
    code = identity.codes.get(value)
    if code is None or code.used or code.expires <= now or code.client_id != app.client_id:
        raise OAuthError("invalid_grant")
    code.used = True
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise OAuthError("invalid_grant")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier", "")
        if not VERIFIER.match(verifier):
            raise OAuthError("invalid_grant")
        if not pkce_matches(verifier, code.code_challenge):
            raise OAuthError("invalid_grant")

    key = (app.client_id, code.user_id)
    scopes = list(identity.granted_scopes.get(key, []))
    scopes += [s for s in code.scopes if s not in scopes]
    identity.granted_scopes[key] = scopes
    offline = "offline_access" in scopes
    grant = Grant(
        grant_id=str(uuid.uuid4()),
        client_id=app.client_id,
        user_id=code.user_id,
        scopes=scopes,
        tenant_ids=list(code.tenant_ids),
        refresh_token=token_value("sbx_rt") if offline else None,
        refresh_expires=now + state.config.refresh_token_days * 86400,
    )
    identity.grants[grant.grant_id] = grant
    tenants = [(t, state.orgs[t].name) for t in code.tenant_ids if t in state.orgs]
    identity.connect(app.client_id, code.user_id, tenants, grant.grant_id, state.clock.now())
    return token_reply(state, grant, code.nonce)


def refresh_token(state: SandboxState, app: AppConfig, form: dict[str, str]) -> JSONResponse:
    """Rotate the refresh token; the previous one still answers during the grace period.

    A retry with the previous token gets a new access token and the current refresh token, not
    another rotation: the client whose reply was lost ends up holding the one live token.
    """
    value = form.get("refresh_token", "")
    if not value:
        raise OAuthError("invalid_request")
    now = state.clock.timestamp()
    found = state.identity.grant_for_refresh(value)
    if found is None:
        raise OAuthError("invalid_grant")
    grant, previous = found
    if grant.revoked or grant.client_id != app.client_id:
        raise OAuthError("invalid_grant")
    if previous:
        if now > grant.previous_valid_until:
            raise OAuthError("invalid_grant")
        return token_reply(state, grant)
    if now > grant.refresh_expires:
        raise OAuthError("invalid_grant")
    grant.previous_refresh_token = grant.refresh_token
    grant.previous_valid_until = now + state.config.refresh_grace_seconds
    grant.refresh_token = token_value("sbx_rt")
    grant.refresh_expires = now + state.config.refresh_token_days * 86400
    return token_reply(state, grant)
