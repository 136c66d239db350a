"""ledgerlink: one engine that connects business applications to Xero.

The library's front door::

    from ledgerlink import Engine

    with Engine.open("sqlite:///ledgerlink.db", migrate_schema=True) as engine:
        workspace_id, api_key = engine.create_workspace("Acme Plumbing")
        connection_id = engine.connect_custom(workspace_id, client_id, client_secret)
        engine.push(workspace_id, connection_id, "invoice", [invoice])
        engine.sync()

``Engine`` is imported on first use, so ``import ledgerlink`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError

if TYPE_CHECKING:
    from ledgerlink.sync.engine import Engine

__version__ = "0.1.0"
__all__ = ["Engine", "LedgerlinkError", "Settings", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from ledgerlink.sync.engine import Engine

        return Engine
    raise AttributeError(f"module 'ledgerlink' has no attribute {name!r}")
