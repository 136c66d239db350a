"""Read-only lookups over one connection's cached reference data (``sync.reference`` fills
the cache): what mapping, preflight and contact matching ask, per line and per document, so
each answer is read once per view, and a claim's contacts in a few queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.store.models import ReferenceItem, ReferenceSync
from ledgerlink.sync.reference import KINDS, _aware, _cached, _load, normalise_name

Record = dict[str, Any]


class ReferenceView:
    """Read-only lookups over one connection's cached reference data (the Xero dicts as cached).

    Mapping and preflight call these per line, so answers are memoised for the view's life;
    make a new view after a refresh.
    """

    def __init__(self, session: Session, connection_id: str) -> None:
        self.session = session
        self.connection_id = connection_id
        self._memo: dict[tuple[str, str], Record | None] = {}
        self._lists: dict[str, list[Record]] = {}
        self._marks: dict[str, datetime | None] = {}

    def cached(self, kind: str, key: str) -> Record | None:
        """One cached row's data by its key (an index row's pointer, or a record)."""
        return self._get(kind, key)

    def _get(self, kind: str, key: str) -> Record | None:
        if not key:
            return None
        if (kind, key) not in self._memo:
            self._memo[(kind, key)] = _cached(self.session, self.connection_id, kind, key)
        return self._memo[(kind, key)]

    def preload(self, kind: str, keys: Iterable[str]) -> None:
        """Read many keys of one kind in a few ``IN`` queries (a claim's contacts), so the
        lookups that follow cost no query each; a key not cached is remembered as missing."""
        wanted = {(kind, key) for key in keys if key and (kind, key) not in self._memo}
        if not wanted:
            return
        rows = _load(self.session, self.connection_id, wanted)
        for pair in wanted:
            row = rows.get(pair)
            self._memo[pair] = row.data if row is not None else None

    def _via(
        self, index: str, value: str, kind: str, check: Callable[[Record], str]
    ) -> Record | None:
        pointer = self._get(index, value)
        if pointer is None:
            return None
        record = self._get(kind, str(pointer.get("key", "")))
        # An index row left behind by a rename points at a record that no longer matches.
        return record if record is not None and check(record) == value else None

    def account(self, code: str) -> Record | None:
        return self._get("accounts", code.strip())

    def tax_rate(self, tax_type: str) -> Record | None:
        wanted = tax_type.strip()
        return self._get("tax_rates", wanted) or self._get("tax_rates", wanted.upper())

    def currency(self, code: str) -> Record | None:
        return self._get("currencies", code.strip().upper())

    def contact_by_id(self, contact_id: str) -> Record | None:
        return self._get("contacts", contact_id.strip().lower())

    def contact_by_number(self, number: str) -> Record | None:
        check = KINDS["contacts"].indexes["contact_number"]
        return self._via("contact_number", number.strip(), "contacts", check)

    def contact_by_name(self, name: str) -> Record | None:
        check = KINDS["contacts"].indexes["contact_name"]
        return self._via("contact_name", normalise_name(name), "contacts", check)

    def item(self, code: str) -> Record | None:
        return self._via("item_code", code.strip(), "items", KINDS["items"].indexes["item_code"])

    def organisation(self) -> Record | None:
        return self._get("organisation", "organisation")

    def actions(self) -> list[Record] | None:
        """``GET /Organisation/Actions`` as cached (UseMulticurrency...); None: never read."""
        return self.all("actions") if self.fetched_at("actions") is not None else None

    def items_known(self) -> bool:
        return self.fetched_at("items") is not None

    def tracking_categories(self) -> list[Record] | None:
        return self.all("tracking") if self.fetched_at("tracking") is not None else None

    def all(self, kind: str) -> list[Record]:
        """Every cached record of one kind (``accounts``, ``tax_rates``, ``tracking``...)."""
        if kind not in self._lists:
            query = select(ReferenceItem.data).where(
                ReferenceItem.connection_id == self.connection_id, ReferenceItem.kind == kind
            )
            self._lists[kind] = list(self.session.scalars(query.order_by(ReferenceItem.key)))
        return self._lists[kind]

    def accounts(self) -> list[Record]:
        return self.all("accounts")

    def tax_rates(self) -> list[Record]:
        return self.all("tax_rates")

    def fetched_at(self, kind: str) -> datetime | None:
        """When a kind was last refreshed (None: never), so callers can say "press Synchronize".
        Remembered for the view's life: preflight asks once per document, and a kind never read
        is no row, which the session's identity map cannot answer without a query."""
        if kind not in self._marks:
            sync = self.session.get(ReferenceSync, (self.connection_id, kind))
            self._marks[kind] = _aware(sync.fetched_at) if sync is not None else None
        return self._marks[kind]
