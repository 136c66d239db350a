"""Creating and updating contacts: Xero's field rules for one Contact element.

Name is unique across ACTIVE contacts only, so archiving a contact frees its name and
re-activating it can collide. ContactNumber is unique across all contacts. IsSupplier and
IsCustomer are Xero's own (set by invoices) and ignored on input.
"""

from __future__ import annotations

import re
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources.ref_common import has, pick, text, too_long
from xero_sandbox.resources.ref_contact_lookup import new_contact_record, normalize
from xero_sandbox.resources.rules import tax_rate
from xero_sandbox.state import Org, Record

MAX_PERSONS = 5
TERM_TYPES = ("DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
_LIMITS = {
    "Name": 255,
    "FirstName": 255,
    "LastName": 255,
    "EmailAddress": 255,
    "ContactNumber": 50,
    "AccountNumber": 50,
    "CompanyNumber": 50,
    "TaxNumber": 50,
}
_PLAIN = (
    "FirstName",
    "LastName",
    "EmailAddress",
    "ContactNumber",
    "AccountNumber",
    "CompanyNumber",
    "BankAccountDetails",
    "TaxNumber",
    "TaxNumberType",
    "XeroNetworkKey",
    "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
    "SalesDefaultLineAmountType",
    "PurchasesDefaultLineAmountType",
)
_LISTS = ("Addresses", "Phones", "SalesTrackingCategories", "PurchasesTrackingCategories")


def name_taken_message(name: str) -> str:
    return (
        f"The contact name {name} is already assigned to another contact. The contact name "
        "must be unique across all active contacts."
    )


def number_taken_message(number: str) -> str:
    return f"The contact number {number} is already assigned to another contact"


def _name_clash(org: Org, name: str, current: Record | None) -> bool:
    wanted = normalize(name)
    return any(
        c is not current
        and c.get("ContactStatus") == "ACTIVE"
        and normalize(c.get("Name")) == wanted
        for c in org.contacts.values()
    )


def _number_clash(org: Org, number: str, current: Record | None) -> bool:
    wanted = normalize(number)
    return any(
        c is not current and normalize(c.get("ContactNumber")) == wanted
        for c in org.contacts.values()
    )


def _read_lists(element: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for key in (*_LISTS, "ContactPersons"):
        raw = pick(element, key)
        if raw is None:
            continue
        items = wire.parse_list(raw, key)
        found[key] = [wire.parse_object(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return found


def _field_errors(
    ctx: ApiContext, element: dict[str, Any], current: Record | None
) -> tuple[dict[str, str | None], list[str]]:
    """Read the element's text fields and list every problem with them."""
    org = ctx.org
    values = {key: text(element, key) for key in ("Name", "ContactStatus", *_PLAIN)}
    messages: list[str] = []
    for key, limit in _LIMITS.items():
        messages += too_long(values[key], limit, key)
    name = values["Name"]
    missing = name is None if current is None else False
    if missing or (name is not None and not name.strip()):
        messages.append("The contact name must be specified.")
    status = (values["ContactStatus"] or "").upper() or None
    if status is not None and status not in ("ACTIVE", "ARCHIVED"):
        messages.append("ContactStatus must be ACTIVE or ARCHIVED.")
    final_name = (name or (current or {}).get("Name") or "").strip()
    final_status = status or (current or {}).get("ContactStatus", "ACTIVE")
    if final_name and final_status == "ACTIVE" and _name_clash(org, final_name, current):
        messages.append(name_taken_message(final_name))
    number = values["ContactNumber"]
    if number and number.strip() and _number_clash(org, number, current):
        messages.append(number_taken_message(number.strip()))
    email = values["EmailAddress"]
    if email and (not email.isascii() or not _EMAIL.match(email.strip())):
        messages.append("Email address must be valid.")
    for key in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        tax = text(element, key)
        if tax and tax_rate(org, tax) is None:
            messages.append(f"The TaxType code '{tax}' does not exist.")
    currency = text(element, "DefaultCurrency")
    if (
        currency
        and currency.upper() not in org.currencies
        and currency.upper() != (org.base_currency)
    ):
        messages.append(f"Organisation is not subscribed to currency {currency}")
    return values, messages


def _apply(
    ctx: ApiContext, record: Record, element: dict[str, Any], values: dict[str, Any]
) -> None:
    lists = _read_lists(element)
    if values["Name"] is not None:
        record["Name"] = values["Name"].strip()
    if values["ContactStatus"]:
        record["ContactStatus"] = values["ContactStatus"].upper()
    for key in _PLAIN:
        if values[key] is not None:
            record[key] = values[key].strip()
    for key in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        tax = text(element, key)
        if tax:
            record[key] = tax_rate(ctx.org, tax)["TaxType"]  # type: ignore[index]
    currency = text(element, "DefaultCurrency")
    if currency:
        record["DefaultCurrency"] = currency.upper()
    terms, _ = _payment_terms(element)
    if terms is not None:
        record["PaymentTerms"] = terms
    for key, type_key in _SLOTS.items():
        if key in lists:
            lists[key] = _merged(record.get(key) or [], lists[key], type_key)
    record.update(lists)


# Xero keeps one address per AddressType and one phone per PhoneType: an element's entry
# replaces the one of its type, and the types it leaves out stay as they were. UNCONFIRMED
# against Xero (its contacts always read back with a slot per type; the docs do not say how
# an update with fewer types is taken), so ledgerlink sends every type it knows.
_SLOTS = {"Addresses": "AddressType", "Phones": "PhoneType"}


def _merged(
    held: list[dict[str, Any]], given: list[dict[str, Any]], type_key: str
) -> list[dict[str, Any]]:
    by_type = {str(entry.get(type_key) or "").upper(): entry for entry in held}
    for entry in given:
        by_type[str(entry.get(type_key) or "").upper()] = entry
    return list(by_type.values())


def _payment_terms(element: dict[str, Any]) -> tuple[Record | None, list[str]]:
    """PaymentTerms as Xero keeps them: Bills and Sales, each a whole Day and a known Type."""
    if not has(element, "PaymentTerms") or pick(element, "PaymentTerms") is None:
        return None, []
    raw = wire.parse_object(pick(element, "PaymentTerms"), "PaymentTerms")
    terms: Record = {}
    messages: list[str] = []
    for side in ("Bills", "Sales"):
        if pick(raw, side) is None:
            continue
        part = wire.parse_object(pick(raw, side), f"PaymentTerms.{side}")
        day_raw, kind_raw = pick(part, "Day"), pick(part, "Type")
        if day_raw is None or kind_raw is None:
            messages.append(f"PaymentTerms.{side} needs both a Day and a Type.")
            continue
        day = wire.parse_decimal(day_raw, f"PaymentTerms.{side}.Day")
        kind = wire.parse_str(kind_raw, f"PaymentTerms.{side}.Type").upper()
        if kind not in TERM_TYPES:
            messages.append(f"PaymentTerms.{side}.Type must be one of {', '.join(TERM_TYPES)}.")
            continue
        low, high = (1, 31) if kind in ("OFCURRENTMONTH", "OFFOLLOWINGMONTH") else (0, 1000)
        if day != day.to_integral_value() or not low <= day <= high:
            messages.append(
                f"PaymentTerms.{side}.Day must be a whole number from {low} to {high} for {kind}."
            )
            continue
        terms[side] = {"Day": int(day), "Type": kind}
    return terms, messages


def _list_errors(element: dict[str, Any]) -> list[str]:
    persons = _read_lists(element).get("ContactPersons") or []
    messages = _payment_terms(element)[1]
    if len(persons) > MAX_PERSONS:
        messages.append(f"A contact can have a maximum of {MAX_PERSONS} contact persons.")
    return messages


def create_contact(ctx: ApiContext, element: dict[str, Any]) -> Record:
    values, messages = _field_errors(ctx, element, None)
    messages += _list_errors(element)
    if messages:
        raise errors.ElementErrors(messages)
    record = new_contact_record(values["Name"] or "")
    _apply(ctx, record, element, values)
    ctx.state.stamp(record)
    ctx.org.contacts[record["ContactID"]] = record
    ctx.state.emit(ctx.org, "CONTACT", "CREATE", record["ContactID"], "Contacts")
    return record


def update_contact(ctx: ApiContext, record: Record, element: dict[str, Any]) -> Record:
    values, messages = _field_errors(ctx, element, record)
    messages += _list_errors(element)
    if messages:
        raise errors.ElementErrors(messages)
    _apply(ctx, record, element, values)
    ctx.state.stamp(record)
    ctx.state.emit(ctx.org, "CONTACT", "UPDATE", record["ContactID"], "Contacts")
    return record
