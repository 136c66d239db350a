"""The sandbox's one HTTP server: Accounting API, identity, admin, webhooks and read-only pages.

Real Xero spreads these over several hosts (api.xero.com, identity.xero.com, login.xero.com,
go.xero.com); the sandbox serves all of them from one origin under the same paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from xero_sandbox import admin, admin_apps, admin_orgs, identity, pages
from xero_sandbox.api import AccountingApi
from xero_sandbox.config import SandboxConfig
from xero_sandbox.resources import all_routes
from xero_sandbox.routing import API_PREFIX, ApiRouter
from xero_sandbox.seed import seed
from xero_sandbox.state import SandboxState
from xero_sandbox.webhooks import WebhookDispatcher
from xero_sandbox.year import seed_configured_years


class SandboxApp:
    """Sends /api.xro/2.0 (any case) to the Accounting API and the rest to Starlette."""

    def __init__(self, state: SandboxState, api: ASGIApp, other: Starlette) -> None:
        self.state = state
        self.api = api
        self.other = other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].lower().startswith(API_PREFIX + "/"):
            await self.api(scope, receive, send)
            return
        await self.other(scope, receive, send)


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    config = config or SandboxConfig()
    state = SandboxState(config)
    seed(state)
    seed_configured_years(state)
    dispatcher = WebhookDispatcher(state)
    state.extensions["webhooks"] = dispatcher

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()

    other = Starlette(
        routes=[
            *identity.routes(state),
            *admin.routes(state),
            *admin_apps.routes(state),
            *admin_orgs.routes(state),
            *pages.routes(state),
        ],
        lifespan=lifespan,
    )
    other.state.sandbox = state
    api = AccountingApi(state, ApiRouter(all_routes()))
    return SandboxApp(state, api, other)
