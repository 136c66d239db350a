"""The REST API for source apps: everything under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from ledgerlink import kinds, web
from ledgerlink.api import (
    errors,
    observe,
    routes_api_keys,
    routes_connections,
    routes_documents,
    routes_events,
    routes_lists,
    routes_overrides,
    routes_pay_items,
    routes_queue,
    routes_workspaces,
    routes_xero_webhooks,
)
from ledgerlink.api.body import DEFAULT_MAX_BODY
from ledgerlink.api.docs_page import install_docs
from ledgerlink.sync.engine import Engine

PREFIX = "/api/v1"
DESCRIPTION = """\
Send your app's documents (sales invoices, expenses, purchase orders, credit notes with their
allocations, payments: the kinds and their schemas are listed below); ledgerlink puts each one
in the customer's Xero organisation once, with the right accounts, tax types, contact and
status, or holds it with an error naming the field and the fix.

Hear of what happened (a document synced, held, paid...) through signed notifications to
your own URLs (`POST /endpoints`, Standard Webhooks signatures) or by polling `GET /events`.

Authenticate with the workspace API key: `Authorization: Bearer <key>`. Every error has the
shape `{"error": {"code", "message", "field", "fix"}}` with a stable `code`.
"""


def _document_schemas() -> dict[str, Any]:
    """The neutral document models, so clients see the fields they send and their limits."""
    _, schema = models_json_schema(
        [(model, "validation") for model in kinds.models().values()],
        ref_template="#/components/schemas/{model}",
    )
    found = schema.get("$defs", {})
    assert isinstance(found, dict)
    return found


def _with_documents(app: FastAPI) -> Any:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            spec.setdefault("components", {}).setdefault("schemas", {}).update(_document_schemas())
            app.openapi_schema = spec
        return app.openapi_schema

    return openapi


def create_app(services: Engine, *, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """The app over ``services`` (settings, database); the caller owns and closes them."""

    app = FastAPI(
        title="ledgerlink",
        version="1",
        description=DESCRIPTION,
        docs_url=None,  # install_docs serves the page and its assets from this server
        redoc_url=None,
    )
    app.state.services = services
    app.state.max_body = max_body
    errors.install(app)
    for module in (routes_workspaces, routes_connections, routes_queue, routes_documents):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(routes_overrides.router, prefix=PREFIX)
    app.include_router(routes_pay_items.router, prefix=PREFIX)
    app.include_router(routes_lists.router, prefix=PREFIX)
    app.include_router(routes_xero_webhooks.router, prefix=PREFIX)
    app.include_router(routes_events.router, prefix=PREFIX)
    app.include_router(routes_api_keys.router, prefix=PREFIX)
    app.openapi = _with_documents(app)  # type: ignore[method-assign]
    install_docs(app, f"{PREFIX}/docs")
    web.install(app, services.settings.xero_authorize_url)
    observe.install(app)
    return app
