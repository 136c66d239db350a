"""The seeded organisations' fixed data: charts of accounts, tax rates and currency names.

Kept apart from ``seed``, which builds organisations from them.
"""

from __future__ import annotations

from typing import Any

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

# A Hong Kong organisation ("GLOBAL" version): no GST or VAT, so Xero's global rates at 0%.
HK_TAX = [
    ("OUTPUT", "Tax on Sales", "0", "OUTPUT", "RALQ"),
    ("INPUT", "Tax on Purchases", "0", "INPUT", "EALQ"),
    ("NONE", "Tax Exempt", "0", "NONE", "REALQ"),
]
# The Australian chart with every other tax type replaced by Tax Exempt.
HK_ACCOUNTS = [
    (code, name, type_, tax if tax in ("OUTPUT", "INPUT") else "NONE", extra)
    for code, name, type_, tax, extra in AU_ACCOUNTS
    if "GST" not in name
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
