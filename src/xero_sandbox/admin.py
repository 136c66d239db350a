"""The sandbox's own control API under /_sandbox/: what tests, benchmarks and users steer.

Real Xero has nothing like it. It is a loopback tool: no auth, JSON in and out, and a body that
is not JSON is refused with a 400 that says so. Records are not seeded here: they go through
the Accounting API like any client's, so they pass the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox.faults import FaultRule, FaultSpecError
from xero_sandbox.seed import seed
from xero_sandbox.state import Org, SandboxState
from xero_sandbox.webhooks import WebhookDispatcher
from xero_sandbox.year import seed_configured_years

LIMIT_COUNTS = (
    "tenant_per_minute",
    "tenant_per_day",
    "starter_per_day",
    "tenant_concurrent",
    "app_per_minute",
)
LIMIT_SECONDS = ("minute_seconds", "day_seconds")
LOCK_FIELDS = ("period_lock_date", "end_of_year_lock_date")

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(endpoint: Endpoint) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except AdminError as exc:
            return JSONResponse({"error": exc.message}, exc.status)

    return run


async def read_json(request: Request, *, required: bool = True) -> Any:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise AdminError("this endpoint needs a JSON body (Content-Type: application/json)")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminError(f"the body is not JSON ({exc}); send a JSON document") from exc


def object_body(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AdminError("the body must be a JSON object")
    return value


def unknown_fields(body: dict[str, Any], known: tuple[str, ...]) -> None:
    extra = sorted(set(body) - set(known))
    if extra:
        raise AdminError(f"unknown fields: {', '.join(extra)}; known: {', '.join(known)}")


def _number(body: dict[str, Any], name: str, *, minimum: float, integer: bool) -> float:
    value = body[name]
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise AdminError(f"{name} must be {'a whole number' if integer else 'a number'}")
    if value < minimum:
        raise AdminError(f"{name} must be at least {minimum:g}")
    return value


def _org(state: SandboxState, key: str) -> Org:
    org = state.org_by_key(key) or state.org_by_key(key.lower())
    if org is None:
        known = ", ".join(f"{o.key} ({o.tenant_id})" for o in state.orgs.values())
        raise AdminError(f"no organisation {key!r}; known: {known}", 404)
    return org


def org_json(org: Org) -> dict[str, Any]:
    return {
        "key": org.key,
        "tenant_id": org.tenant_id,
        "name": org.name,
        "short_code": org.short_code,
        "country_code": org.country_code,
        "class": org.org_class,
        "offline": org.offline,
        "period_lock_date": org.period_lock_date.isoformat() if org.period_lock_date else None,
        "end_of_year_lock_date": (
            org.end_of_year_lock_date.isoformat() if org.end_of_year_lock_date else None
        ),
    }


def limits_json(state: SandboxState) -> dict[str, Any]:
    lim = state.limits.limits
    return {name: getattr(lim, name) for name in (*LIMIT_COUNTS, *LIMIT_SECONDS, "enabled")}


def dispatcher(state: SandboxState) -> WebhookDispatcher:
    found = state.extensions.get("webhooks")
    if not isinstance(found, WebhookDispatcher):
        raise AdminError("webhooks are not running in this sandbox", 503)
    return found


def egress_json(state: SandboxState) -> dict[str, Any]:
    """Bytes of Accounting API reply bodies sent, in total and per organisation."""
    sent = state.egress
    by_org = {o.key: sent.by_tenant.get(o.tenant_id, 0) for o in state.orgs.values()}
    return {
        "response_bytes": sent.total_bytes,
        "responses": sent.replies,
        "by_org": by_org,
        "by_tenant": dict(sent.by_tenant),
    }


def stats_json(state: SandboxState) -> dict[str, Any]:
    limits = state.limits.stats()
    by_org = {o.key: state.limits.calls.get(o.tenant_id, 0) for o in state.orgs.values()}
    hooks = state.extensions.get("webhooks")
    return {
        "api_calls": {"by_tenant": limits["calls"], "by_org": by_org},
        "rate_limits": {
            "refused": limits["refused"],
            "refused_total": limits["refused_total"],
            "in_flight": limits["in_flight"],
            "peak_in_flight": limits["peak_in_flight"],
        },
        "egress": egress_json(state),
        "idempotent_replays": state.idempotency.replayed,
        "idempotency_keys_stored": len(state.idempotency.replies),
        "faults_fired": len(state.faults.fired_log),
        "webhooks": hooks.stats() if isinstance(hooks, WebhookDispatcher) else None,
        "events": len(state.events),
        "request_log": len(state.request_log),
    }


def routes(state: SandboxState) -> list[BaseRoute]:
    async def index(request: Request) -> Response:
        template = _TEMPLATES.get_template("admin_index.html")
        html = template.render(
            orgs=[org_json(o) for o in state.orgs.values()],
            limits=limits_json(state),
            stats=stats_json(state),
            now=state.clock.now().isoformat(timespec="seconds"),
        )
        return HTMLResponse(html)

    async def reset(request: Request) -> Response:
        body = await read_json(request, required=False)
        body = object_body(body) if body is not None else {}
        unknown_fields(body, ("seed",))
        fault_seed = int(_number(body, "seed", minimum=0, integer=True)) if "seed" in body else None
        seed(state)
        seed_configured_years(state)
        state.limits.reset()
        state.egress.reset()
        state.idempotency.reset()
        state.faults.reset(fault_seed)
        state.events.clear()
        state.request_log.clear()
        await dispatcher(state).reset()
        return JSONResponse({"reset": True, "fault_seed": state.faults.seed})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.reset()
            return JSONResponse(state.faults.describe())
        if request.method == "POST":
            body = await read_json(request)
            specs = body if isinstance(body, list) else [body]
            rules: list[FaultRule] = []
            for number, spec in enumerate(specs, start=1):
                if isinstance(spec, dict) and isinstance(spec.get("tenant_id"), str):
                    try:
                        spec = {**spec, "tenant_id": _org(state, spec["tenant_id"]).tenant_id}
                    except AdminError as exc:
                        raise AdminError(f"fault {number}: {exc.message}") from exc
                try:
                    rules.append(FaultRule.from_json(spec))
                except FaultSpecError as exc:
                    raise AdminError(f"fault {number}: {exc}") from exc
                except (TypeError, ValueError) as exc:
                    raise AdminError(f"fault {number}: {exc}") from exc
            for rule in rules:
                state.faults.add(rule)
            return JSONResponse(state.faults.describe(), 201)
        return JSONResponse(state.faults.describe())

    async def limits(request: Request) -> Response:
        if request.method == "PUT":
            body = object_body(await read_json(request))
            unknown_fields(body, (*LIMIT_COUNTS, *LIMIT_SECONDS, "enabled"))
            changes: dict[str, Any] = {}
            for name in LIMIT_COUNTS:
                if name in body:
                    changes[name] = int(_number(body, name, minimum=0, integer=True))
            for name in LIMIT_SECONDS:
                if name in body:
                    changes[name] = float(_number(body, name, minimum=0.001, integer=False))
            if "enabled" in body:
                if not isinstance(body["enabled"], bool):
                    raise AdminError("enabled must be true or false")
                changes["enabled"] = body["enabled"]
            for name, value in changes.items():
                setattr(state.limits.limits, name, value)
            state.limits.reset_windows()
        return JSONResponse(limits_json(state))

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            body = object_body(await read_json(request))
            unknown_fields(body, ("advance_seconds",))
            if "advance_seconds" not in body:
                raise AdminError("advance_seconds is required")
            state.clock.advance(_number(body, "advance_seconds", minimum=0, integer=False))
        return JSONResponse(
            {
                "now": state.clock.now().isoformat(timespec="milliseconds"),
                "timestamp": state.clock.timestamp(),
                "offset_seconds": state.clock.offset,
            }
        )

    async def org_flags(request: Request) -> Response:
        org = _org(state, request.path_params["org"])
        if request.method == "POST":
            body = object_body(await read_json(request))
            unknown_fields(body, ("offline", *LOCK_FIELDS))
            if "offline" in body and not isinstance(body["offline"], bool):
                raise AdminError("offline must be true or false")
            dates: dict[str, date | None] = {}
            for name in LOCK_FIELDS:
                if name not in body:
                    continue
                value = body[name]
                if value is None:
                    dates[name] = None
                    continue
                try:
                    dates[name] = date.fromisoformat(value) if isinstance(value, str) else None
                except ValueError:
                    dates[name] = None
                if dates[name] is None:
                    raise AdminError(f"{name} must be a date as YYYY-MM-DD, or null")
            if "offline" in body:
                org.offline = body["offline"]
            for name, value in dates.items():
                setattr(org, name, value)
        return JSONResponse(org_json(org))

    async def stats(request: Request) -> Response:
        return JSONResponse(stats_json(state))

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            state.request_log.clear()
            return JSONResponse({"requests": [], "count": 0})
        entries = list(state.request_log)
        tenant = request.query_params.get("tenant")
        if tenant:
            wanted = _org(state, tenant).tenant_id
            entries = [e for e in entries if e["tenant"] == wanted]
        method = request.query_params.get("method")
        if method:
            entries = [e for e in entries if e["method"] == method.upper()]
        return JSONResponse({"requests": entries, "count": len(entries)})

    async def webhooks(request: Request) -> Response:
        hooks = dispatcher(state)
        if request.method == "DELETE":
            return JSONResponse(await hooks.unsubscribe())
        if request.method == "PUT":
            body = object_body(await read_json(request))
            unknown_fields(body, ("url", "key"))
            url = body.get("url")
            if not isinstance(url, str):
                raise AdminError("url must be an absolute http(s) URL")
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise AdminError("url must be an absolute http(s) URL")
            key = body.get("key")
            if key is not None and (not isinstance(key, str) or not key):
                raise AdminError("key must be a non-empty string (or left out for the default)")
            return JSONResponse(await hooks.subscribe(url, key))
        return JSONResponse(hooks.describe())

    async def flush(request: Request) -> Response:
        return JSONResponse(await dispatcher(state).flush())

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/_sandbox/", index, ["GET"]),
        ("/_sandbox/reset", reset, ["POST"]),
        ("/_sandbox/faults", faults, ["GET", "POST", "DELETE"]),
        ("/_sandbox/limits", limits, ["GET", "PUT"]),
        ("/_sandbox/clock", clock, ["GET", "POST"]),
        ("/_sandbox/orgs/{org}", org_flags, ["GET", "POST"]),
        ("/_sandbox/stats", stats, ["GET"]),
        ("/_sandbox/requests", requests, ["GET", "DELETE"]),
        ("/_sandbox/webhooks", webhooks, ["GET", "PUT", "DELETE"]),
        ("/_sandbox/webhooks/flush", flush, ["POST"]),
    ]
    return [Route(path, guarded(endpoint), methods=methods) for path, endpoint, methods in table]
