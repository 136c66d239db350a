"""Small helpers shared by the reference-data and non-invoice endpoints.

Xero reads request JSON with property names matched without regard to case, so elements are
read through ``pick``; input fields are coerced with ``wire`` so a wrong type is Xero's
PostDataInvalid, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, wire
from xero_sandbox.batch import error_element, read_elements
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.state import Org, Record

MISSING = object()


def pick(element: dict[str, Any], key: str, default: Any = None) -> Any:
    """``element[key]`` with the key matched without regard to case."""
    if key in element:
        return element[key]
    lowered = key.lower()
    for name, value in element.items():
        if name.lower() == lowered:
            return value
    return default


def has(element: dict[str, Any], key: str) -> bool:
    return pick(element, key, MISSING) is not MISSING


def text(element: dict[str, Any], key: str, path: str = "") -> str | None:
    """A string field; None when absent or null."""
    value = pick(element, key)
    if value is None:
        return None
    return wire.parse_str(value, f"{path}{key}")


def flag(element: dict[str, Any], key: str, path: str = "") -> bool | None:
    value = pick(element, key)
    if value is None:
        return None
    return wire.parse_bool(value, f"{path}{key}")


def too_long(value: str | None, limit: int, field: str) -> list[str]:
    if value is not None and len(value) > limit:
        return [f"{field} must not be more than {limit} characters long."]
    return []


def find_record(collection: dict[str, Record], id_field: str, value: str) -> Record | None:
    wanted = value.strip().lower()
    found = collection.get(wanted)
    if found is not None:
        return found
    return next(
        (r for r in collection.values() if str(r.get(id_field, "")).lower() == wanted), None
    )


def single_write(
    ctx: ApiContext,
    key: str,
    resource: str,
    handle: Callable[[dict[str, Any]], Record],
    present: Callable[[Record], Record] | None = None,
) -> Response:
    """Endpoints that take one element per request (Accounts, TaxRates, tracking).

    A list of several is accepted but only its first element is processed, as Xero does.
    """
    element = read_elements(ctx, key, resource)[0]
    try:
        record = handle(element)
    except errors.ElementErrors as failure:
        raise errors.validation_exception([error_element(element, failure)]) from None
    return envelope(ctx, key, [present(record) if present else record])


def document_lines(org: Org) -> Iterator[tuple[str, Record, dict[str, Any]]]:
    """Every line of every stored document, with its kind and document."""
    sources = (
        ("invoice", org.invoices, "LineItems"),
        ("creditnote", org.credit_notes, "LineItems"),
        ("purchaseorder", org.purchase_orders, "LineItems"),
        ("manualjournal", org.manual_journals, "JournalLines"),
        ("quote", org.quotes, "LineItems"),
        ("repeatinginvoice", org.repeating_invoices, "LineItems"),
        ("banktransaction", org.bank_transactions, "LineItems"),
    )
    for kind, collection, key in sources:
        for document in collection.values():
            for line in document.get(key) or []:
                if isinstance(line, dict):
                    yield kind, document, line


def account_used(org: Org, account: Record) -> bool:
    """Used = named by a line of any document, a payment, or an item's defaults."""
    code = str(account.get("Code") or "").lower()
    account_id = str(account.get("AccountID")).lower()

    def names(line: dict[str, Any]) -> bool:
        line_code = str(line.get("AccountCode") or "").lower()
        return (bool(code) and line_code == code) or str(line.get("AccountID", "")).lower() == (
            account_id
        )

    if any(names(line) for _, _, line in document_lines(org)):
        return True
    for payment in org.payments.values():
        if isinstance(payment.get("Account"), dict) and names(payment["Account"]):
            return True
    for bank in org.bank_transactions.values():
        if names(bank["BankAccount"]):
            return True
    for item in org.items.values():
        details = [item.get("SalesDetails") or {}, item.get("PurchaseDetails") or {}]
        codes = [
            str(d.get(k) or "").lower() for d in details for k in ("AccountCode", "COGSAccountCode")
        ]
        codes.append(str(item.get("InventoryAssetAccountCode") or "").lower())
        if code and code in codes:
            return True
    return False


def tracking_used(org: Org, category: Record, option: Record | None = None) -> bool:
    """Whether any document line carries this category (or this option of it)."""
    cat_id = str(category["TrackingCategoryID"]).lower()
    cat_name = str(category["Name"]).lower()
    for _, _, line in document_lines(org):
        for entry in line.get("Tracking") or []:
            if not isinstance(entry, dict):
                continue
            same_cat = str(entry.get("TrackingCategoryID", "")).lower() == cat_id or (
                str(entry.get("Name", "")).lower() == cat_name
            )
            if not same_cat:
                continue
            if option is None:
                return True
            if (
                str(entry.get("TrackingOptionID", "")).lower() == option["TrackingOptionID"].lower()
                or str(entry.get("Option", "")).lower() == str(option["Name"]).lower()
            ):
                return True
    return False
