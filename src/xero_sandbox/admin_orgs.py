"""Organisations under /_sandbox/orgs: list them, and make many at once for benchmarks.

``POST /_sandbox/orgs`` with ``{"count": N, "prefix": "bench", "custom_connection": true,
"tier": "core", "created": "YYYY-MM-DD", "country": "AU", "class": "PREMIUM"}`` (all but
``count`` optional) makes N organisations set up as the demo one is (chart of accounts, tax
rates, currencies, tracking; no contacts or items), keyed ``bench-0001``, ``bench-0002``...
and named "bench 0001"..., and, unless ``custom_connection`` is false, one custom connection
app per organisation as Xero issues them: a client id and secret bound to that one
organisation. ``tier`` and ``created`` are those apps' pricing tier (Starter: 1,000 calls a day
per connection) and creation day (from 2 March 2026: granular scopes only). It answers 201 with
``{"organisations": [{"key", "tenant_id", "name", "client_id", "client_secret"}, ...]}``;
without apps the last two are null.

``country`` is the region (``AU``, the default, or ``HK``: HKD, Xero's global rates) and
``class`` the Xero plan (``Organisation.Class``, default PREMIUM): a plan without multicurrency
holds only the base currency, and a Hong Kong one HKD and USD (``plans``).

``seed_year`` (a whole number) gives each organisation a year of activity made from that seed
(``xero_sandbox.year``), kept through resets. ``POST /_sandbox/orgs/{key}/seed-year`` with
``{"seed": N}`` (default 1) gives one to an organisation that has none (409 if it has): it
answers 201 with the seed, the days the year spans and how many records of each kind it made.

A second call with a prefix already used continues its numbering (``bench-0003`` after two), so
a benchmark may add organisations as it goes. Organisations made here survive
``/_sandbox/reset`` as fresh, empty ones under the same keys and ids, so their apps keep working.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox import plans
from xero_sandbox.admin import AdminError, guarded, object_body, org_json, read_json
from xero_sandbox.admin import unknown_fields as refuse_unknown
from xero_sandbox.admin_apps import created_of, tier_of
from xero_sandbox.config import DEFAULT_TIER, LEGACY_APP_CREATED, AppConfig
from xero_sandbox.seed import REGIONS, made_org
from xero_sandbox.state import MadeOrg, SandboxState, new_id
from xero_sandbox.year import YearError, seed_year

FIELDS = (
    "count",
    "prefix",
    "custom_connection",
    "tier",
    "created",
    "country",
    "class",
    "seed_year",
)
MAX_COUNT = 5000
DEFAULT_PREFIX = "org"
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def _count(body: dict[str, Any]) -> int:
    if "count" not in body:
        raise AdminError(f"count is required: how many organisations to make (1 to {MAX_COUNT})")
    value = body["count"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise AdminError(f"count must be a whole number from 1 to {MAX_COUNT}")
    return value


def _prefix(body: dict[str, Any]) -> str:
    value = body.get("prefix", DEFAULT_PREFIX)
    if isinstance(value, str) and _PREFIX.match(value.strip().lower()):
        return value.strip().lower()
    raise AdminError(
        "prefix must start with a letter and hold only letters, digits and hyphens (at most 40),"
        " e.g. bench: the organisations' keys are bench-0001, bench-0002..."
    )


def _region(body: dict[str, Any]) -> tuple[str, str]:
    country = body.get("country", "AU")
    if not isinstance(country, str) or country.strip().upper() not in REGIONS:
        raise AdminError(f"country must be one of {', '.join(REGIONS)} (the organisation's region)")
    org_class = body.get("class", plans.DEFAULT_CLASS)
    if not isinstance(org_class, str) or org_class.strip().upper() not in plans.CLASSES:
        raise AdminError(
            f"class must be one of Xero's plans (Organisation.Class): {', '.join(plans.CLASSES)}"
        )
    return country.strip().upper(), org_class.strip().upper()


def _seed(body: dict[str, Any], name: str) -> int | None:
    """A year's seed: a whole number from 0, or None where the body leaves it out."""
    if name not in body:
        return None
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AdminError(
            f"{name} must be a whole number from 0: the seed of the year of activity to make "
            "(the same seed makes the same year)"
        )
    return value


