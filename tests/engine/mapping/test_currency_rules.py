"""Which currencies an organisation can use, from its Organisation (Class, CountryCode) and
Xero's UseMulticurrency action, and the fix each refusal names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from ledgerlink.mapping.currency import currency_errors, usable_currencies

Record = dict[str, Any]


class Facts:
    """An organisation's cached Organisation, actions and enabled currencies."""

    def __init__(
        self, org_class: str, country: str, base: str, actions: str | None, enabled: Iterable[str]
    ) -> None:
        self.org = {"Class": org_class, "CountryCode": country, "BaseCurrency": base}
        self.status = actions
        self.enabled = set(enabled)

    def organisation(self) -> Record | None:
        return self.org

    def actions(self) -> list[Record] | None:
        if self.status is None:
            return None
        return [
            {"Name": "CreateDraftInvoice", "Status": "ALLOWED"},
            {"Name": "UseMulticurrency", "Status": self.status},
        ]

    def currency(self, code: str) -> Record | None:
        return {"Code": code} if code in self.enabled else None


@pytest.mark.parametrize(
    ("facts", "usable"),
    [
        (Facts("STANDARD", "AU", "AUD", "NOT-ALLOWED", ["AUD"]), {"AUD"}),
        (Facts("STANDARD", "HK", "HKD", "ALLOWED", ["HKD", "USD"]), {"HKD", "USD"}),
        (Facts("PREMIUM", "HK", "HKD", "ALLOWED", ["HKD"]), None),  # upgraded: any
        (Facts("PREMIUM", "AU", "AUD", None, ["AUD"]), None),  # actions not read: not known
    ],
)
def test_usable_currencies(facts: Facts, usable: set[str] | None) -> None:
    assert usable_currencies(facts) == (frozenset(usable) if usable is not None else None)


def test_each_refusal_names_its_fix() -> None:
    hk = Facts("STANDARD", "HK", "HKD", "ALLOWED", ["HKD"])
    assert currency_errors("HKD", "HKD", hk) == []
    (not_enabled,) = currency_errors("USD", "HKD", hk)
    assert (not_enabled.code, not_enabled.field) == ("XERO_CURRENCY_NOT_ENABLED", "currency")
    assert "enable it in Xero (Settings > Currencies)" in not_enabled.message
    (not_available,) = currency_errors("EUR", "HKD", hk, "settings.default_currency")
    assert (not_available.code, not_available.field) == (
        "XERO_CURRENCY_NOT_AVAILABLE",
        "settings.default_currency",
    )
    assert not_available.message == (
        "settings.default_currency 'EUR' cannot be used by this Xero organisation: its plan "
        "STANDARD, region HK holds only HKD or USD. Upgrade the Xero plan, or send the "
        "document in HKD or USD."
    )
    starter = Facts("STARTER", "AU", "AUD", "NOT-ALLOWED", ["AUD"])
    (only_base,) = currency_errors("USD", "AUD", starter)
    assert only_base.code == "XERO_CURRENCY_NOT_AVAILABLE" and "holds only AUD" in only_base.message
