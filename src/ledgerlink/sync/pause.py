"""Named pause points, so a crash test can kill a worker process at an exact step.

A worker started with ``LEDGERLINK_PAUSE_AT=intent_written:3`` stops the third time it reaches
``intent_written``: it appends the point's name to the file named by ``LEDGERLINK_PAUSE_FILE``
and then waits forever, for the test to SIGKILL it there. Without the variable (always, in
production) ``reached`` is one dictionary lookup.

The points, in the order a send goes through them:

- ``intent_written``: the intent and its Idempotency-Key are committed; nothing has been sent.
- ``reply_received``: Xero applied the batch and answered; nothing of the answer is recorded.
- ``reply_applied``: the answer is recorded (links, items settled).

And in a pull of Xero's side (``sync.pulls``):

- ``pull_read``: a batch of records is read from Xero; nothing of it is written.
- ``pull_applied``: the batch is written to the links, its pull items deleted.

And in the generation of a pay run's bills (``sync.payroll``):

- ``bills_generated``: the bills are stored and queued; the pay run's item is not settled.
And in making new contacts (``sync.contacts``), as a send's reply:

- ``contacts_received``: Xero made the contacts and answered; nothing of it is recorded.
- ``contacts_applied``: the contacts are linked to their keys.
"""

from __future__ import annotations

import os
import threading

POINTS = (
    "intent_written",
    "reply_received",
    "reply_applied",
    "pull_read",
    "pull_applied",
    "bills_generated",
    "contacts_received",
    "contacts_applied",
)
_seen: dict[str, int] = {}
_lock = threading.Lock()


def _wanted() -> tuple[str, int] | None:
    raw = os.environ.get("LEDGERLINK_PAUSE_AT", "").strip()
    if not raw:
        return None
    name, _, count = raw.partition(":")
    if name not in POINTS:
        raise ValueError(f"LEDGERLINK_PAUSE_AT names {name!r}; the points are {', '.join(POINTS)}")
    return name, int(count or "1")


def reached(point: str) -> None:
    """Mark that the worker reached ``point``; block for good if this is where it must stop."""
    wanted = _wanted()
    if wanted is None or wanted[0] != point:
        return
    with _lock:
        _seen[point] = _seen.get(point, 0) + 1
        hit = _seen[point] == wanted[1]
    if not hit:
        return
    target = os.environ.get("LEDGERLINK_PAUSE_FILE")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{point}\n")
    threading.Event().wait()
