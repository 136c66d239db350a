"""The tabs of Edit connection, as the inventory app's "Accounting Integration Settings" (Items,
Customers, Invoices, Vendors, Company, Schedule), and "All settings": the whole form, shown when
no tab is asked for.

A tab is the sections it shows; a section names the settings fields it holds. A tab's form
saves only its own sections' fields: a field another tab holds is never read from its post (a
checkbox absent from the form is not "off"), and its What syncs rows are the kinds the registry
puts on it (``DocumentKind.settings_tab``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError

# Each section of the page and the settings fields it holds (shown as text, or a checkbox).
SECTION_TEXTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "active": (),
    "branches": (),
    "organisation": (),
    "currency": ("default_currency",),
    "numbers": ("invoice_number_prefix", "invoice_next_number", "invoice_number_digits"),
    "sales_defaults": ("default_revenue_account", "default_sales_tax_type"),
    "purchase_defaults": ("default_expense_account", "default_purchase_tax_type"),
    "payments": ("payment_account_code",),
    "approve_bills": (),
    "inventory": (
        "inventory_mode",
        "inventory_asset_account",
        "inventory_cogs_account",
        "inventory_adjustment_account",
        "tracked_inventory_asset_account",
        "tracked_cogs_account",
    ),
    "item_links": (),
    "directions": (),
    "schedule": ("mode", "schedule", "poll_minutes"),
}
SECTION_SWITCHES: dict[str, tuple[str, ...]] = {
    "active": ("active",),
    "purchase_defaults": ("bill_number_required",),
    "inventory": ("inventory_allow_backorders",),
}

ALL = "all"


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    sections: tuple[str, ...]

    def texts(self) -> list[str]:
        return [n for s in self.sections for n in SECTION_TEXTS[s]]

    def switches(self) -> list[str]:
        return [n for s in self.sections for n in SECTION_SWITCHES.get(s, ())]

    def kinds(self) -> list[str]:
        """The kinds whose What syncs row this tab shows (and saves)."""
        if "directions" not in self.sections:
            return []
        return [k.name for k in kinds.all_kinds() if self.key in (ALL, k.settings_tab)]

    def href(self, connection_id: str) -> str:
        path = f"/connections/{connection_id}/edit"
        return path if self.key == ALL else f"{path}?tab={self.key}"


TABS = (
    Tab("items", "Items", ("inventory", "item_links", "directions")),
    Tab("customers", "Customers", ("sales_defaults", "directions")),
    Tab("invoices", "Invoices", ("numbers", "payments", "directions")),
    Tab("vendors", "Vendors", ("purchase_defaults", "approve_bills", "directions")),
    Tab("company", "Company", ("name", "active", "branches", "currency", "organisation")),
    Tab("schedule", "Schedule", ("schedule",)),
    Tab(
        ALL,
        "All settings",
        (
            "name",
            "active",
            "branches",
            "organisation",
            "numbers",
            "sales_defaults",
            "purchase_defaults",
            "payments",
            "approve_bills",
            "inventory",
            "currency",
            "directions",
            "schedule",
        ),
    ),
)
_BY_KEY = {tab.key: tab for tab in TABS}


def tab_named(key: str | None) -> Tab:
    """The tab asked for (none or empty: All settings); NOT_FOUND naming the tabs otherwise."""
    found = _BY_KEY.get(key or ALL)
    if found is None:
        raise LedgerlinkError(
            "NOT_FOUND",
            f"tab must be one of {', '.join(_BY_KEY)} (got {key!r}).",
            field="tab",
        )
    return found
