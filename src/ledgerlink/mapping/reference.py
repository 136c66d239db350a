"""What mapping needs to know about an organisation, without knowing where it is kept.

The sync layer answers from its database cache (``ReferenceView``); tests and the CLI can answer
from memory. Records are Xero's own dicts with Xero's field names (``Code``, ``Status``,
``TaxType``, ``CanApplyToRevenue`` ...), so nothing is translated twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

Record = dict[str, Any]


class Reference(Protocol):
    """Cached reference data of one connection (one Xero organisation)."""

    def account(self, code: str) -> Record | None: ...

    def tax_rate(self, tax_type: str) -> Record | None: ...

    def currency(self, code: str) -> Record | None: ...

    def contact_by_id(self, contact_id: str) -> Record | None: ...

    def contact_by_number(self, number: str) -> Record | None: ...

    def contact_by_name(self, name: str) -> Record | None: ...

    def item(self, code: str) -> Record | None: ...


@runtime_checkable
class Listing(Protocol):
    """Optional: whole lists, so a display name sent instead of a code can be recognised."""

    def accounts(self) -> Iterable[Record]: ...

    def tax_rates(self) -> Iterable[Record]: ...


@runtime_checkable
class Catalogue(Protocol):
    """Optional: whether the items and tracking categories are known at all (read from Xero
    once a document needed them), so an unknown item code or tracking option is refused only
    when the list was read, never for lack of reading it."""

    def items_known(self) -> bool: ...

    def tracking_categories(self) -> Iterable[Record] | None: ...


class MemoryReference:
    """Reference data held in memory (Xero's GET replies as they came)."""

    def __init__(
        self,
        *,
        accounts: Iterable[Record] = (),
        tax_rates: Iterable[Record] = (),
        currencies: Iterable[Record] = (),
        contacts: Iterable[Record] = (),
        items: Iterable[Record] | None = None,
        tracking: Iterable[Record] | None = None,
    ) -> None:
        self._accounts = {str(a["Code"]): a for a in accounts if a.get("Code")}
        self._tax = {str(t["TaxType"]): t for t in tax_rates}
        self._currencies = {str(c["Code"]).upper(): c for c in currencies}
        self._contacts = list(contacts)
        self._items = {str(i["Code"]): i for i in items or ()}
        self._items_known = items is not None
        self._tracking = list(tracking) if tracking is not None else None

    def account(self, code: str) -> Record | None:
        return self._accounts.get(code)

    def tax_rate(self, tax_type: str) -> Record | None:
        return self._tax.get(tax_type)

    def currency(self, code: str) -> Record | None:
        return self._currencies.get(code.upper())

    def contact_by_id(self, contact_id: str) -> Record | None:
        wanted = contact_id.lower()
        return next((c for c in self._contacts if c["ContactID"].lower() == wanted), None)

    def contact_by_number(self, number: str) -> Record | None:
        return next((c for c in self._contacts if c.get("ContactNumber") == number), None)

    def contact_by_name(self, name: str) -> Record | None:
        wanted = name.strip().casefold()
        return next(
            (c for c in self._contacts if str(c.get("Name", "")).strip().casefold() == wanted),
            None,
        )

    def item(self, code: str) -> Record | None:
        return self._items.get(code)

    def items_known(self) -> bool:
        return self._items_known

    def tracking_categories(self) -> Iterable[Record] | None:
        return self._tracking

    def accounts(self) -> Iterable[Record]:
        return list(self._accounts.values())

    def tax_rates(self) -> Iterable[Record]:
        return list(self._tax.values())
