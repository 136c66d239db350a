"""Calls to Xero's identity service and /connections: HTTP only.

The flows that store what these return (``ledgerlink.sync.oauth``, ``.refresh``) are apart; these
functions only speak HTTP, through Authlib's httpx2 client for the token endpoint.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuth2Client, OAuthError

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.xero.transport import shared_transport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class XeroApp:
    client_id: str
    client_secret: str | None


@dataclass(frozen=True)
class Granted:
    """What the token endpoint answered."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


def oauth_client(
    settings: Settings, app: XeroApp, transport: httpx2.BaseTransport | None, **kw: Any
) -> OAuth2Client:
    method = "client_secret_basic" if app.client_secret else "none"
    return OAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        token_endpoint_auth_method=method,
        timeout=settings.http_timeout,
        transport=shared_transport(transport),
        **kw,
    )


def _http(settings: Settings, transport: httpx2.BaseTransport | None) -> httpx2.Client:
    """A plain client for the identity endpoints, on the process's shared pool."""
    return httpx2.Client(timeout=settings.http_timeout, transport=shared_transport(transport))


def read_token(token: dict[str, Any]) -> Granted:
    return Granted(
        access_token=str(token["access_token"]),
        refresh_token=token.get("refresh_token"),
        expires_in=int(token.get("expires_in") or 1800),
        scope=" ".join(token["scope"])
        if isinstance(token.get("scope"), list)
        else str(token.get("scope") or ""),
    )


def unavailable(what: str, exc: Exception) -> LedgerlinkError:
    return LedgerlinkError("XERO_UNAVAILABLE", f"Xero's {what} did not answer: {exc}.")


# OAuth error codes that mean "these credentials or this grant are refused", for good: a person
# must act. Anything else from the token endpoint (a 429, a 5xx, a body that is not OAuth's) is
# Xero having a moment, and the call is tried again later.
REFUSALS = frozenset(
    {
        "invalid_client",
        "unauthorized_client",
        "invalid_grant",
        "invalid_scope",
        "invalid_request",
        "unsupported_grant_type",
    }
)


def _not_answered(what: str, exc: Exception) -> LedgerlinkError:
    detail = exc.error if isinstance(exc, OAuthError) else "a reply that is not OAuth's"
    return LedgerlinkError(
        "XERO_UNAVAILABLE", f"Xero's {what} gave no token just now ({detail}); tried again later."
    )


def client_credentials(
    settings: Settings,
    app: XeroApp,
    transport: httpx2.BaseTransport | None,
    *,
    scope: str | None = None,
) -> Granted:
    """A custom connection's token for ``scope``; None asks for nothing in particular, and Xero
    grants what the connection was authorised for. A renewal asks for nothing: a connection
    made before the engine asked for granular scopes keeps working (its token set's scopes are
    then what Xero grants)."""
    extra = {"scope": scope} if scope else {}
    with oauth_client(settings, app, transport) as client:
        try:
            return read_token(
                client.fetch_token(
                    settings.xero_token_url, grant_type="client_credentials", **extra
                )
            )
        except OAuthError as exc:
            if exc.error not in REFUSALS:
                raise _not_answered("token endpoint", exc) from exc
            if exc.error == "invalid_scope":
                raise LedgerlinkError(
                    "VALIDATION_FAILED",
                    f"Xero refused the scopes asked for ({scope}): an app created on or after "
                    "2 March 2026 takes granular scopes only, and the custom connection must "
                    "be authorised for each (LEDGERLINK_XERO_SCOPE_STYLE, "
                    "LEDGERLINK_XERO_SCOPES).",
                    "scopes",
                ) from exc
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                f"Xero refused the custom connection's client id and secret ({exc.error}).",
                "client_secret",
            ) from exc
        except httpx2.HTTPError as exc:
            raise unavailable("token endpoint", exc) from exc
        except ValueError as exc:  # a reply that is not JSON (an HTML error page)
            raise _not_answered("token endpoint", exc) from exc


