"""Line items of invoices and credit notes: reading, checking and pricing them as Xero does.

Xero replaces any stored line whose LineItemID a write leaves out, so lines are rebuilt from the
request on every write that carries LineItems; a line naming a stored LineItemID keeps that id and
takes the fields the request leaves out from the stored line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xero_sandbox import wire
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.inventory import item_by_code, line_defaults
from xero_sandbox.state import Org, Record, new_id

SALES_TYPES = ("ACCREC", "ACCRECCREDIT")
_LINE_FIELDS = (
    "Description",
    "Quantity",
    "UnitAmount",
    "ItemCode",
    "AccountCode",
    "AccountID",
    "TaxType",
    "Tracking",
    "DiscountRate",
    "DiscountAmount",
)


def pick(element: dict[str, Any], name: str) -> Any:
    """A field of a request element; Xero reads field names without regard to case."""
    if name in element:
        return element[name]
    lowered = name.lower()
    return next((v for k, v in element.items() if str(k).lower() == lowered), None)


def has(element: dict[str, Any], name: str) -> bool:
    lowered = name.lower()
    return any(str(k).lower() == lowered for k in element)


def _decimal(line: dict[str, Any], name: str, path: str) -> Decimal | None:
    value = pick(line, name)
    if value is None or value == "":
        return None
    return wire.parse_decimal(value, f"{path}.{name}")


def _text(line: dict[str, Any], name: str, path: str) -> str | None:
    value = pick(line, name)
    if value is None:
        return None
    text = wire.parse_str(value, f"{path}.{name}").strip()
    return text or None


def _merged(raw: dict[str, Any], old: Record | None) -> dict[str, Any]:
    """The request line with the stored line's values under the fields it leaves out."""
    merged = {k: v for k, v in ((f, pick(raw, f)) for f in _LINE_FIELDS) if v is not None}
    if pick(raw, "LineAmount") is not None:
        merged["LineAmount"] = pick(raw, "LineAmount")
    if pick(raw, "TaxAmount") is not None:
        merged["TaxAmount"] = pick(raw, "TaxAmount")
    if old is not None:
        for name in _LINE_FIELDS:
            if name not in merged and old.get(name) not in (None, []):
                merged[name] = old[name]
    return merged


def tracking_entries(org: Org, raw: Any, path: str) -> tuple[list[Record], list[str]]:
    """Tracking on a line: Name + Option or TrackingCategoryID + TrackingOptionID, at most two."""
    if raw is None:
        return [], []
    entries = wire.parse_list(raw, f"{path}.Tracking")
    if len(entries) > 2:
        return [], ["A line item can have a maximum of 2 tracking categories."]
    chosen: list[Record] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        entry = wire.parse_object(entry, f"{path}.Tracking[{index}]")
        category_id = str(pick(entry, "TrackingCategoryID") or "").lower()
        name = str(pick(entry, "Name") or "").strip().lower()
        category = next(
            (
                c
                for c in org.tracking_categories.values()
                if (category_id and c["TrackingCategoryID"].lower() == category_id)
                or (not category_id and name and c["Name"].lower() == name)
            ),
            None,
        )
        if category is None or category.get("Status") != "ACTIVE":
            shown = pick(entry, "Name") or pick(entry, "TrackingCategoryID")
            problems.append(f"The tracking category '{shown}' does not exist or is not active.")
            continue
        option_id = str(pick(entry, "TrackingOptionID") or "").lower()
        option_name = str(pick(entry, "Option") or "").strip().lower()
        option = next(
            (
                o
                for o in category.get("Options", [])
                if (option_id and o["TrackingOptionID"].lower() == option_id)
                or (not option_id and option_name and o["Name"].lower() == option_name)
            ),
            None,
        )
        if option is None or option.get("Status") != "ACTIVE":
            shown = pick(entry, "Option") or pick(entry, "TrackingOptionID")
            problems.append(
                f"The tracking option '{shown}' does not exist or is not active in the "
                f"tracking category '{category['Name']}'."
            )
            continue
        if any(c["TrackingCategoryID"] == category["TrackingCategoryID"] for c in chosen):
            problems.append(f"The tracking category '{category['Name']}' is given twice.")
            continue
        chosen.append(
            {
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
                "Name": category["Name"],
                "Option": option["Name"],
            }
        )
    return chosen, problems


