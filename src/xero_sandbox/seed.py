"""The organisations a fresh sandbox starts with.

``demo`` is an Australian company (AUD, GST) with a realistic chart of accounts: sales, expenses,
bank, inventory, payroll liabilities and expenses. ``uk`` is a British company (GBP, VAT), so
multi-organisation and cross-region flows can be shown. Tenant ids are fixed so scripts and docs
can name them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xero_sandbox import plans
from xero_sandbox.journals import settle
from xero_sandbox.seed_charts import (
    AU_ACCOUNTS,
    AU_TAX,
    CLASS_OF_TYPE,
    CURRENCY_NAMES,
    HK_ACCOUNTS,
    HK_TAX,
    UK_ACCOUNTS,
    UK_TAX,
)
from xero_sandbox.seed_people import seed_people
from xero_sandbox.state import MadeOrg, Org, Record, SandboxState, new_id

DEMO_TENANT = "3f9b5c1e-4d2a-4b7c-9e8f-0a1b2c3d4e01"
UK_TENANT = "7a2d4e6f-8b1c-4d3e-a5f7-9c0b1d2e3f02"


def _account(state: SandboxState, spec: tuple[str, str, str, str, dict[str, Any]]) -> Record:
    code, name, type_, tax, extra = spec
    record: Record = {
        "AccountID": new_id(),
        "Code": code,
        "Name": name,
        "Type": type_,
        "Status": "ACTIVE",
        "TaxType": tax,
        "Description": "",
        "Class": CLASS_OF_TYPE[type_],
        "EnablePaymentsToAccount": False,
        "ShowInExpenseClaims": CLASS_OF_TYPE[type_] == "EXPENSE",
        "ReportingCode": "",
        "ReportingCodeName": "",
        "HasAttachments": False,
        "AddToWatchlist": False,
    }
    if type_ == "BANK":
        record["BankAccountType"] = "BANK"
        record["EnablePaymentsToAccount"] = True
    record.update(extra)
    state.stamp(record)
    return record


def _tax_rate(spec: tuple[str, str, str, str, str]) -> Record:
    tax_type, name, rate, report, applies = spec
    value = Decimal(rate).quantize(Decimal("0.0001"))
    return {
        "Name": name,
        "TaxType": tax_type,
        "TaxComponents": [
            {
                "Name": name.split(" ")[0],
                "Rate": value,
                "IsCompound": False,
                "IsNonRecoverable": False,
            }
        ],
        "Status": "ACTIVE",
        "ReportTaxType": report,
        "CanApplyToRevenue": "R" in applies,
        "CanApplyToExpenses": "E" in applies,
        "CanApplyToAssets": "A" in applies,
        "CanApplyToLiabilities": "L" in applies,
        "CanApplyToEquity": "Q" in applies,
        "DisplayTaxRate": value,
        "EffectiveRate": value,
    }


def _tracking(state: SandboxState, name: str, options: list[str]) -> Record:
    record: Record = {
        "TrackingCategoryID": new_id(),
        "Name": name,
        "Status": "ACTIVE",
        "Options": [
            {
                "TrackingOptionID": new_id(),
                "Name": option,
                "Status": "ACTIVE",
                "HasValidationErrors": False,
                "IsDeleted": False,
                "IsArchived": False,
                "IsActive": True,
            }
            for option in options
        ],
    }
    return record


def _contact(state: SandboxState, name: str, **extra: Any) -> Record:
    record: Record = {
        "ContactID": new_id(),
        "ContactStatus": "ACTIVE",
        "Name": name,
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "HasAttachments": False,
        "HasValidationErrors": False,
    }
    record.update(extra)
    state.stamp(record)
    return record


def _item(state: SandboxState, code: str, name: str, **extra: Any) -> Record:
    record: Record = {
        "ItemID": new_id(),
        "Code": code,
        "Name": name,
        "IsSold": True,
        "IsPurchased": True,
        "IsTrackedAsInventory": False,
    }
    record.update(extra)
    state.stamp(record)
    return record


def _demo_items(state: SandboxState) -> list[Record]:
    """Two service items and one tracked inventory item with opening stock (20 at 12.50)."""
    return [
        _item(
            state,
            "CONSULT",
            "Consulting (hour)",
            Description="Consulting services, per hour",
            IsPurchased=False,
            SalesDetails={
                "UnitPrice": Decimal("150.00"),
                "AccountCode": "200",
                "TaxType": "OUTPUT",
            },
        ),
        _item(
            state,
            "INSTALL",
            "Installation",
            Description="On-site installation",
            PurchaseDescription="Subcontracted installation",
            SalesDetails={"UnitPrice": Decimal("90.00"), "AccountCode": "200", "TaxType": "OUTPUT"},
            PurchaseDetails={
                "UnitPrice": Decimal("60.00"),
                "AccountCode": "412",
                "TaxType": "INPUT",
            },
        ),
        _item(
            state,
            "WIDGET-BLUE",
            "Blue Widget",
            Description="Blue widget, boxed",
            PurchaseDescription="Blue widget from wholesaler",
            IsTrackedAsInventory=True,
            InventoryAssetAccountCode="630",
            SalesDetails={"UnitPrice": Decimal("25.00"), "AccountCode": "200", "TaxType": "OUTPUT"},
            PurchaseDetails={
                "UnitPrice": Decimal("12.50"),
                "COGSAccountCode": "310",
                "TaxType": "INPUT",
            },
            QuantityOnHand=Decimal("20.0000"),
            TotalCostPool=Decimal("250.00"),
        ),
    ]


def _build_org(
    state: SandboxState,
    *,
    tenant_id: str,
    key: str,
    name: str,
    short_code: str,
    country: str,
    currency: str,
    timezone: str,
    accounts: list[tuple[str, str, str, str, dict[str, Any]]],
    taxes: list[tuple[str, str, str, str, str]],
    currencies: list[str],
    tracking: dict[str, list[str]],
    lock_date: date,
    org_class: str = plans.DEFAULT_CLASS,
) -> Org:
    org = Org(
        tenant_id=tenant_id,
        key=key,
        name=name,
        short_code=short_code,
        country_code=country,
        base_currency=currency,
        timezone=timezone,
        period_lock_date=lock_date,
        end_of_year_lock_date=lock_date,
        org_class=org_class,
    )
    allowed = plans.allowed_currencies(org_class, country, currency)
    currencies = [c for c in currencies if allowed is None or c in allowed]
    for spec in accounts:
        account = _account(state, spec)
        org.accounts[account["AccountID"]] = account
    for tax in taxes:
        rate = _tax_rate(tax)
        org.tax_rates[rate["TaxType"]] = rate
    for code in currencies:
        org.currencies[code] = {"Code": code, "Description": CURRENCY_NAMES[code]}
    for category, options in tracking.items():
        record = _tracking(state, category, options)
        org.tracking_categories[record["TrackingCategoryID"]] = record
    seed_people(state, org)
    return org


# What an organisation of each region starts with (``region_org``); the keys are the regions
# ``POST /_sandbox/orgs`` makes organisations in (its ``country``). A Hong Kong organisation has
# Xero's global 0% rates and the Australian chart without its GST accounts; on a plan without
# multicurrency it holds HKD and USD alone (``plans.REGION_CURRENCIES``).
REGIONS: dict[str, dict[str, Any]] = {
    "AU": {
        "currency": "AUD",
        "timezone": "AUSEASTERNSTANDARDTIME",
        "accounts": AU_ACCOUNTS,
        "taxes": AU_TAX,
        "currencies": ["AUD", "USD", "NZD", "GBP", "EUR"],
        "tracking": {
            "Region": ["North", "South", "East", "West"],
            "Department": ["Sales", "Operations", "Projects"],
        },
        "lock_date": date(2025, 6, 30),
    },
    "HK": {
        "currency": "HKD",
        "timezone": "CHINASTANDARDTIME",
        "accounts": HK_ACCOUNTS,
        "taxes": HK_TAX,
        "currencies": ["HKD", "USD", "EUR", "GBP"],
        "tracking": {"Region": ["Kowloon", "Hong Kong Island", "New Territories"]},
        "lock_date": date(2025, 3, 31),
    },
}


def region_org(
    state: SandboxState,
    *,
    tenant_id: str,
    key: str,
    name: str,
    short_code: str,
    country: str = "AU",
    org_class: str = plans.DEFAULT_CLASS,
) -> Org:
    """An organisation of ``country`` set up as the demo one is (chart, tax rates, currencies
    its plan allows, tracking, lock date), without contacts and items: what ``POST
    /_sandbox/orgs`` makes (an Australian one on a plan without multicurrency holds AUD alone)."""
    return _build_org(
        state,
        tenant_id=tenant_id,
        key=key,
        name=name,
        short_code=short_code,
        country=country,
        org_class=org_class,
        **REGIONS[country],
    )


def made_org(state: SandboxState, made: MadeOrg) -> Org:
    """An organisation made through the admin API, as it starts (fresh and empty)."""
    return region_org(
        state,
        tenant_id=made.tenant_id,
        key=made.key,
        name=made.name,
        short_code=made.short_code,
        country=made.country,
        org_class=made.org_class,
    )


def seed(state: SandboxState) -> None:
    """Replace every organisation with the two demo organisations, and the ones made through
    the admin API with fresh, empty ones under the same keys and ids (their apps stay, so their
    custom connections keep working after a reset)."""
    state.orgs.clear()
    state.unsettled.clear()
    demo = region_org(
        state,
        tenant_id=DEMO_TENANT,
        key="demo",
        name="Ledgerlink Demo Company (AU)",
        short_code="!LLdm1",
    )
    for name, extra in [
        ("Bayside Club", {"EmailAddress": "accounts@bayside.example", "ContactNumber": "CUST-001"}),
        ("City Limousines", {"EmailAddress": "billing@citylimos.example"}),
        ("Ridgeway University", {"EmailAddress": "ap@ridgeway.example"}),
        (
            "Office Supplies Co",
            {"EmailAddress": "sales@officesupplies.example", "ContactNumber": "SUPP-001"},
        ),
        ("PowerDirect", {"EmailAddress": "accounts@powerdirect.example"}),
        ("Old Supplier Pty Ltd", {"ContactStatus": "ARCHIVED"}),
    ]:
        contact = _contact(state, name, **extra)
        demo.contacts[contact["ContactID"]] = contact
    for item in _demo_items(state):
        demo.items[item["ItemID"]] = item
    uk = _build_org(
        state,
        tenant_id=UK_TENANT,
        key="uk",
        name="Ledgerlink Demo Ltd (UK)",
        short_code="!LLuk2",
        country="GB",
        currency="GBP",
        timezone="GMTSTANDARDTIME",
        accounts=UK_ACCOUNTS,
        taxes=UK_TAX,
        currencies=["GBP", "EUR", "USD"],
        tracking={"Region": ["London", "Manchester", "Edinburgh"]},
        lock_date=date(2025, 3, 31),
    )
    for name in ("Marine Systems Ltd", "Hamilton Smith Ltd"):
        contact = _contact(state, name)
        uk.contacts[contact["ContactID"]] = contact
    state.orgs[demo.tenant_id] = demo
    state.orgs[uk.tenant_id] = uk
    for made in state.made_orgs:
        state.orgs[made.tenant_id] = made_org(state, made)
    # Whatever the seeded records post is journalled now, as the organisations begin.
    settle(state)
