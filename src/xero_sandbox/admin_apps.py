"""The sandbox's registered Xero apps under /_sandbox/apps: list, register, change.

What the developer portal does at developer.xero.com: an app has a kind, redirect URIs, the
day it was created, which decides its scopes (from 2 March 2026, granular only), and a pricing
tier, which decides its connections' daily call limit (Starter 1,000, the others 5,000). Secrets
are never shown back. Apps are configuration: /_sandbox/reset leaves them as they are. A change
is POST or PATCH /_sandbox/apps/{client_id} with the fields to change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox import scopes
from xero_sandbox.admin import AdminError, guarded, object_body, read_json, unknown_fields
from xero_sandbox.config import DEFAULT_TIER, LEGACY_APP_CREATED, TIERS, AppConfig
from xero_sandbox.consent import KNOWN_SCOPES
from xero_sandbox.state import SandboxState

KINDS = ("web", "pkce", "custom")
NEW_FIELDS = (
    "client_id",
    "client_secret",
    "kind",
    "name",
    "redirect_uris",
    "custom_tenant",
    "created",
    "scopes",
    "tier",
)
CHANGEABLE = ("name", "redirect_uris", "created", "scopes", "tier")


def app_json(app: AppConfig) -> dict[str, Any]:
    return {
        "client_id": app.client_id,
        "kind": app.kind,
        "name": app.name,
        "redirect_uris": list(app.redirect_uris),
        "custom_tenant": app.custom_tenant,
        "created": app.created.isoformat(),
        "granular_only": scopes.granular_only(app.created),
        "scopes": list(app.scopes) if app.scopes is not None else None,
        "has_secret": app.client_secret is not None,
        "tier": app.tier,
    }


def _text(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str) or not value.strip():
        raise AdminError(f"{name} must be a non-empty string")
    return value.strip()


def created_of(body: dict[str, Any], current: date) -> date:
    """The day the app was made (``created``), or ``current`` when the body names none."""
    if "created" not in body:
        return current
    value = body["created"]
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise AdminError("created must be a date as YYYY-MM-DD (from 2026-03-02: granular scopes only)")


def tier_of(body: dict[str, Any], current: str) -> str:
    """The pricing tier named in the body (any case), or ``current`` when it names none."""
    if "tier" not in body:
        return current
    value = body["tier"]
    if isinstance(value, str) and value.strip().lower() in TIERS:
        return value.strip().lower()
    raise AdminError(f"tier must be one of {', '.join(TIERS)} (Starter allows 1,000 calls a day)")


def _redirects(body: dict[str, Any], current: list[str]) -> list[str]:
    if "redirect_uris" not in body:
        return current
    value = body["redirect_uris"]
    if not isinstance(value, list) or not all(isinstance(u, str) and u for u in value):
        raise AdminError("redirect_uris must be a list of URLs")
    return list(value)


def _scopes(body: dict[str, Any], current: list[str] | None, created: date) -> list[str] | None:
    """A custom connection's authorised scopes: known ones, none broad for a granular-only app."""
    value = body.get("scopes", current)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise AdminError("scopes must be a list of scope names, or null")
    unknown = [s for s in value if s not in KNOWN_SCOPES]
    if unknown:
        raise AdminError(f"unknown scopes: {', '.join(unknown)}")
    broad = scopes.refused_for(created, value)
    if broad:
        raise AdminError(
            f"an app created on {created.isoformat()} gets granular scopes only, not "
            f"{', '.join(broad)}"
        )
    return list(dict.fromkeys(value))


def _new_app(state: SandboxState, body: dict[str, Any]) -> AppConfig:
    unknown_fields(body, NEW_FIELDS)
    if "client_id" not in body:
        raise AdminError("client_id is required")
    client_id = _text(body, "client_id")
    if state.config.app(client_id) is not None:
        raise AdminError(f"an app {client_id} is already registered", 409)
    kind = body.get("kind", "web")
    if kind not in KINDS:
        raise AdminError(f"kind must be one of {', '.join(KINDS)}")
    secret = _text(body, "client_secret") if body.get("client_secret") is not None else None
    if (secret is None) != (kind == "pkce"):
        raise AdminError("a web or custom app needs a client_secret; a pkce app has none")
    tenant = None
    if kind == "custom":
        if not isinstance(body.get("custom_tenant"), str):
            raise AdminError("a custom app needs custom_tenant (an organisation key or id)")
        org = state.org_by_key(body["custom_tenant"].strip().lower())
        if org is None:
            raise AdminError(f"no organisation {body['custom_tenant']!r}", 404)
        tenant = org.key
    elif body.get("custom_tenant") is not None:
        raise AdminError("only a custom app has a custom_tenant")
    created = created_of(body, LEGACY_APP_CREATED)
    return AppConfig(
        client_id=client_id,
        client_secret=secret,
        kind=kind,
        name=_text(body, "name") if "name" in body else client_id,
        redirect_uris=_redirects(body, []),
        custom_tenant=tenant,
        created=created,
        scopes=_scopes(body, None, created),
        tier=tier_of(body, DEFAULT_TIER),
    )


def _change(state: SandboxState, app: AppConfig, body: dict[str, Any]) -> None:
    """Every field is checked before any is changed, so a refused change changes nothing."""
    unknown_fields(body, CHANGEABLE)
    created = created_of(body, app.created)
    authorised = _scopes(body, app.scopes, created)
    redirects = _redirects(body, app.redirect_uris)
    tier = tier_of(body, app.tier)
    if "name" in body:
        app.name = _text(body, "name")
    app.created, app.scopes, app.redirect_uris = created, authorised, redirects
    if tier != app.tier:
        app.tier = tier
        state.limits.retier(app.client_id)


def routes(state: SandboxState) -> list[BaseRoute]:
    async def apps(request: Request) -> Response:
        if request.method == "POST":
            app = _new_app(state, object_body(await read_json(request)))
            state.config.apps.append(app)
            return JSONResponse(app_json(app), 201)
        return JSONResponse({"apps": [app_json(a) for a in state.config.apps]})

    async def one_app(request: Request) -> Response:
        app = state.config.app(request.path_params["client_id"])
        if app is None:
            known = ", ".join(a.client_id for a in state.config.apps)
            raise AdminError(f"no app {request.path_params['client_id']!r}; known: {known}", 404)
        if request.method in ("POST", "PATCH"):
            _change(state, app, object_body(await read_json(request)))
        return JSONResponse(app_json(app))

    return [
        Route("/_sandbox/apps", guarded(apps), methods=["GET", "POST"]),
        Route("/_sandbox/apps/{client_id}", guarded(one_app), methods=["GET", "POST", "PATCH"]),
    ]
