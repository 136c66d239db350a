"""Stock movements: with inventory mode "valuation", one balanced Xero manual journal each.

The connection's ``inventory_mode`` decides what a movement does (the inventory app's choice:
Do not sync inventory / Post valuation entries / Sync inventory):

- ``off``: nothing is posted; the movement is accepted and marked done, not applicable (a
  person who chose not to sync inventory expects no journals and no errors). Switching to
  valuation later posts the movements that arrive (or change) from then on, not the old ones.
- ``valuation``: the movement becomes one POSTED manual journal of two lines that balance:
  a receipt debits the inventory asset and credits cost of goods sold; an issue the reverse;
  an adjustment debits the inventory asset and credits the adjustment account when stock is
  counted up (the reverse when down); a write-off debits the adjustment account and credits
  the inventory asset. Xero takes no manual journal on INVENTORY-type accounts (fact sheet
  5.5, UNCONFIRMED detail; the sandbox refuses them), which Xero keeps for tracked items, so
  the inventory asset is a CURRENT asset account the person picks.
- ``tracked``: Xero's tracked items move their own quantity and average cost through the
  bills, invoices and credit notes naming their item codes; a valuation journal would count
  the stock twice, so movements post nothing (done, not applicable). A journal already posted
  before the mode changed still follows its movement (changed or voided).

A movement changed in the app changes its one journal (POST by ManualJournalID, which Xero
allows on a POSTED journal); voided in the app, the journal is voided. Manual journals have no
number, but they do carry a Url ("Go to [app]"): every journal goes with ledgerlink's Url
marker, and its Narration ends with "[ledgerlink stock_movement <source_id>]" for a person
reading Xero. A lost create is found by reading the journals of the sent dates (``where`` on
Date, which Xero's ManualJournals GET takes) and matching the Url marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ledgerlink.documents.stock_movement import StockMovement
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, DocumentKind, LinkView, Prepared, Record
from ledgerlink.mapping.preflight import locked_period
from ledgerlink.mapping.status import Decision, Send, Skip, not_editable

MODES = ("off", "valuation", "tracked")
# setting -> (what it is for, the account types it takes)
ACCOUNT_SETTINGS: dict[str, tuple[str, frozenset[str]]] = {
    "inventory_asset_account": ("inventory asset", frozenset({"CURRENT"})),
    "inventory_cogs_account": ("cost of goods sold", frozenset({"DIRECTCOSTS", "EXPENSE"})),
    "inventory_adjustment_account": (
        "stock adjustment",
        frozenset({"DIRECTCOSTS", "EXPENSE", "OVERHEADS"}),
    ),
}
NOT_APPLICABLE = {
    "off": "Not posted: the connection's inventory mode is off (Do not sync inventory).",
    "tracked": "Not posted: with Sync inventory, Xero's tracked items move their own stock "
    "through bills and invoices, so a valuation journal would count it twice.",
}
_GONE = frozenset({"VOIDED", "DELETED"})
MARKER = "ledgerlink stock_movement "
_WHERE_DATES = 25


def inventory_mode(settings: Mapping[str, Any] | None) -> str:
    mode = str((settings or {}).get("inventory_mode") or "off")
    return mode if mode in MODES else "off"


def account_fits(account: Mapping[str, Any], setting: str) -> bool:
    """Whether a Xero account may be picked for one of the valuation settings: active, not a
    bank or system account, of the types the setting takes (never INVENTORY: Xero takes no
    manual journal on those)."""
    types = ACCOUNT_SETTINGS[setting][1]
    return (
        str(account.get("Status") or "ACTIVE") == "ACTIVE"
        and not account.get("SystemAccount")
        and str(account.get("Type")) in types
    )


def account_choices_for(accounts: Iterable[Record], setting: str) -> list[Record]:
    """The accounts a person may pick for ``setting`` (the dropdown on the connection page)."""
    return [a for a in accounts if account_fits(a, setting)]


def _code(settings: Mapping[str, Any] | None, setting: str) -> str | None:
    value = (settings or {}).get(setting)
    if setting == "inventory_adjustment_account" and not value:
        value = (settings or {}).get("inventory_cogs_account")
    return str(value).strip() or None if value else None


def journal_sides(document: Any, settings: Mapping[str, Any] | None) -> tuple[str, str]:
    """(debit account, credit account) of the movement's journal."""
    asset = _code(settings, "inventory_asset_account") or ""
    cogs = _code(settings, "inventory_cogs_account") or ""
    adjustment = _code(settings, "inventory_adjustment_account") or ""
    if document.type == "receipt":
        return asset, cogs
    if document.type == "issue":
        return cogs, asset
    if document.type == "write_off":
        return adjustment, asset
    return (asset, adjustment) if document.value > 0 else (adjustment, asset)


def narration(document: Any) -> str:
    words = {"receipt": "Stock received", "issue": "Stock issued", "write_off": "Stock written off"}
    what = words.get(document.type, "Stock adjusted")
    if document.item_code:
        what += f": {document.item_code}"
        if document.quantity is not None:
            what += f" x {document.quantity.normalize():f}"
    if document.reference:
        what += f" ({document.reference})"
    return f"{what} [{MARKER}{document.source_id}]"


