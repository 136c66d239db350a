"""The currencies endpoints."""

from __future__ import annotations

from xero_sandbox.routing import ApiRoute

ROUTES: list[ApiRoute] = []
