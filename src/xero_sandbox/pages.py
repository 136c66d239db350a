"""(being written)"""

from __future__ import annotations

from starlette.routing import BaseRoute

from xero_sandbox.state import SandboxState


def routes(state: SandboxState) -> list[BaseRoute]:
    return []
