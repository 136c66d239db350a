"""Identity endpoints a client calls with its access token or anonymously.

``/connections`` (api.xero.com) lists and removes the organisations an app may reach for the
signed-in user; ``/connect/userinfo`` and the OpenID discovery document (identity.xero.com)
describe the user and the service.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox import errors
from xero_sandbox.consent import KNOWN_SCOPES
from xero_sandbox.identity_tokens import jwks
from xero_sandbox.state import SandboxState
from xero_sandbox.tokens import (
    DEMO_USER_EMAIL,
    DEMO_USER_FAMILY_NAME,
    DEMO_USER_GIVEN_NAME,
    DEMO_USER_ID,
    DEMO_USER_SUB,
    AccessToken,
    Connection,
)


def xero_datetime(value: datetime) -> str:
    """Xero's Connection timestamps: ISO 8601 UTC, seven fraction digits, no offset."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def connection_json(connection: Connection) -> dict[str, Any]:
    return {
        "id": connection.id,
        "authEventId": connection.auth_event_id,
        "tenantId": connection.tenant_id,
        "tenantType": connection.tenant_type,
        "tenantName": connection.tenant_name,
        "createdDateUtc": xero_datetime(connection.created),
        "updatedDateUtc": xero_datetime(connection.updated),
    }


def bearer_token(state: SandboxState, request: Request) -> AccessToken | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return None
    if state.identity.authenticate(value, state.clock.timestamp()) is None:
        return None
    return state.identity.access_tokens[value]


def custom_connection(state: SandboxState, access: AccessToken) -> list[Connection]:
    """A custom connection's one organisation, shown as Xero lists it (it cannot be removed)."""
    org = state.orgs.get(access.principal.custom_tenant or "")
    if org is None:
        return []
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"custom:{access.principal.client_id}:{org.tenant_id}")
    return [
        Connection(
            id=str(stable),
            tenant_id=org.tenant_id,
            tenant_name=org.name,
            client_id=access.principal.client_id,
            user_id=access.principal.user_id,
            auth_event_id=str(stable),
            created=org.created,
            updated=org.created,
        )
    ]


def list_connections(state: SandboxState, request: Request) -> Response:
    access = bearer_token(state, request)
    if access is None:
        return errors.unauthorized().response()
    principal = access.principal
    if principal.custom_tenant is not None:
        found = custom_connection(state, access)
    else:
        found = state.identity.user_connections(principal.client_id, principal.user_id)
    event = request.query_params.get("authEventId")
    if event:
        found = [c for c in found if c.auth_event_id.lower() == event.strip().lower()]
    found.sort(key=lambda c: c.created)
    return JSONResponse([connection_json(c) for c in found])


def delete_connection(state: SandboxState, request: Request) -> Response:
    access = bearer_token(state, request)
    if access is None:
        return errors.unauthorized().response()
    principal = access.principal
    wanted = request.path_params["id"].strip().lower()
    for connection in state.identity.user_connections(principal.client_id, principal.user_id):
        if connection.id == wanted:
            del state.identity.connections[connection.id]
            return Response(status_code=204)
    return errors.NotFound().response()


def userinfo(state: SandboxState, request: Request) -> Response:
    access = bearer_token(state, request)
    if access is None:
        return Response(
            status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    if "openid" not in access.scopes:
        return Response(
            status_code=403, headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'}
        )
    claims: dict[str, Any] = {"sub": DEMO_USER_SUB, "xero_userid": DEMO_USER_ID}
    if "email" in access.scopes:
        claims.update(email=DEMO_USER_EMAIL, preferred_username=DEMO_USER_EMAIL)
    if "profile" in access.scopes:
        claims.update(
            given_name=DEMO_USER_GIVEN_NAME,
            family_name=DEMO_USER_FAMILY_NAME,
            name=f"{DEMO_USER_GIVEN_NAME} {DEMO_USER_FAMILY_NAME}",
        )
    return JSONResponse(claims)


def discovery(state: SandboxState) -> dict[str, Any]:
    base = state.config.public_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/identity/connect/authorize",
        "token_endpoint": f"{base}/connect/token",
        "userinfo_endpoint": f"{base}/connect/userinfo",
        "revocation_endpoint": f"{base}/connect/revocation",
        "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
        "scopes_supported": sorted(KNOWN_SCOPES),
        "claims_supported": [
            "sub",
            "xero_userid",
            "global_session_id",
            "email",
            "preferred_username",
            "given_name",
            "family_name",
            "name",
            "nonce",
            "auth_time",
            "at_hash",
        ],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256"],
        "code_challenge_methods_supported": ["S256"],
    }


def routes(state: SandboxState) -> list[BaseRoute]:
    async def connections_get(request: Request) -> Response:
        return list_connections(state, request)

    async def connection_delete(request: Request) -> Response:
        return delete_connection(state, request)

    async def userinfo_get(request: Request) -> Response:
        return userinfo(state, request)

    async def discovery_get(request: Request) -> Response:
        return JSONResponse(discovery(state))

    async def jwks_get(request: Request) -> Response:
        return JSONResponse(jwks())

    return [
        Route("/connections", connections_get, methods=["GET"]),
        Route("/Connections", connections_get, methods=["GET"]),
        Route("/connections/{id}", connection_delete, methods=["DELETE"]),
        Route("/Connections/{id}", connection_delete, methods=["DELETE"]),
        Route("/connect/userinfo", userinfo_get, methods=["GET"]),
        Route("/.well-known/openid-configuration", discovery_get, methods=["GET"]),
        Route("/.well-known/openid-configuration/jwks", jwks_get, methods=["GET"]),
    ]
