"""What every route needs: the process's ``Engine`` (settings, database, limiter, Xero clients).

One engine per app, kept on ``app.state``; routes reach it through ``services(request)``.
"""

from __future__ import annotations

from fastapi import Request

from ledgerlink.sync.engine import Engine


def services(request: Request) -> Engine:
    found = request.app.state.services
    assert isinstance(found, Engine)
    return found
