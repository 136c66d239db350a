"""Xero's identity service: authorize (consent), token, revocation and connections."""

from __future__ import annotations

import base64
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox.config import AppConfig
from xero_sandbox.state import SandboxState
from xero_sandbox.tokens import AccessToken, Principal, token_value

CUSTOM_SCOPES = ["accounting.transactions", "accounting.contacts", "accounting.settings"]


def oauth_error(error: str, status: int = 400, description: str | None = None) -> JSONResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return JSONResponse(body, status)


def client_auth(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic (client_secret_basic) or the form (_post)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def issue_access_token(
    state: SandboxState, principal: Principal, scopes: list[str]
) -> AccessToken:
    access = AccessToken(
        token=token_value("sbx_at"),
        principal=principal,
        expires=state.clock.timestamp() + state.config.access_token_seconds,
        scopes=scopes,
    )
    state.identity.access_tokens[access.token] = access
    return access


def client_credentials(state: SandboxState, app: AppConfig, form: dict[str, str]) -> Response:
    """Custom connections: a new 30-minute token for the one organisation, no refresh token."""
    if app.kind != "custom" or app.custom_tenant is None:
        return oauth_error("unauthorized_client")
    org = state.org_by_key(app.custom_tenant)
    if org is None:
        return oauth_error("invalid_client")
    principal = Principal(app.client_id, user_id=f"custom:{app.client_id}", grant_id=None,
                          custom_tenant=org.tenant_id)
    requested = form.get("scope", "").split()
    scopes = requested or CUSTOM_SCOPES
    access = issue_access_token(state, principal, scopes)
    return JSONResponse(
        {
            "access_token": access.token,
            "expires_in": state.config.access_token_seconds,
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        }
    )


def routes(state: SandboxState) -> list[BaseRoute]:
    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, secret = client_auth(request, form)
        app = state.config.app(client_id or "")
        if app is None:
            return oauth_error("invalid_client")
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            if app.client_secret is None or secret != app.client_secret:
                return oauth_error("invalid_client")
            return client_credentials(state, app, form)
        return oauth_error("unsupported_grant_type")

    _ = uuid
    return [Route("/connect/token", token, methods=["POST"])]