class StockMovementKind(DocumentKind):
    name = "stock_movement"
    model = StockMovement
    schema_name = "StockMovement"
    noun = "stock movement"
    settings_tab = "items"
    resource = "ManualJournals"
    id_field = "ManualJournalID"
    has_lines = False
    takes_unitdp = False
    read_by = "where"  # ManualJournals take no IDs=; a where of ids joined by OR
    marks_url = True
    source_words = {"POSTED": "posted", "VOIDED": "voided", "DRAFT": "draft"}

    def xero_type(self, document: Any) -> str:
        return "MANUALJOURNAL"

    def deep_link_kind(self, link_type: str | None) -> str:
        return "MANUALJOURNAL"

    def wanted_status(self, document: Any) -> str:
        return "VOIDED" if document.status == "voided" else "POSTED"

    def not_applicable(
        self, document: Any, settings: Mapping[str, Any], link: LinkView | None
    ) -> LedgerlinkError | None:
        mode = inventory_mode(settings)
        if link is not None or mode == "valuation":
            return None
        return LedgerlinkError(
            "INVENTORY_NOT_POSTED", NOT_APPLICABLE[mode], "settings.inventory_mode"
        )

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        wanted = self.wanted_status(document)
        if link is None:
            return Skip("voided before it reached Xero") if wanted == "VOIDED" else Send(wanted)
        if link.status in _GONE:
            if wanted == "VOIDED":
                return Skip("already voided in Xero")
            return not_editable(
                "The journal of this stock movement was voided in Xero: record the movement "
                "again with a new source_id.",
                "status",
            )
        return Send(wanted)

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        """Its date is after the lock date, and the accounts its journal posts to are set and
        fit (before any call)."""
        other = (
            "inventory_cogs_account"
            if document.type in ("receipt", "issue")
            else "inventory_adjustment_account"
        )
        locked = locked_period("date", document.date, context.lock_date)
        problems: list[LedgerlinkError] = [locked] if locked is not None else []
        for setting in ("inventory_asset_account", other):
            code = _code(context.settings, setting)
            if code is None:
                problems.append(_missing(setting))
                continue
            account = context.reference.account(code)
            if account is None or not account_fits(account, setting):
                problems.append(_unfit(setting, code, account))
        return problems

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        existing = prepared.existing
        if prepared.status == "VOIDED" and existing is not None:
            return {"ManualJournalID": existing.xero_id, "Status": "VOIDED"}
        debit, credit = journal_sides(document, prepared.settings)
        value = abs(document.value)
        text = narration(document)
        body: Record = {
            "Narration": text,
            "Date": document.date.isoformat(),
            "Status": prepared.status,
            "LineAmountTypes": "NoTax",
            "JournalLines": [
                {"Description": text, "LineAmount": value, "AccountCode": debit},
                {"Description": text, "LineAmount": -value, "AccountCode": credit},
            ],
        }
        if existing is not None:
            body = {"ManualJournalID": existing.xero_id, **body}
        return body

    def link_values(self, record: Record) -> dict[str, Any]:
        values = {**super().link_values(record), "xero_type": "MANUALJOURNAL"}
        lines = record.get("JournalLines")
        if isinstance(lines, list) and lines:
            amounts = [Decimal(str(x.get("LineAmount") or 0)) for x in lines if isinstance(x, dict)]
            values["total"] = str(sum((a for a in amounts if a > 0), Decimal("0.00")))
        return values

    def takes(self, record: Record) -> bool:
        """Only journals ledgerlink posted are stock movements (the Narration's marker): a
        person's own journals (depreciation, accruals) are none of ours."""
        return MARKER in str(record.get("Narration") or "")

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        """The journals of the sent dates (Xero's ``where`` on Date), 25 dates a query."""
        days = sorted({str(e.get("Date") or "") for e in sent} - {""})
        queries = []
        for start in range(0, len(days), _WHERE_DATES):
            chunk = days[start : start + _WHERE_DATES]
            where = " OR ".join(f"Date == {_datetime(d)}" for d in chunk)
            queries.append(("/ManualJournals", {"where": where}))
        return queries

    def matches(self, sent: Record, found: Record) -> bool:
        url = sent.get("Url")
        return bool(url) and found.get("Url") == url and found.get("Status") != "DELETED"


def _datetime(day: str) -> str:
    year, month, date = (int(part) for part in day.split("-"))
    return f"DateTime({year},{month:02d},{date:02d})"


def _missing(setting: str) -> LedgerlinkError:
    what = ACCOUNT_SETTINGS[setting][0]
    return LedgerlinkError(
        "INVENTORY_ACCOUNT_MISSING",
        f"settings.{setting} is not set: valuation journals need a {what} account. Choose one "
        "under Edit connection, Inventory.",
        field=f"settings.{setting}",
    )


def _unfit(setting: str, code: str, account: Mapping[str, Any] | None) -> LedgerlinkError:
    what, types = ACCOUNT_SETTINGS[setting]
    if account is None:
        why = "is not an account of the organisation"
    elif str(account.get("Type")) == "INVENTORY":
        why = (
            "is an INVENTORY account, which Xero keeps for tracked items and takes no manual "
            "journal on; pick a current asset account"
        )
    else:
        why = (
            f"({account.get('Name')}, {account.get('Type')}) cannot take a {what} entry: "
            f"pick an active account of type {' or '.join(sorted(types))}"
        )
    return LedgerlinkError(
        "XERO_ACCOUNT_CODE_INVALID",
        f"settings.{setting} '{code}' {why}.",
        field=f"settings.{setting}",
    )


KIND = StockMovementKind()
