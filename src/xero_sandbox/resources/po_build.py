"""Creating and updating one purchase order: Xero's rules, checked before anything changes.

Purchase orders are non-ledger documents: no lock date, no journals, no stock. The PO endpoint
never creates contacts. Xero does not publish the status changes it allows; the sandbox allows

    DRAFT      -> DRAFT, SUBMITTED, AUTHORISED, DELETED
    SUBMITTED  -> SUBMITTED, AUTHORISED, DELETED   (back to DRAFT is refused: it is reported
                                                    not to take effect on Xero)
    AUTHORISED -> AUTHORISED, BILLED, DELETED
    BILLED     -> BILLED, AUTHORISED               (only Status and SentToContact change)
    DELETED    -> nothing

and creation as DRAFT, SUBMITTED or AUTHORISED. SentToContact on a PO that is not AUTHORISED or
BILLED is ignored with Xero's warning, as the spec's example shows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.doc_lines import build_lines
from xero_sandbox.resources.ref_common import flag, has, pick, text, too_long
from xero_sandbox.state import Org, Record, new_id

TRANSITIONS = {
    "DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
    "SUBMITTED": ("SUBMITTED", "AUTHORISED", "DELETED"),
    "AUTHORISED": ("AUTHORISED", "BILLED", "DELETED"),
    "BILLED": ("BILLED", "AUTHORISED"),
    "DELETED": (),
}
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED")
AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
SENT_WARNING = "Only AUTHORISED and BILLED purchase orders may have SentToContact updated."
UNIQUE_NUMBER = "Order number must be unique"
_BILLED_KEEPS = {"purchaseorderid", "purchaseordernumber", "status", "senttocontact"}
_TEXT_FIELDS = ("Reference", "DeliveryAddress", "AttentionTo", "Telephone", "BrandingThemeID")


def find_by_number(org: Org, number: str) -> Record | None:
    wanted = number.strip().lower()
    return next(
        (
            p
            for p in org.purchase_orders.values()
            if str(p.get("PurchaseOrderNumber", "")).lower() == wanted
        ),
        None,
    )


def _date(element: dict[str, Any], key: str) -> date | None:
    value = pick(element, key)
    if value is None or value == "":
        return None
    return wire.parse_date(value, key)


def _status_errors(existing: Record | None, status: str) -> list[str]:
    if status not in STATUSES:
        return [f"Purchase order Status '{status}' is not valid."]
    if existing is None:
        if status not in CREATE_STATUSES:
            return [f"A purchase order cannot be created with a status of {status}."]
        return []
    current = existing["Status"]
    if status not in TRANSITIONS[current]:
        if current == "DELETED":
            return ["A deleted purchase order cannot be modified."]
        return [f"The purchase order status cannot be changed from {current} to {status}."]
    return []


def _amount_types(element: dict[str, Any], old: Record) -> tuple[str, list[str]]:
    given = text(element, "LineAmountTypes")
    if given is None:
        return old.get("LineAmountTypes", "Exclusive"), []
    chosen = next((t for t in AMOUNT_TYPES if t.lower() == given.strip().lower()), None)
    if chosen is None:
        return "Exclusive", [f"LineAmountTypes '{given}' is not valid."]
    return chosen, []


def _number(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> list[str]:
    number = text(element, "PurchaseOrderNumber")
    if number is None or not number.strip():
        return []
    other = find_by_number(ctx.org, number)
    if other is not None and other is not existing:
        return [UNIQUE_NUMBER]
    return too_long(number.strip(), 255, "PurchaseOrderNumber")


def auto_number(org: Org) -> str:
    while True:
        candidate = org.next_number("PO")
        if find_by_number(org, candidate) is None:
            return candidate


def prepare(
    ctx: ApiContext, element: dict[str, Any], existing: Record | None
) -> tuple[Record, list[str]]:
    """The record this element makes and its warnings; ElementErrors lists every problem."""
    org = ctx.org
    old: Record = existing or {}
    status = (text(element, "Status") or old.get("Status") or "DRAFT").strip().upper()
    problems = _status_errors(existing, status)
    if problems:
        raise errors.ElementErrors(problems)
    if old.get("Status") == "BILLED":
        extra = [k for k in element if k.lower() not in _BILLED_KEEPS]
        if extra:
            raise errors.element_error("A billed purchase order cannot be edited.")
    warnings: list[str] = []
    record: Record = dict(old)
    record["Status"] = status
    contact_ref = pick(element, "Contact")
    if contact_ref is not None or existing is None:
        contact, contact_problems = rules.resolve_contact(ctx, contact_ref, create=False)
        problems += contact_problems
        if contact is not None:
            record["ContactID"] = contact["ContactID"]
    problems += _number(ctx, element, existing)
    amount_types, type_problems = _amount_types(element, old)
    problems += type_problems
    record["LineAmountTypes"] = amount_types
    currency = text(element, "CurrencyCode")
    problems += rules.currency_errors(org, currency)
    if currency:
        record["CurrencyCode"] = currency.strip().upper()
    record.setdefault("CurrencyCode", org.base_currency)
    rate = pick(element, "CurrencyRate")
    if rate is not None:
        chosen = wire.parse_decimal(rate, "CurrencyRate")
        if chosen <= 0 or chosen >= money.LIMIT:
            problems.append("CurrencyRate must be greater than zero.")
        else:
            record["CurrencyRate"] = chosen
    instructions = text(element, "DeliveryInstructions")
    problems += too_long(instructions, 500, "DeliveryInstructions")
    if instructions is not None:
        record["DeliveryInstructions"] = instructions
    for key in _TEXT_FIELDS:
        value = text(element, key)
        if value is not None:
            record[key] = value
    for key in ("Date", "DeliveryDate", "ExpectedArrivalDate"):
        when = _date(element, key)
        if when is not None:
            record[key] = when
    record.setdefault("Date", ctx.state.clock.today())
    sent = flag(element, "SentToContact")
    if sent is not None:
        if status in ("AUTHORISED", "BILLED"):
            record["SentToContact"] = sent
        else:
            warnings.append(SENT_WARNING)
    if has(element, "LineItems") or existing is None:
        raw_lines = pick(element, "LineItems")
        if existing is None and not raw_lines:
            problems.append("A purchase order must have at least one line item.")
        lines, figures, line_problems = build_lines(
            org,
            "PURCHASEORDER",
            raw_lines or [],
            old.get("LineItems") or [],
            amount_types=amount_types,
            need_account=False,
            unitdp=ctx.unitdp,
        )
        problems += [p for p in line_problems if p not in problems]
        if not line_problems:
            record["LineItems"] = lines
            _totals(record, figures, amount_types)
    if problems:
        raise errors.ElementErrors(problems, warnings)
    return record, warnings


def _totals(record: Record, figures: list[money.LineFigures], amount_types: str) -> None:
    totals = money.document_totals(figures, amount_types)
    record["SubTotal"] = totals.sub_total
    record["TotalTax"] = totals.total_tax
    record["Total"] = totals.total
    record["TotalDiscount"] = totals.total_discount
    record["IsDiscounted"] = totals.total_discount != 0


def commit(ctx: ApiContext, record: Record, existing: Record | None) -> Record:
    """Store a prepared purchase order (numbering it if the caller left the number out)."""
    if existing is None:
        record["PurchaseOrderID"] = new_id()
        record["HasAttachments"] = False
        record.setdefault("SentToContact", False)
    if not record.get("PurchaseOrderNumber"):
        record["PurchaseOrderNumber"] = auto_number(ctx.org)
    ctx.state.stamp(record)
    target = existing if existing is not None else record
    if existing is not None:
        existing.clear()
        existing.update(record)
    ctx.org.purchase_orders[target["PurchaseOrderID"]] = target
    return target


def apply_number(record: Record, element: dict[str, Any]) -> None:
    number = text(element, "PurchaseOrderNumber")
    if number is not None and number.strip():
        record["PurchaseOrderNumber"] = number.strip()
