"""Names the XML wire format needs that JSON carries in its own syntax.

JSON tells a list by its brackets and a boolean by ``true``; XML tells neither. The two tables
below are the property names that Xero's OpenAPI document (xero_accounting.yaml) declares as
arrays and as booleans, in any schema; a field of the same name is read the same way wherever
it appears, which is how Xero's own names are used. ``singular`` names one member of a list.
"""

from __future__ import annotations

LIST_FIELDS = frozenset(
    {
        "Accounts", "Actions", "Addresses", "Allocations", "Attachments", "Attributes",
        "BalanceDetails", "BankTransactions", "BankTransfers", "BatchPayments", "BrandingThemes",
        "BudgetBalances", "BudgetLines", "Budgets", "CISSettings", "Cells", "ContactGroups",
        "ContactPersons", "Contacts", "ConversionBalances", "CreditNotes", "Currencies",
        "Elements", "Employees", "ExpenseClaims", "ExternalLinks", "Fields", "FromTracking",
        "HistoryRecords", "InvoiceAddresses", "InvoiceReminders", "Invoices", "Items",
        "JournalLines", "Journals", "LineItems", "LinkedTransactions", "ManualJournals",
        "OnlineInvoices", "Options", "Organisations", "Overpayments", "PaymentServices",
        "Payments", "Phones", "Prepayments", "PurchaseOrders", "PurchasesTrackingCategories",
        "Quotes", "Receipts", "RepeatingInvoices", "ReportTitles", "Reports", "Rows",
        "SalesTrackingCategories", "TaxBreakdown", "TaxComponents", "TaxRates", "ToTracking",
        "Tracking", "TrackingCategories", "Users", "ValidationErrors", "Warnings",
    }
)  # fmt: skip

BOOLEAN_FIELDS = frozenset(
    {
        "AddToWatchlist", "ApprovedForSending", "CISContractorEnabled", "CISEnabled",
        "CISSubContractorEnabled", "CanApplyToAssets", "CanApplyToEquity", "CanApplyToExpenses",
        "CanApplyToLiabilities", "CanApplyToRevenue", "EnablePaymentsToAccount", "Enabled",
        "FromIsReconciled", "HasAccount", "HasAttachments", "HasErrors", "HasValidationErrors",
        "IncludeInEmails", "IncludeOnline", "IncludePDF", "IsBlank", "IsCompound", "IsCustomer",
        "IsDeleted", "IsDemoCompany", "IsDiscounted", "IsNonRecoverable", "IsPurchased",
        "IsReconciled", "IsSold", "IsSubscriber", "IsSupplier", "IsTrackedAsInventory",
        "MarkAsSent", "PaysTax", "Present", "SendCopy", "SentToContact", "ShowInExpenseClaims",
        "ShowOnCashBasisReports", "ToIsReconciled",
    }
)  # fmt: skip

# A line item's tracking is ``<Tracking><TrackingCategory>`` in Xero's XML (its documentation's
# XML examples; pyxero's name table agrees). The others have no XML example that could be found.
_IRREGULAR = {
    "Tracking": "TrackingCategory",
    "Elements": "DataContractBase",
    # UNCONFIRMED: named after the spec's item schema, for want of an XML example.
    "FromTracking": "TrackingCategory",
    "ToTracking": "TrackingCategory",
    "TaxBreakdown": "TaxBreakdownComponent",
    "BalanceDetails": "BalanceDetail",
}

_BY_LOWER = {name.lower(): name for name in LIST_FIELDS}


def singular(name: str) -> str:
    """The element name of one member of the list ``name`` (``LineItems`` -> ``LineItem``)."""
    if name in _IRREGULAR:
        return _IRREGULAR[name]
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def canonical(name: str) -> str:
    """Xero's spelling of a list name given in any case (``invoices`` -> ``Invoices``)."""
    return _BY_LOWER.get(name.lower(), name)
