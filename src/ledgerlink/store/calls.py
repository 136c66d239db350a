"""The call log: every call made to Xero, for the "API calls used" figures and egress.

Each row keeps the size of Xero's reply body: ``egress`` sums calls and bytes by method and
collection over a connection and a time span (a benchmark's bytes per document synced and per
read); the process's ``ledgerlink_xero_egress_bytes`` metric counts the same bytes as they come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.metrics import purpose
from ledgerlink.store.models import ApiCall
from ledgerlink.xero.observe import REPLY_BYTES

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


@dataclass(frozen=True)
class Egress:
    """Calls made and bytes Xero sent back for them."""

    calls: int = 0
    bytes: int = 0

    def __add__(self, other: Egress) -> Egress:
        return Egress(self.calls + other.calls, self.bytes + other.bytes)


def collection(path: str) -> str:
    """What a call was about: the first segment of its API path (``/Invoices/<id>`` ->
    ``Invoices``), so a span's reads of single records add up with its list reads."""
    return path.split("?", 1)[0].strip("/").split("/", 1)[0]


def egress(
    session: Session,
    *,
    connection_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[tuple[str, str], Egress]:
    """Calls and reply bytes by (HTTP method, collection), of one connection (or all) in a time
    span (``since`` included, ``until`` not): what a benchmark divides by documents synced
    (the writes) and by reads made."""
    query = select(ApiCall.method, ApiCall.path, func.count(), func.sum(ApiCall.response_bytes))
    if connection_id is not None:
        query = query.where(ApiCall.connection_id == connection_id)
    if since is not None:
        query = query.where(ApiCall.at >= since)
    if until is not None:
        query = query.where(ApiCall.at < until)
    found: dict[tuple[str, str], Egress] = {}
    for method, path, calls, size in session.execute(query.group_by(ApiCall.method, ApiCall.path)):
        key = (str(method), collection(str(path)))
        found[key] = found.get(key, Egress()) + Egress(int(calls), int(size or 0))
    return found


def by_purpose(found: dict[tuple[str, str], Egress]) -> dict[str, Egress]:
    """``egress``'s figures summed by purpose, as the metric counts them: ``read``, ``write``."""
    totals: dict[str, Egress] = {}
    for (method, _), figures in found.items():
        key = purpose(method)
        totals[key] = totals.get(key, Egress()) + figures
    return totals