def build_line(
    org: Org,
    doc_type: str,
    raw: dict[str, Any],
    old: Record | None,
    *,
    amount_types: str,
    need_account: bool,
    unitdp: int,
    path: str,
) -> tuple[Record, money.LineFigures | None, list[str]]:
    """One priced line and the problems Xero would list for it."""
    line = _merged(raw, old)
    problems: list[str] = []
    record: Record = {"LineItemID": old["LineItemID"] if old else new_id()}
    item_code = _text(line, "ItemCode", path)
    if item_code is not None:
        item = item_by_code(org, item_code)
        if item is None:
            problems.append(f"Item code '{item_code}' is not valid.")
        else:
            record["ItemCode"] = item["Code"]
            record["Item"] = {
                "ItemID": item["ItemID"],
                "Code": item["Code"],
                "Name": item.get("Name"),
            }
            for key, value in line_defaults(org, item, doc_type in SALES_TYPES).items():
                line.setdefault(key, value)
    description = _text(line, "Description", path)
    record["Description"] = description or ""
    account = None
    code = _text(line, "AccountCode", path)
    account_id = _text(line, "AccountID", path)
    if code is None and account_id is not None:
        by_id = org.accounts.get(account_id.lower()) or next(
            (a for a in org.accounts.values() if a["AccountID"].lower() == account_id.lower()),
            None,
        )
        code = by_id.get("Code") if by_id else account_id
    if code is not None or need_account:
        account_problems = rules.line_account_errors(org, code, doc_type)
        problems.extend(account_problems)
        if not account_problems and code is not None:
            account = org.account_by_code(code)
    if account is not None:
        record["AccountCode"] = account["Code"]
        record["AccountID"] = account["AccountID"]
    tax_type = rules.effective_tax_type(_text(line, "TaxType", path), account)
    rate = Decimal(0)
    if tax_type is not None:
        tax_problems = rules.tax_type_errors(org, tax_type, account)
        problems.extend(tax_problems)
        found = rules.tax_rate(org, tax_type)
        if found is not None and not tax_problems:
            tax_type = found["TaxType"]
            rate = Decimal(found.get("EffectiveRate") or 0)
        record["TaxType"] = tax_type
    discount_rate = _decimal(line, "DiscountRate", path)
    discount_amount = _decimal(line, "DiscountAmount", path)
    if (discount_rate or discount_amount) and doc_type != "ACCREC":
        problems.append("Discounts are only supported on sales invoices (ACCREC).")
    tracking, tracking_problems = tracking_entries(org, line.get("Tracking"), path)
    problems.extend(tracking_problems)
    record["Tracking"] = tracking
    try:
        figures = money.line_figures(
            quantity=_decimal(line, "Quantity", path),
            unit_amount=_decimal(line, "UnitAmount", path),
            line_amount=_decimal(line, "LineAmount", path),
            discount_rate=discount_rate,
            discount_amount=discount_amount,
            tax_rate=rate,
            amount_types=amount_types,
            tax_amount=_decimal(line, "TaxAmount", path),
            unitdp=unitdp,
        )
    except money.MoneyError as exc:
        return record, None, [*problems, str(exc)]
    record.update(
        {
            "Quantity": figures.quantity,
            "UnitAmount": figures.unit_amount,
            "LineAmount": figures.line_amount,
            "TaxAmount": figures.tax_amount,
        }
    )
    if discount_rate:
        record["DiscountRate"] = discount_rate
    if discount_amount:
        record["DiscountAmount"] = money.cents(discount_amount)
    priced_fields = ("Quantity", "UnitAmount", "LineAmount")
    if not description and item_code is None and all(line.get(f) is None for f in priced_fields):
        problems.append("Description needs to be at least 1 char long.")
    return record, figures, problems


def build_lines(
    org: Org,
    doc_type: str,
    raw_lines: Any,
    old_lines: list[Record],
    *,
    amount_types: str,
    need_account: bool,
    unitdp: int,
) -> tuple[list[Record], list[money.LineFigures], list[str]]:
    elements = wire.parse_list(raw_lines, "LineItems")
    by_id = {line["LineItemID"].lower(): line for line in old_lines}
    lines: list[Record] = []
    figures: list[money.LineFigures] = []
    problems: list[str] = []
    for index, raw in enumerate(elements):
        path = f"LineItems[{index}]"
        raw = wire.parse_object(raw, path)
        wanted = str(pick(raw, "LineItemID") or "").lower()
        record, priced, line_problems = build_line(
            org,
            doc_type,
            raw,
            by_id.get(wanted),
            amount_types=amount_types,
            need_account=need_account,
            unitdp=unitdp,
            path=path,
        )
        lines.append(record)
        if priced is not None:
            figures.append(priced)
        for message in line_problems:
            if message not in problems:
                problems.append(message)
    return lines, figures, problems
