"""Xero's identity service: the token and revocation endpoints, and every identity route.

The authorize (consent) pages live in ``consent.py``, token issuing in ``identity_tokens.py`` and
the bearer-token endpoints (connections, userinfo, discovery) in ``identity_api.py``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox import consent, identity_api, scopes
from xero_sandbox.config import AppConfig
from xero_sandbox.identity_tokens import (
    NO_STORE,
    OAuthError,
    authorization_code,
    issue_access_token,
    refresh_token,
)
from xero_sandbox.state import SandboxState
from xero_sandbox.tokens import Principal

# What a custom connection is authorised for when its app names nothing: the accounting scopes
# an integration reads and writes, broad for an app made before 2 March 2026, granular after.
CUSTOM_SCOPES = [
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings",
    "accounting.attachments",
    "accounting.journals.read",
    "accounting.reports.read",
]
CUSTOM_GRANULAR_SCOPES = [
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.contacts",
    "accounting.settings",
    "accounting.attachments",
    "accounting.journals.read",
    *sorted(scopes.REPORT_SCOPES),
]

__all__ = [
    "CUSTOM_GRANULAR_SCOPES",
    "CUSTOM_SCOPES",
    "client_auth",
    "issue_access_token",
    "oauth_error",
    "routes",
]


def oauth_error(error: str, status: int = 400, description: str | None = None) -> JSONResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return JSONResponse(body, status, headers=NO_STORE)


def client_auth(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic (client_secret_basic) or the form (_post).

    RFC 6749 section 2.3.1 form-encodes both parts before Basic encoding, so they are decoded.
    """
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id"), form.get("client_secret")


def authenticate_client(state: SandboxState, request: Request, form: dict[str, str]) -> AppConfig:
    """The calling app; a confidential app must prove its secret, a PKCE app has none."""
    client_id, secret = client_auth(request, form)
    app = state.config.app(client_id or "")
    if app is None:
        raise OAuthError("invalid_client")
    if app.client_secret is not None and not hmac.compare_digest(
        (secret or "").encode(), app.client_secret.encode()
    ):
        raise OAuthError("invalid_client")
    return app


def client_credentials(state: SandboxState, app: AppConfig, form: dict[str, str]) -> Response:
    """Custom connections: a new 30-minute token for the one organisation, no refresh token."""
    if app.kind != "custom" or app.custom_tenant is None:
        return oauth_error("unauthorized_client")
    org = state.org_by_key(app.custom_tenant)
    if org is None:
        return oauth_error("invalid_client", 401)
    principal = Principal(
        app.client_id, user_id=f"custom:{app.client_id}", grant_id=None, custom_tenant=org.tenant_id
    )
    requested = list(dict.fromkeys(form.get("scope", "").split()))
    if any(s not in consent.KNOWN_SCOPES for s in requested):
        return oauth_error("invalid_scope")
    if scopes.refused_for(app.created, requested):
        return oauth_error("invalid_scope")
    if app.scopes is not None and any(s not in app.scopes for s in requested):
        return oauth_error("invalid_scope")
    granted = requested or custom_scopes(app)
    access = issue_access_token(state, principal, granted)
    return JSONResponse(
        {
            "access_token": access.token,
            "expires_in": state.config.access_token_seconds,
            "token_type": "Bearer",
            "scope": " ".join(granted),
        },
        headers=NO_STORE,
    )


def custom_scopes(app: AppConfig) -> list[str]:
    """What the custom connection was authorised for (a token asking for nothing gets them)."""
    if app.scopes is not None:
        return list(app.scopes)
    if scopes.granular_only(app.created):
        return list(CUSTOM_GRANULAR_SCOPES)
    return list(CUSTOM_SCOPES)


async def read_form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def token_endpoint(state: SandboxState, request: Request, form: dict[str, str]) -> Response:
    app = authenticate_client(state, request, form)
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise OAuthError("invalid_request")
    if grant_type == "client_credentials":
        return client_credentials(state, app, form)
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type")
    if app.kind == "custom":
        raise OAuthError("unauthorized_client")
    state.identity.purge(state.clock.timestamp())
    if grant_type == "authorization_code":
        return authorization_code(state, app, form)
    return refresh_token(state, app, form)


def revocation_endpoint(state: SandboxState, request: Request, form: dict[str, str]) -> Response:
    """Revoke the grant behind a refresh token and remove all that user's connections to the app.

    As RFC 7009 asks, an unknown token, or one issued to another client, is answered 200 and
    changes nothing.
    """
    app = authenticate_client(state, request, form)
    token = form.get("token", "")
    if not token:
        raise OAuthError("invalid_request")
    found = state.identity.grant_for_refresh(token)
    if found is not None:
        grant, previous = found
        live = not previous or state.clock.timestamp() <= grant.previous_valid_until
        if grant.client_id == app.client_id and live and not grant.revoked:
            state.identity.revoke(grant)
    return Response(status_code=200, headers=NO_STORE)


def routes(state: SandboxState) -> list[BaseRoute]:
    async def token(request: Request) -> Response:
        form = await read_form(request)
        try:
            return token_endpoint(state, request, form)
        except OAuthError as exc:
            return exc.response()

    async def revocation(request: Request) -> Response:
        form = await read_form(request)
        try:
            return revocation_endpoint(state, request, form)
        except OAuthError as exc:
            return exc.response()

    return [
        Route("/connect/token", token, methods=["POST"]),
        Route("/connect/revocation", revocation, methods=["POST"]),
        *consent.routes(state),
        *identity_api.routes(state),
    ]
