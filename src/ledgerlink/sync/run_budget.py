"""The shared limiter as one worker run's calls see it: each call's purpose, for the day's budget.

Xero's day is 5,000 calls per organisation (1,000 on the Starter tier). A backfill must not
spend it all and leave a person's correction waiting until tomorrow, so the limiter keeps a
reserve (``sync.budgets``) that only some calls may use. The purpose of a call follows from
what it is, so nothing above the client has to say it:

- a read (reference lists, a lookup after a lost reply, "Refresh from Xero") is a pull;
- a create (``PUT``: a document's first send, a new contact, an allocation) is background
  work, stopped at the reserve and spread over the day when the queue needs more calls than
  the day has left for it;
- an update (``POST``: a document changed after it was sent) is a person's change.

A write's purpose is set by ``Run.send`` around the call (``writing``); everything else the
run calls is a pull.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ledgerlink.sync.limiter import BACKGROUND, CHANGE, PULL, Limiter, Slot


def purpose_of_write(method: str) -> str:
    return BACKGROUND if method.upper() == "PUT" else CHANGE


class RunBudget:
    """``XeroClient``'s limiter for one run: the shared ``limiter``, told each call's purpose
    (per thread, as the run's requests may be in flight together); ``backlog`` is the calls
    the connection's queued first sends need."""

    def __init__(self, limiter: Limiter, backlog: int | None = None) -> None:
        self.limiter = limiter
        self.backlog = backlog
        self._calling = threading.local()  # a run's requests may go from several threads

    @property
    def purpose(self) -> str:
        return str(getattr(self._calling, "purpose", PULL))

    @purpose.setter
    def purpose(self, value: str) -> None:
        self._calling.purpose = value

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> Slot:
        backlog = self.backlog if self.purpose == BACKGROUND else None
        return self.limiter.acquire(tenant_id, max_wait, self.purpose, backlog)

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None:
        self.limiter.penalise(tenant_id, retry_after, problem)

    def observe(self, tenant_id: str, headers: Mapping[str, str]) -> None:
        self.limiter.observe(tenant_id, headers)

    @contextmanager
    def writing(self, method: str) -> Iterator[None]:
        """The calls inside are the write ``method`` (then reads again)."""
        before = self.purpose
        self.purpose = purpose_of_write(method)
        try:
            yield
        finally:
            self.purpose = before