def _next_number(state: SandboxState, prefix: str) -> int:
    """One past the highest number an organisation with this prefix has, so calls add up."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    found = [pattern.match(org.key) for org in state.orgs.values()]
    return max((int(m.group(1)) for m in found if m), default=0) + 1


def _app_settings(body: dict[str, Any]) -> tuple[bool, str, Any]:
    value = body.get("custom_connection", True)
    if not isinstance(value, bool):
        raise AdminError("custom_connection must be true or false")
    if not value:
        for name in ("tier", "created"):
            if name in body:
                raise AdminError(
                    f"{name} belongs to the custom connection apps, and custom_connection is "
                    f"false: leave {name} out, or set it on your own app with /_sandbox/apps"
                )
    return value, tier_of(body, DEFAULT_TIER), created_of(body, LEGACY_APP_CREATED)


def make_orgs(state: SandboxState, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Check the whole body, then make the organisations (and apps); their descriptions."""
    refuse_unknown(body, FIELDS)
    count = _count(body)
    prefix = _prefix(body)
    with_app, tier, created = _app_settings(body)
    country, org_class = _region(body)
    year_seed = _seed(body, "seed_year")
    first = _next_number(state, prefix)
    made: list[dict[str, Any]] = []
    for number in range(first, first + count):
        key = f"{prefix}-{number:04d}"
        spec = MadeOrg(
            tenant_id=new_id(),
            key=key,
            name=f"{prefix} {number:04d}",
            short_code=f"!mk{len(state.made_orgs) + 1:05d}",
            country=country,
            org_class=org_class,
            seed_year=year_seed,
        )
        state.made_orgs.append(spec)
        state.orgs[spec.tenant_id] = made_org(state, spec)
        if year_seed is not None:
            try:
                seed_year(state, state.orgs[spec.tenant_id], year_seed)
            except YearError as exc:
                raise AdminError(f"{key}: {exc}", 409) from exc
        client_id = client_secret = None
        if with_app:
            client_id, client_secret = uuid.uuid4().hex.upper(), secrets.token_urlsafe(36)
            state.config.apps.append(
                AppConfig(
                    client_id=client_id,
                    client_secret=client_secret,
                    kind="custom",
                    name=f"{spec.name} custom connection",
                    custom_tenant=key,
                    created=created,
                    tier=tier,
                )
            )
        made.append(
            {
                "key": key,
                "tenant_id": spec.tenant_id,
                "name": spec.name,
                "client_id": client_id,
                "client_secret": client_secret,
            }
        )
    return made


def routes(state: SandboxState) -> list[BaseRoute]:
    async def orgs(request: Request) -> Response:
        if request.method == "POST":
            made = make_orgs(state, object_body(await read_json(request)))
            return JSONResponse({"organisations": made}, 201)
        return JSONResponse({"orgs": [org_json(o) for o in state.orgs.values()]})

    async def year(request: Request) -> Response:
        key = request.path_params["org"]
        org = state.org_by_key(key) or state.org_by_key(key.lower())
        if org is None:
            raise AdminError(f"no organisation {key!r}; GET /_sandbox/orgs lists them", 404)
        body = await read_json(request, required=False)
        body = object_body(body) if body is not None else {}
        refuse_unknown(body, ("seed",))
        number = _seed(body, "seed")
        try:
            made = seed_year(state, org, 1 if number is None else number)
        except YearError as exc:
            raise AdminError(str(exc), 409) from exc
        return JSONResponse({"key": org.key, "tenant_id": org.tenant_id, **made.as_json()}, 201)

    return [
        Route("/_sandbox/orgs", guarded(orgs), methods=["GET", "POST"]),
        Route("/_sandbox/orgs/{org}/seed-year", guarded(year), methods=["POST"]),
    ]