def claim(jwt: str, name: str) -> str | None:
    """One claim of a token Xero just handed us (read, not verified: it came from Xero)."""
    try:
        body = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        return None
    value = claims.get(name) if isinstance(claims, dict) else None
    return str(value) if value else None


def list_tenants(
    settings: Settings, access: str, event_id: str | None, transport: httpx2.BaseTransport | None
) -> list[dict[str, Any]]:
    """The organisations this consent covered (filtered by its auth event when known)."""
    params = {"authEventId": event_id} if event_id else None
    with _http(settings, transport) as http:
        try:
            reply = http.get(
                settings.xero_api_url + "/connections",
                params=params,
                headers={"Authorization": f"Bearer {access}", "Accept": "application/json"},
            )
            reply.raise_for_status()
        except httpx2.HTTPError as exc:
            raise unavailable("connections endpoint", exc) from exc
    return [c for c in reply.json() if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]


def renew(
    settings: Settings,
    app: XeroApp,
    *,
    custom: bool,
    refresh_token: str | None,
    transport: httpx2.BaseTransport | None,
) -> Granted:
    """New tokens: client credentials again for a custom connection, else spend the refresh token.

    A refresh whose reply was lost (network error, 5xx) is sent again once with the same refresh
    token: Xero answers a just-rotated token during its grace period instead of refusing it.
    """
    if custom:
        try:
            return client_credentials(settings, app, transport)
        except LedgerlinkError as exc:
            if exc.code != "VALIDATION_FAILED":
                raise
            raise LedgerlinkError(
                "CONNECTION_NEEDS_REAUTH",
                "Xero no longer accepts this custom connection's client id and secret: "
                "connect it again with the ones Xero shows now.",
                "client_secret",
            ) from exc
    if not refresh_token:
        raise LedgerlinkError(
            "CONNECTION_NEEDS_REAUTH", "This connection has no refresh token.", "connection_id"
        )
    last: Exception | None = None
    for _attempt in range(2):
        with oauth_client(settings, app, transport) as client:
            try:
                token = client.refresh_token(settings.xero_token_url, refresh_token=refresh_token)
            except OAuthError as exc:
                if exc.error in ("invalid_grant", "unauthorized_client"):
                    raise LedgerlinkError(
                        "CONNECTION_NEEDS_REAUTH",
                        f"Xero refused the refresh token ({exc.error}): connect again.",
                        "connection_id",
                    ) from exc
                if exc.error not in REFUSALS:
                    raise _not_answered("token endpoint", exc) from exc
                raise LedgerlinkError(
                    "XERO_UNAUTHORIZED",
                    f"Xero refused the app {app.client_id} at refresh ({exc.error}).",
                    "xero_client_id",
                ) from exc
            except httpx2.HTTPError as exc:
                log.warning("token refresh reply lost (%s); retrying with the same token", exc)
                last = exc
                continue
            except ValueError as exc:  # a reply that is not JSON (an HTML error page)
                raise _not_answered("token endpoint", exc) from exc
        granted = read_token(token)
        if granted.refresh_token is None:
            granted = Granted(
                granted.access_token, refresh_token, granted.expires_in, granted.scope
            )
        return granted
    raise unavailable("token endpoint", last or RuntimeError("no reply"))


def delete_at_xero(
    settings: Settings, access: str, xero_id: str, transport: httpx2.BaseTransport | None
) -> None:
    with _http(settings, transport) as http:
        try:
            reply = http.delete(
                f"{settings.xero_api_url}/connections/{xero_id}",
                headers={"Authorization": f"Bearer {access}"},
            )
        except httpx2.HTTPError as exc:
            raise unavailable("connections endpoint", exc) from exc
    if reply.status_code not in (200, 204, 404):
        raise LedgerlinkError(
            "XERO_UNAVAILABLE", f"Xero answered {reply.status_code} to the disconnect."
        )
