"""Documents a claimed document brings with it, stored before it is sent (``kind.brings``).

An order brings its payments (kept as the order says) and, under "Create Nonexistent
Products", a product for each line whose item Xero does not have (made once: a product stored
already, or an item Xero has, is left alone; "stored" is decided again in the transaction that
would store it, so a product the source sends meanwhile is never overwritten by the order's).
They are stored through intake like any upload, so a crash before or after loses nothing and a
second pass changes nothing; the order then waits for its products (stage 0 goes first), and
its payments wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ledgerlink import kinds
from ledgerlink.kinds.base import Brought
from ledgerlink.sync.checks import dependencies
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.intake import upsert_documents
from ledgerlink.sync.reference_view import ReferenceView

log = logging.getLogger(__name__)


def bring_along(run: Run, works: Sequence[Work]) -> None:
    settings = run.connection.settings or {}
    wanted: dict[tuple[str, str], Brought] = {}
    for work in works:
        if work.document is None:
            continue
        for brought in kinds.get(work.kind).brings(work.document, settings):
            wanted.setdefault((brought.kind, str(brought.body["source_id"])), brought)
    if not wanted:
        return
    made = {key: b for key, b in wanted.items() if not b.owned}
    if made:
        with run.factory() as session:
            view = ReferenceView(session, run.connection.id)
            stored = dependencies(session, run.connection.workspace_id, set(made))
            for key in made:
                if stored[key].exists or kinds.get(key[0]).known_in_xero(key[1], view):
                    del wanted[key]
    by_kind: dict[tuple[str, bool], list[dict[str, object]]] = {}
    for (kind, _), brought in sorted(wanted.items()):
        by_kind.setdefault((kind, brought.owned), []).append(brought.body)
    for (kind, owned), bodies in by_kind.items():
        # What is made once is made only if still not stored when it is written: the source may
        # have sent its own since the look above, and that one stands.
        results = upsert_documents(
            run.factory,
            run.connection.workspace_id,
            run.connection.id,
            kind,
            bodies,
            now=run.now(),
            only_new=not owned,
        )
        for result in results:
            if not result.accepted:
                log.warning(
                    "brought %s %s refused: %s",
                    kind,
                    result.source_id,
                    "; ".join(e.message for e in result.errors),
                )
