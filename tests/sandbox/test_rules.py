"""The shared document rules, called directly on a seeded organisation."""

from __future__ import annotations

from datetime import date

import pytest

from xero_sandbox import SandboxConfig
from xero_sandbox.resources import rules
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT, seed
from xero_sandbox.state import Org, SandboxState


@pytest.fixture
def state() -> SandboxState:
    fresh = SandboxState(SandboxConfig())
    seed(fresh)
    return fresh


def demo(state: SandboxState) -> Org:
    return state.orgs[DEMO_TENANT]


def test_accounts_per_document(state: SandboxState) -> None:
    org = demo(state)
    assert rules.line_account_errors(org, "200", "ACCREC") == []
    assert rules.line_account_errors(org, "630", "ACCPAY") == []
    assert rules.line_account_errors(org, "630", "MANUALJOURNAL") == [
        "Account code '630' is not a valid code for this document."
    ]
    for code in ("090", "610", "800", "820", "960", "840", "860"):
        assert rules.line_account_errors(org, code, "PURCHASEORDER") == [
            f"Account code '{code}' is not a valid code for this document."
        ]
    assert rules.line_account_errors(org, None, "ACCREC") == [
        "Account code must be specified on every line item."
    ]


def test_tax_types_follow_account_class(state: SandboxState) -> None:
    org = demo(state)
    sales, rent, equity = (org.account_by_code(c) for c in ("200", "469", "880"))
    assert rules.tax_type_errors(org, None, sales) == []
    assert rules.tax_type_errors(org, "output", sales) == []
    assert rules.tax_type_errors(org, "OUTPUT", rent) == [
        "The TaxType code 'OUTPUT' cannot be used with account code '469'."
    ]
    assert rules.tax_type_errors(org, "BASEXCLUDED", equity) == []
    assert rules.tax_type_errors(org, "OUTPUT2", sales) == [
        "The TaxType code 'OUTPUT2' does not exist or cannot be used for this type of transaction."
    ]
    uk = state.orgs[UK_TENANT]
    assert rules.tax_type_errors(uk, "OUTPUT2", uk.account_by_code("200")) == []


def test_currency_and_lock_date(state: SandboxState) -> None:
    org = demo(state)
    assert rules.currency_errors(org, None) == [] and rules.currency_errors(org, "usd") == []
    assert rules.currency_errors(org, "CAD") == ["Organisation is not subscribed to currency CAD"]
    assert rules.lock_date_errors(org, date(2025, 7, 1)) == []
    assert rules.lock_date_errors(org, date(2025, 6, 30)) == [
        "The document date cannot be before the period lock date of 30 Jun 2025. Please update "
        "the date on the document."
    ]
    org.period_lock_date = org.end_of_year_lock_date = None
    assert rules.lock_date_errors(org, date(2000, 1, 1)) == []
