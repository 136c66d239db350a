"""What an organisation's plan (``Class``) and region (``CountryCode``) let it hold in currencies.

Xero sells multicurrency with its larger plans only: an organisation on a plan without it keeps
its base currency alone, and ``GET /Organisation/Actions`` answers ``UseMulticurrency``
NOT-ALLOWED. Some regions' plans hold a fixed few currencies instead: a Hong Kong organisation
holds the U.S. dollar and the Hong Kong dollar only until it upgrades (the payroll app's help
page: "if the selected region is China·Hong Kong, then the Xero system supports only the U.S.
dollar (USD) and Hong Kong dollar (HKD). If you need to support more currencies, you need to
upgrade Xero.").

UNCONFIRMED: which of the spec's classes carry multicurrency. The sandbox follows Xero's price
pages as known: Premium and Ultimate (every size), Comprehensive (the 2023 plans' multicurrency
one), and the demo and trial organisations, which have every feature; ULTRA is taken to be the
top plan it names. Which plans the Hong Kong limit applies to is UNCONFIRMED too: here, every
plan that has no multicurrency of its own.
"""

from __future__ import annotations

from typing import Final

# The ``Class`` enum of Xero's OpenAPI (Organisation.Class).
CLASSES: Final = (
    "DEMO",
    "TRIAL",
    "STARTER",
    "STANDARD",
    "PREMIUM",
    "PREMIUM_20",
    "PREMIUM_50",
    "PREMIUM_100",
    "LEDGER",
    "GST_CASHBOOK",
    "NON_GST_CASHBOOK",
    "ULTIMATE",
    "LITE",
    "ULTIMATE_10",
    "ULTIMATE_20",
    "ULTIMATE_50",
    "ULTIMATE_100",
    "IGNITE",
    "GROW",
    "COMPREHENSIVE",
    "SIMPLE",
    "BASICLITE",
    "ULTRA",
)
EDITIONS: Final = ("BUSINESS", "PARTNER")
DEFAULT_CLASS: Final = "PREMIUM"
DEFAULT_EDITION: Final = "BUSINESS"

MULTICURRENCY_CLASSES: Final = frozenset(
    {"DEMO", "TRIAL", "COMPREHENSIVE", "ULTRA"}
    | {c for c in CLASSES if c.startswith(("PREMIUM", "ULTIMATE"))}
)

# Regions whose plans without multicurrency still hold these currencies (besides the base).
REGION_CURRENCIES: Final = {"HK": frozenset({"HKD", "USD"})}


def allowed_currencies(org_class: str, country: str, base: str) -> frozenset[str] | None:
    """The currencies the organisation may hold; None: any ISO 4217 currency."""
    if org_class in MULTICURRENCY_CLASSES:
        return None
    return REGION_CURRENCIES.get(country, frozenset()) | {base}


def uses_multicurrency(org_class: str, country: str, base: str) -> bool:
    """``UseMulticurrency``: the organisation may hold a currency besides its base one."""
    allowed = allowed_currencies(org_class, country, base)
    return allowed is None or len(allowed) > 1


def plan_error(org_class: str, country: str, base: str, code: str) -> str | None:
    """Why ``PUT /Currencies`` refuses ``code`` for this plan and region, or None.

    UNCONFIRMED: Xero's exact text. Written in the style of its other validation messages
    ("... Please update ..." / "... cannot be used ..."), naming the code and the way out.
    """
    allowed = allowed_currencies(org_class, country, base)
    if allowed is None or code in allowed:
        return None
    if allowed == {base}:
        return (
            f"Currency {code} cannot be added. Your Xero plan does not include multicurrency; "
            "upgrade your plan to add currencies."
        )
    held = " and ".join(sorted(allowed))
    return (
        f"Currency {code} cannot be added. Your Xero plan supports only {held}; "
        "upgrade your plan to add more currencies."
    )
