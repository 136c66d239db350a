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

from xero_sandbox.state import Org, Record, SandboxState, new_id

DEMO_TENANT = "3f9b5c1e-4d2a-4b7c-9e8f-0a1b2c3d4e01"
UK_TENANT = "7a2d4e6f-8b1c-4d3e-a5f7-9c0b1d2e3f02"

CLASS_OF_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}

# code, name, type, default tax type, extras
AU_ACCOUNTS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    (
        "090",
        "Business Bank Account",
        "BANK",
        "BASEXCLUDED",
        {"BankAccountNumber": "062-000 12345678"},
    ),
    (
        "091",
        "Business Savings Account",
        "BANK",
        "BASEXCLUDED",
        {"BankAccountNumber": "062-000 87654321"},
    ),
    ("200", "Sales", "REVENUE", "OUTPUT", {}),
    ("260", "Other Revenue", "REVENUE", "OUTPUT", {}),
    ("270", "Interest Income", "REVENUE", "INPUTTAXED", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", {}),
    ("400", "Advertising", "OVERHEADS", "INPUT", {}),
    ("404", "Bank Fees", "OVERHEADS", "INPUTTAXED", {}),
    ("408", "Cleaning", "OVERHEADS", "INPUT", {}),
    ("412", "Consulting & Accounting", "EXPENSE", "INPUT", {}),
    ("420", "Entertainment", "OVERHEADS", "INPUT", {}),
    ("425", "Freight & Courier", "EXPENSE", "INPUT", {}),
    ("429", "General Expenses", "OVERHEADS", "INPUT", {}),
    ("433", "Insurance", "EXPENSE", "INPUT", {}),
    ("445", "Light, Power, Heating", "EXPENSE", "INPUT", {}),
    ("449", "Motor Vehicle Expenses", "EXPENSE", "INPUT", {}),
    ("453", "Office Expenses", "OVERHEADS", "INPUT", {}),
    ("461", "Printing & Stationery", "OVERHEADS", "INPUT", {}),
    ("469", "Rent", "OVERHEADS", "INPUT", {}),
    ("473", "Repairs and Maintenance", "OVERHEADS", "INPUT", {}),
    ("477", "Wages and Salaries", "EXPENSE", "BASEXCLUDED", {}),
    ("478", "Superannuation", "EXPENSE", "BASEXCLUDED", {}),
    ("485", "Subscriptions", "EXPENSE", "INPUT", {}),
    ("489", "Telephone & Internet", "EXPENSE", "INPUT", {}),
    ("493", "Travel - National", "EXPENSE", "INPUT", {}),
    ("494", "Travel - International", "EXPENSE", "EXEMPTEXPENSES", {}),
    ("499", "Old Marketing (archived)", "OVERHEADS", "INPUT", {"Status": "ARCHIVED"}),
    ("610", "Accounts Receivable", "CURRENT", "BASEXCLUDED", {"SystemAccount": "DEBTORS"}),
    ("620", "Prepayments", "CURRENT", "BASEXCLUDED", {}),
    ("630", "Inventory", "INVENTORY", "BASEXCLUDED", {}),
    ("710", "Office Equipment", "FIXED", "INPUT", {}),
    ("800", "Accounts Payable", "CURRLIAB", "BASEXCLUDED", {"SystemAccount": "CREDITORS"}),
    ("804", "Wages Payable - Payroll", "CURRLIAB", "BASEXCLUDED", {}),
    ("820", "GST", "CURRLIAB", "BASEXCLUDED", {"SystemAccount": "GST"}),
    ("825", "PAYG Withholdings Payable", "CURRLIAB", "BASEXCLUDED", {}),
    ("826", "Superannuation Payable", "CURRLIAB", "BASEXCLUDED", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "BASEXCLUDED", {"SystemAccount": "HISTORICAL"}),
    ("850", "Payments Clearing", "CURRLIAB", "BASEXCLUDED", {"EnablePaymentsToAccount": True}),
    ("860", "Rounding", "CURRLIAB", "BASEXCLUDED", {"SystemAccount": "ROUNDING"}),
    ("880", "Owner A Drawings", "EQUITY", "BASEXCLUDED", {}),
    ("960", "Retained Earnings", "EQUITY", "BASEXCLUDED", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Funds Introduced", "EQUITY", "BASEXCLUDED", {}),
]

UK_ACCOUNTS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("090", "Business Current Account", "BANK", "NONE", {"BankAccountNumber": "20-00-00 12345678"}),
    ("200", "Sales", "SALES", "OUTPUT2", {}),
    ("260", "Other Revenue", "REVENUE", "OUTPUT2", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", {}),
    ("400", "Advertising & Marketing", "OVERHEADS", "INPUT2", {}),
    ("404", "Bank Charges", "OVERHEADS", "EXEMPTINPUT", {}),
    ("429", "General Expenses", "OVERHEADS", "INPUT2", {}),
    ("469", "Rent", "OVERHEADS", "EXEMPTINPUT", {}),
    ("477", "Salaries", "OVERHEADS", "NONE", {}),
    ("478", "Employers National Insurance", "OVERHEADS", "NONE", {}),
    ("479", "Pensions Costs", "OVERHEADS", "NONE", {}),
    ("610", "Accounts Receivable", "CURRENT", "NONE", {"SystemAccount": "DEBTORS"}),
    ("630", "Stock", "INVENTORY", "NONE", {}),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", {"SystemAccount": "CREDITORS"}),
    ("814", "Wages Payable - Payroll", "CURRLIAB", "NONE", {}),
    ("820", "VAT", "CURRLIAB", "NONE", {"SystemAccount": "GST"}),
    ("825", "PAYE Payable", "CURRLIAB", "NONE", {}),
    ("826", "Pensions Payable", "CURRLIAB", "NONE", {}),
    ("960", "Retained Earnings", "EQUITY", "NONE", {"SystemAccount": "RETAINEDEARNINGS"}),
]

# tax type, name, rate, report tax type,
# applies to (R)evenue (E)xpenses (A)ssets (L)iabilities (Q)equity
AU_TAX = [
    ("OUTPUT", "GST on Income", "10", "OUTPUT", "RALQ"),
    ("INPUT", "GST on Expenses", "10", "INPUT", "EALQ"),
    ("EXEMPTOUTPUT", "GST Free Income", "0", "OUTPUT", "RALQ"),
    ("EXEMPTEXPENSES", "GST Free Expenses", "0", "INPUT", "EALQ"),
    ("INPUTTAXED", "Input Taxed", "0", "INPUT", "REALQ"),
    ("BASEXCLUDED", "BAS Excluded", "0", "BASEXCLUDED", "REALQ"),
    ("GSTONIMPORTS", "GST on Imports", "0", "GSTONIMPORTS", "EA"),
]

UK_TAX = [
    ("OUTPUT2", "20% (VAT on Income)", "20", "OUTPUT", "RALQ"),
    ("INPUT2", "20% (VAT on Expenses)", "20", "INPUT", "EALQ"),
    ("RROUTPUT", "5% (VAT on Income)", "5", "OUTPUT", "RALQ"),
    ("RRINPUT", "5% (VAT on Expenses)", "5", "INPUT", "EALQ"),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "0", "OUTPUT", "RALQ"),
    ("ZERORATEDINPUT", "Zero Rated Expenses", "0", "INPUT", "EALQ"),
    ("EXEMPTOUTPUT", "Exempt Income", "0", "EXEMPTOUTPUT", "RALQ"),
    ("EXEMPTINPUT", "Exempt Expenses", "0", "EXEMPTINPUT", "EALQ"),
    ("NONE", "No VAT", "0", "NONE", "REALQ"),
]

CURRENCY_NAMES = {
    "AUD": "Australian Dollar",
    "NZD": "New Zealand Dollar",
    "USD": "United States Dollar",
    "GBP": "British Pound",
    "EUR": "Euro",
    "JPY": "Japanese Yen",
    "CAD": "Canadian Dollar",
    "SGD": "Singapore Dollar",
    "HKD": "Hong Kong Dollar",
}


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
    )
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
    return org


def seed(state: SandboxState) -> None:
    """Replace every organisation with the two demo organisations."""
    state.orgs.clear()
    demo = _build_org(
        state,
        tenant_id=DEMO_TENANT,
        key="demo",
        name="Ledgerlink Demo Company (AU)",
        short_code="!LLdm1",
        country="AU",
        currency="AUD",
        timezone="AUSEASTERNSTANDARDTIME",
        accounts=AU_ACCOUNTS,
        taxes=AU_TAX,
        currencies=["AUD", "USD", "NZD", "GBP", "EUR"],
        tracking={
            "Region": ["North", "South", "East", "West"],
            "Department": ["Sales", "Operations", "Projects"],
        },
        lock_date=date(2025, 6, 30),
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
