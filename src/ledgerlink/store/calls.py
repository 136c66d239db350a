"""The call log: every call made to Xero, for the "API calls used" figures."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.metrics import REPLY_BYTES
from ledgerlink.store.models import ApiCall

OnCall = Callable[[str, str, int], None]


def api_call_recorder(session_factory: sessionmaker[Session], connection_id: str | None) -> OnCall:
    """An ``on_call`` hook that keeps every call in ``api_calls`` (the "API calls used" figure).

    Status 0 is a call with no answer (transport failure); it may still have counted at Xero.
    The reply's size (egress) comes from ``REPLY_BYTES``, which the client sets around the hook.
    """

    def record(method: str, path: str, status: int) -> None:
        with session_factory.begin() as session:
            session.add(
                ApiCall(
                    connection_id=connection_id,
                    method=method,
                    path=path[:300],
                    status=status,
                    ok=200 <= status < 300,
                    response_bytes=REPLY_BYTES.get(),
                )
            )

    return record
