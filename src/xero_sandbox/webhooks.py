"""(being written)"""

from __future__ import annotations

from xero_sandbox.state import SandboxState


class WebhookDispatcher:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
