"""Which account code and tax type each line goes to Xero with, and where each came from.

Each field is taken from the first place that sets it, most specific first:

1. the line itself (the user picked it in the source app);
2. the product/item override table (per item code, per usage: sales or purchase);
3. the Xero item's own sales or purchase details, when the line names an item Xero knows (Xero
   would use them itself if the line left them out; sending a default instead would hide them);
4. the connection's defaults: revenue account and sales tax type for invoices, expense account
   and purchase tax type for bills;
5. for the tax type only: the account's own default tax type in Xero's chart of accounts.

The source is kept with the value, so an error can say "account 499, from the connection's
default" and the person knows which setting to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ledgerlink.documents.schemas import LinedDocument, SalesInvoice
from ledgerlink.mapping.reference import Reference

Usage = Literal["sales", "purchase"]
Source = Literal["line", "item_override", "xero_item", "connection_default", "account_default"]
Overrides = Mapping[str, tuple[str | None, str | None]]

SOURCE_WORDS: dict[str, str] = {
    "line": "set on the line",
    "item_override": "from the item override for this item code",
    "xero_item": "from the Xero item's details",
    "connection_default": "from the connection's default",
    "account_default": "the account's default tax type in Xero",
}


@dataclass(frozen=True)
class MappingDefaults:
    """A connection's default account codes and tax types."""

    revenue_account: str | None = None
    sales_tax_type: str | None = None
    expense_account: str | None = None
    purchase_tax_type: str | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> MappingDefaults:
        """Read the defaults from a connection's settings JSON."""

        def text(key: str) -> str | None:
            value = settings.get(key)
            return str(value).strip() or None if value is not None else None

        return cls(
            revenue_account=text("default_revenue_account"),
            sales_tax_type=text("default_sales_tax_type"),
            expense_account=text("default_expense_account"),
            purchase_tax_type=text("default_purchase_tax_type"),
        )

    def for_usage(self, usage: Usage) -> tuple[str | None, str | None]:
        if usage == "sales":
            return self.revenue_account, self.sales_tax_type
        return self.expense_account, self.purchase_tax_type


@dataclass(frozen=True)
class ResolvedLine:
    index: int
    account_code: str | None
    account_source: Source | None
    tax_type: str | None
    tax_source: Source | None


def usage_of(document: LinedDocument) -> Usage:
    return "sales" if isinstance(document, SalesInvoice) else "purchase"


def _xero_item_codes(item: Mapping[str, Any] | None, usage: Usage) -> tuple[str | None, str | None]:
    """A Xero item's account and tax for this usage; a tracked item is bought into inventory."""
    if not item:
        return None, None
    details = item.get("SalesDetails" if usage == "sales" else "PurchaseDetails") or {}
    account = details.get("AccountCode")
    if usage == "purchase" and item.get("IsTrackedAsInventory"):
        account = item.get("InventoryAssetAccountCode") or account
    tax = details.get("TaxType")
    return (str(account) if account else None), (str(tax) if tax else None)


def resolve_lines(
    document: LinedDocument,
    *,
    overrides: Overrides | None = None,
    defaults: MappingDefaults | None = None,
    reference: Reference | None = None,
    usage: Usage | None = None,
) -> list[ResolvedLine]:
    """Account code and tax type for every line, with their sources.

    ``overrides`` maps item code -> (account code, tax type) for this document's usage (its
    kind's, else ``usage_of(document)``); either value may be None.
    """
    usage = usage or usage_of(document)
    default_account, default_tax = (defaults or MappingDefaults()).for_usage(usage)
    resolved = []
    for index, line in enumerate(document.lines):
        accounts: list[tuple[str | None, Source]] = [(line.account_code, "line")]
        taxes: list[tuple[str | None, Source]] = [(line.tax_type, "line")]
        if line.item_code is not None:
            override = (overrides or {}).get(line.item_code)
            if override is not None:
                accounts.append((override[0], "item_override"))
                taxes.append((override[1], "item_override"))
            if reference is not None:
                item_account, item_tax = _xero_item_codes(reference.item(line.item_code), usage)
                accounts.append((item_account, "xero_item"))
                taxes.append((item_tax, "xero_item"))
        accounts.append((default_account, "connection_default"))
        taxes.append((default_tax, "connection_default"))
        account, account_source = _first(accounts)
        tax, tax_source = _first(taxes)
        if tax is None and account is not None and reference is not None:
            record = reference.account(account)
            if record and record.get("TaxType"):
                tax, tax_source = str(record["TaxType"]), "account_default"
        resolved.append(ResolvedLine(index, account, account_source, tax, tax_source))
    return resolved


def _first(choices: list[tuple[str | None, Source]]) -> tuple[str | None, Source | None]:
    for value, source in choices:
        if value is not None and value.strip():
            return value.strip(), source
    return None, None
