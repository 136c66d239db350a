"""What a person sets per connection: defaults the mapping falls back on, and switches.

Validated as a whole whenever any of it changes (``connections.update_settings``), so a bad
value is refused with its field's name and nothing half-set is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ledgerlink.documents.currencies import ISO_4217
from ledgerlink.store import schedules

MIN_POLL_MINUTES = 5.0


class ConnectionSettings(BaseModel):
    """What a person sets per organisation: defaults the mapping falls back on, and switches."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None,
        max_length=100,
        description="What people call this connection on the dashboard (e.g. 'Head office'); "
        "absent: the organisation's name in Xero.",
    )
    default_revenue_account: str | None = Field(
        default=None,
        max_length=10,
        description="Account code for sales lines with no code of their own or of their item.",
    )
    default_expense_account: str | None = Field(
        default=None,
        max_length=10,
        description="Account code for purchase lines with no code of their own or of their item.",
    )
    default_sales_tax_type: str | None = Field(
        default=None, max_length=50, description="Tax type code for sales lines without one."
    )
    default_purchase_tax_type: str | None = Field(
        default=None, max_length=50, description="Tax type code for purchase lines without one."
    )
    invoice_number_prefix: str | None = Field(
        default=None,
        max_length=50,
        description="Text before the number of invoices ledgerlink numbers (e.g. 'INV-'). With "
        "this or invoice_next_number set, an invoice sent without a number is given the "
        "sequence's next one; with neither, Xero numbers it.",
    )
    invoice_next_number: int | None = Field(
        default=None,
        ge=1,
        description="The next number of the sequence. Changing it moves the sequence there; "
        "numbers already given to documents are skipped, never given twice. Sent as text with "
        "leading zeros ('0042'), it also sets invoice_number_digits to its length.",
    )
    invoice_number_digits: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="Zero-pad the sequence's numbers to at least this many digits "
        "(4: INV-0042); absent: no padding (INV-42).",
    )
    branches: list[str] = Field(
        default_factory=list,
        description="The source app's branches this connection serves: documents naming one "
        "of them are sent here. A branch is served by one connection of the workspace at most "
        "(names compare trimmed and case-insensitively).",
    )
    active: bool = Field(
        default=True,
        description="Switched off (false): nothing is sent to this organisation; documents are "
        "still accepted and wait in the queue until it is switched on again.",
    )
    not_sent: list[str] = Field(
        default_factory=list,
        description="Document kinds NOT sent to this organisation (what syncs to Xero): their "
        "documents are accepted and held with KIND_NOT_SENT, before any call, and sent once the "
        "kind is switched back on. Names from the kinds list (invoice, expense...).",
    )
    not_read: list[str] = Field(
        default_factory=list,
        description="Document kinds whose changes in Xero are NOT read back (what syncs from "
        "Xero): no polls or webhook pulls for them, no payments made in Xero recorded on them. "
        "'Refresh from Xero' and the read before an update still happen.",
    )
    payment_account_code: str | None = Field(
        default=None,
        max_length=10,
        description="Account (a bank account, or one with payments enabled) for payments "
        "recorded without an account of their own (payment documents; prior payments on an "
        "invoice are sent as such), held with PAYMENT_ACCOUNT_MISSING when neither gives one.",
    )
    bill_number_required: bool = Field(
        default=False,
        description="Xero export rule: a bill (expense) must carry the supplier's invoice "
        "number, or it is held.",
    )
    mode: Literal["immediate", "scheduled"] = Field(
        default="immediate",
        description="immediate: a document is sent as soon as it arrives; scheduled: documents "
        "wait for the schedule (to spare Xero's daily call limit), or for Sync now.",
    )
    schedule: str | None = Field(
        default=None,
        validate_default=True,
        max_length=100,
        description="When a scheduled connection sends: a cron expression in UTC, e.g. "
        "'0 2 * * *' for 02:00 every day or '*/30 * * * *' for every half hour.",
    )
    poll_minutes: float = Field(
        default=60.0,
        ge=0,
        le=10080,
        description="How often Xero is read for what it sends no webhook for (purchase orders "
        "billed, payments) and for changes a missed webhook would leave behind (six times less "
        "often while Xero's webhooks arrive): one call per resource when nothing changed. "
        "0: never.",
    )
    # -- currency --
    default_currency: str | None = Field(
        default=None,
        description="ISO 4217 code (e.g. HKD) for documents that name no currency, of every kind "
        "that carries one: sent to Xero as the document's CurrencyCode and checked as if the "
        "document named it. Once the organisation's currencies are read, it must be one the "
        "organisation holds. Absent: Xero's base currency.",
    )

    @field_validator("default_currency")
    @classmethod
    def _currency_code(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        if code not in ISO_4217:
            raise ValueError(f"'{value}' is not an ISO 4217 currency code such as AUD or HKD")
        return code

    # -- store --
    create_nonexistent_products: bool = Field(
        default=False,
        description="Create Nonexistent Products: an order line naming a product Xero has no "
        "item for makes that item (code, name, price from the line) before the order is sent; "
        "off: such an order is held with PRODUCT_NOT_IN_XERO. (Add Products to Xero is the "
        "product kind being sent: not_sent without 'product'.)",
    )
    shipping_account_code: str | None = Field(
        default=None,
        max_length=10,
        description="Account for orders' shipping lines that name none (else the default "
        "revenue account).",
    )
    discount_account_code: str | None = Field(
        default=None,
        max_length=10,
        description="Account for orders' discount lines that name none (else the default "
        "revenue account).",
    )

    @field_validator("poll_minutes")
    @classmethod
    def _poll_period(cls, value: float) -> float:
        if 0 < value < MIN_POLL_MINUTES:
            raise ValueError(
                f"poll at most every {MIN_POLL_MINUTES:g} minutes (or 0 for never): each poll "
                "spends a call per resource of the organisation's daily limit"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.data.get("mode") == schedules.SCHEDULED:
            raise ValueError(
                "a scheduled connection needs a schedule: a cron expression such as '0 2 * * *'"
            )
        return schedules.check(value) if value else None

    @field_validator("branches")
    @classmethod
    def _branch_names(cls, value: list[str]) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        for raw in value:
            name = raw.strip()
            if not name or len(name) > 100:
                raise ValueError("each branch must be 1 to 100 characters long")
            if branch_key(name) in seen:
                raise ValueError(f"branch {name!r} is listed twice")
            seen.add(branch_key(name))
            names.append(name)
        return names

    # -- inventory --
    inventory_mode: Literal["off", "valuation", "tracked"] = Field(
        default="off",
        description="How stock reaches Xero. off (Do not sync inventory): stock movements are "
        "accepted and marked not applicable, nothing is posted; valuation (Post valuation "
        "entries): each stock movement becomes one balanced manual journal between "
        "inventory_asset_account and inventory_cogs_account (or inventory_adjustment_account); "
        "tracked (Sync inventory): Xero's tracked items move their own quantities and average "
        "cost through the bills, invoices and credit notes that name their item codes, so stock "
        "movements post nothing.",
    )
    inventory_asset_account: str | None = Field(
        default=None,
        validate_default=True,
        max_length=10,
        description="Valuation journals' inventory asset: a current asset account that is NOT of "
        "Xero's INVENTORY type (Xero keeps those for tracked items and takes no manual journal "
        "on them).",
    )
    inventory_cogs_account: str | None = Field(
        default=None,
        validate_default=True,
        max_length=10,
        description="Valuation journals' cost of goods sold (a direct costs or expense account): "
        "the other side of receipts and issues.",
    )
    inventory_adjustment_account: str | None = Field(
        default=None,
        max_length=10,
        description="Valuation journals' other side for adjustments and write-offs (stock "
        "counted up or down, damaged goods); absent: inventory_cogs_account.",
    )
    inventory_allow_backorders: bool = Field(
        default=False,
        description="Sync inventory: invoices may sell more of a tracked item than Xero has on "
        "hand (sent with Xero's allowBackorders). Off: Xero refuses such an invoice and it is "
        "held with INVENTORY_INSUFFICIENT until the bill that buys the goods is in Xero.",
    )
    # -- expenses --
    approve_bills: bool | None = Field(
        default=None,
        description="Approved expenses go to Xero approved (AUTHORISED, Awaiting Payment) "
        "instead of awaiting approval (SUBMITTED), so nobody approves them again in Xero. "
        "Absent: only with inventory_mode tracked, since Xero moves a tracked item's stock on "
        "approved bills only.",
    )

    @field_validator("inventory_asset_account", "inventory_cogs_account")
    @classmethod
    def _valuation_accounts(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value.strip() if value else None
        if not value and info.data.get("inventory_mode") == "valuation":
            what = "inventory asset" if info.field_name == "inventory_asset_account" else "COGS"
            raise ValueError(
                f"Post valuation entries needs the {what} account its journals post to: "
                "choose one (or another inventory mode)"
            )
        return value

    # -- tracked --
    tracked_inventory_asset_account: str | None = Field(
        default=None,
        max_length=10,
        description="Sync inventory: the INVENTORY account (Xero's InventoryAssetAccountCode) "
        "holding the value of the tracked items ledgerlink makes from stocked products (tracked "
        "true, or a tracked block naming no inventory_asset_account_code). Not the valuation "
        "journals' inventory_asset_account: Xero takes no manual journal on INVENTORY accounts. "
        "Absent with Sync inventory: stocked products are held with "
        "TRACKED_ITEM_ACCOUNT_MISSING (and sent once it is chosen). A product already in Xero "
        "untracked becomes tracked at its next version; Xero counts its stock from then on.",
    )
    tracked_cogs_account: str | None = Field(
        default=None,
        max_length=10,
        description="Sync inventory: the cost of goods sold account (Xero's "
        "PurchaseDetails.COGSAccountCode) of the tracked items made from stocked products that "
        "name none; absent: inventory_cogs_account.",
    )

    @field_validator("tracked_inventory_asset_account", "tracked_cogs_account")
    @classmethod
    def _tracked_accounts(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value.strip() if value else None
        if (
            value
            and info.field_name == "tracked_inventory_asset_account"
            and value == info.data.get("inventory_asset_account")
        ):
            raise ValueError(
                "tracked items need an INVENTORY account, and valuation journals a current asset "
                "account that is not one: choose two different accounts"
            )
        return value


def tracked_item_accounts(settings: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(inventory asset, cost of goods sold) for the tracked items made from stocked products
    on this connection (stored settings), each None when it names none."""
    asset = settings.get("tracked_inventory_asset_account") or None
    cogs = settings.get("tracked_cogs_account") or settings.get("inventory_cogs_account") or None
    return asset, cogs


def branch_key(name: str) -> str:
    """How branch names compare: trimmed, case-insensitively ("North " is "north")."""
    return name.strip().casefold()


def bills_approved(settings: Mapping[str, Any]) -> bool:
    """Whether an approved expense goes to Xero AUTHORISED on this connection (stored
    settings): as ``approve_bills`` says, else when Xero's tracked stock must move."""
    chosen = settings.get("approve_bills")
    if chosen is not None:
        return bool(chosen)
    return settings.get("inventory_mode") == "tracked"


def kinds_not_read(settings: Mapping[str, Any]) -> set[str]:
    """The kinds a connection's stored settings leave out of what is read back from Xero."""
    return set(settings.get("not_read") or ())
