"""The sync harness (both databases, the sandbox) for the payroll tests."""

from __future__ import annotations

from tests.engine.sync.conftest import harness, sync_server

__all__ = ["harness", "sync_server"]
