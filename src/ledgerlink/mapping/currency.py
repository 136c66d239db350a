"""Which currencies an organisation can use, and why a document's currency would be refused.

Two different answers, with two different fixes:

- the organisation could hold the currency but has not enabled it: enable it in Xero
  (Settings > Currencies) -> ``XERO_CURRENCY_NOT_ENABLED``;
- its plan or region cannot hold it at all -> ``XERO_CURRENCY_NOT_AVAILABLE``: upgrade the
  Xero plan, or send the document in a currency it holds.

What the plan allows comes from Xero itself where it says so: ``GET /Organisation/Actions``
answers ``UseMulticurrency`` NOT-ALLOWED on a plan without multicurrency (the base currency
alone). A region whose smaller plans hold a fixed few currencies is told by no endpoint: a Hong
Kong organisation holds only U.S. and Hong Kong dollars until it upgrades (the payroll app's help
page), so that is read from the Organisation's ``CountryCode`` and ``Class``. UNCONFIRMED: which
plans lift that limit (taken here as the multicurrency plans of Xero's ``Class`` list).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from ledgerlink.errors import LedgerlinkError

Record = dict[str, Any]
NOT_ENABLED = "XERO_CURRENCY_NOT_ENABLED"
NOT_AVAILABLE = "XERO_CURRENCY_NOT_AVAILABLE"
CODES = (NOT_ENABLED, NOT_AVAILABLE)
# Where a currency came from when the document named none: the connection's default.
DEFAULT_FIELD = "settings.default_currency"

# Regions whose plans without full multicurrency hold these currencies only (with the base).
REGION_CURRENCIES: dict[str, frozenset[str]] = {"HK": frozenset({"HKD", "USD"})}
# Organisation.Class values whose plan holds any currency (UNCONFIRMED, see above).
FULL_MULTICURRENCY = frozenset(
    {
        "DEMO",
        "TRIAL",
        "PREMIUM",
        "PREMIUM_20",
        "PREMIUM_50",
        "PREMIUM_100",
        "ULTIMATE",
        "ULTIMATE_10",
        "ULTIMATE_20",
        "ULTIMATE_50",
        "ULTIMATE_100",
        "COMPREHENSIVE",
        "ULTRA",
    }
)


@runtime_checkable
class OrganisationFacts(Protocol):
    """Optional part of the reference data: the Organisation and its actions as Xero sent
    them (None: not read yet)."""

    def organisation(self) -> Record | None: ...

    def actions(self) -> Iterable[Record] | None: ...


def _text(record: Record | None, name: str) -> str:
    return str((record or {}).get(name) or "").strip().upper()


def multicurrency_allowed(actions: Iterable[Record] | None) -> bool | None:
    """Xero's ``UseMulticurrency`` action; None when the actions were not read."""
    if actions is None:
        return None
    found = next((a for a in actions if a.get("Name") == "UseMulticurrency"), None)
    return None if found is None else _text(found, "Status") == "ALLOWED"


def usable_currencies(facts: Any) -> frozenset[str] | None:
    """The currencies the organisation's plan and region let it hold; None: any (or not known)."""
    if not isinstance(facts, OrganisationFacts):
        return None
    org = facts.organisation()
    base = _text(org, "BaseCurrency")
    if not base:
        return None
    if multicurrency_allowed(facts.actions()) is False:
        return frozenset({base})
    region = REGION_CURRENCIES.get(_text(org, "CountryCode"))
    org_class = _text(org, "Class")
    if region is not None and org_class and org_class not in FULL_MULTICURRENCY:
        return region | {base}
    return None


def plan_words(facts: Any) -> str:
    """The plan and region as a person reads them ("plan STANDARD, region HK")."""
    org = facts.organisation() if isinstance(facts, OrganisationFacts) else None
    parts = [f"plan {_text(org, 'Class')}" if _text(org, "Class") else "plan"]
    if _text(org, "CountryCode"):
        parts.append(f"region {_text(org, 'CountryCode')}")
    return ", ".join(parts)


def named(field: str, currency: str) -> str:
    """How every currency hold's sentence starts ("currency 'EUR'"), so which currency held a
    document can be read back from it (``sync.currencies.release_stale_default``)."""
    return f"{field} '{currency}'"


def currency_errors(
    currency: str | None, base: str | None, reference: Any, field: str = "currency"
) -> list[LedgerlinkError]:
    """Why Xero would refuse a document in ``currency`` (none when it can take it).

    ``field`` is where the currency came from: the document's own ``currency``, or the
    connection's ``settings.default_currency`` when the document named none.
    """
    if currency is None or currency == base or reference.currency(currency) is not None:
        return []
    usable = usable_currencies(reference)
    if usable is not None and currency not in usable:
        held = " or ".join(sorted(usable))
        return [
            LedgerlinkError(
                NOT_AVAILABLE,
                f"{named(field, currency)} cannot be used by this Xero organisation: its "
                f"{plan_words(reference)} holds only {held}. Upgrade the Xero plan, or send "
                f"the document in {held}.",
                field,
            )
        ]
    return [
        LedgerlinkError(
            NOT_ENABLED,
            f"{named(field, currency)} is not enabled in the Xero organisation: enable it in Xero "
            "(Settings > Currencies), then press Synchronize.",
            field,
        )
    ]
