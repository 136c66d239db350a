"""Element reading shared by the documents that price lines: invoices and credit notes
(``doc_build``), bank transactions (``bank_rules``), quotes and repeating invoices.

They take the same contact, currency, line-amount-type and line rules as invoices (``rules``,
``doc_lines``, ``money``); what differs per resource stays in its own module.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.doc_kinds import _unit_to_2dp
from xero_sandbox.resources.doc_lines import build_lines, has, pick
from xero_sandbox.resources.ref_contact_lookup import create_contact_from_name
from xero_sandbox.state import Org, Record

CONTACT_FIELDS = ("ContactID", "Name", "EmailAddress")


def text(element: dict[str, Any], name: str) -> str | None:
    value = pick(element, name)
    if value is None:
        return None
    return wire.parse_str(value, name).strip()


def day(element: dict[str, Any], name: str) -> date | None:
    value = pick(element, name)
    if value is None or value == "":
        return None
    return wire.parse_date(value, name)


def amount_types(given: str | None, old: str | None) -> str:
    """One of money.AMOUNT_TYPES, read without regard to case (quotes send EXCLUSIVE)."""
    wanted = given or old or "Exclusive"
    matched = next((t for t in money.AMOUNT_TYPES if t.lower() == wanted.lower()), None)
    if matched is None:
        raise errors.post_data_invalid(
            f'JSON for post data was invalid,Error converting value "{wanted}" to type '
            "'LineAmountType'. Path 'LineAmountTypes'."
        )
    return matched


def contact(
    ctx: ApiContext, element: dict[str, Any], record: Record, existing: Record | None
) -> tuple[str | None, list[str]]:
    """Sets record["ContactID"]; returns the Name of a contact to create on commit, and problems."""
    given = pick(element, "Contact")
    if given is None and existing is not None:
        return None, []
    found, new_name, problems = rules.find_contact_ref(ctx, given, create=True)
    if found is not None:
        record["ContactID"] = found["ContactID"]
    return new_name, problems


def make_contact(ctx: ApiContext, record: Record, new_name: str | None) -> None:
    if new_name is not None:
        record["ContactID"] = create_contact_from_name(ctx, new_name)["ContactID"]


def contact_ref(
    ctx: ApiContext, element: dict[str, Any], record: Record, existing: Record | None
) -> tuple[Record | None, str | None, list[str]]:
    """For the documents that keep ``Contact`` as {ContactID, Name} (invoices, credit notes, bank
    transactions): the contact named (else the stored one), the Name of one to create on commit
    (kept as {Name} till then), and the problems."""
    if existing is not None and not has(element, "Contact"):
        return ctx.org.contacts.get(existing["Contact"].get("ContactID", "")), None, []
    found, new_name, problems = rules.find_contact_ref(ctx, pick(element, "Contact"), create=True)
    if found is not None:
        record["Contact"] = {"ContactID": found["ContactID"], "Name": found["Name"]}
    elif new_name is not None:
        record["Contact"] = {"Name": new_name}
    return found, new_name, problems


def make_contact_ref(ctx: ApiContext, record: Record, new_name: str | None) -> None:
    """On commit: the contact ``contact_ref`` left to create, made and named in ``Contact``."""
    if new_name is not None:
        created = create_contact_from_name(ctx, new_name)
        record["Contact"] = {"ContactID": created["ContactID"], "Name": created["Name"]}


def shown_contact(ctx: ApiContext, record: Record) -> Record:
    found = ctx.org.contacts.get(record.get("ContactID") or "")
    if found is None:
        return {"ContactID": record.get("ContactID")}
    return {k: found.get(k) or "" for k in CONTACT_FIELDS}


def present(ctx: ApiContext, record: Record) -> Record:
    """A quote or repeating invoice as Xero shows it: its contact as it is now, and unit amounts
    to 2 places unless the caller asks for unitdp=4."""
    shown = {k: v for k, v in record.items() if k != "ContactID"}
    shown["Contact"] = shown_contact(ctx, record)
    if ctx.unitdp == 2:
        shown["LineItems"] = [_unit_to_2dp(line) for line in record.get("LineItems") or []]
    return shown


def currency(ctx: ApiContext, element: dict[str, Any], record: Record) -> list[str]:
    org = ctx.org
    given = text(element, "CurrencyCode")
    code = (given or record.get("CurrencyCode") or org.base_currency).upper()
    problems = rules.currency_errors(org, code)
    record["CurrencyCode"] = code
    return problems + currency_rate(org, element, record)


def currency_rate(org: Org, element: dict[str, Any], record: Record) -> list[str]:
    """The CurrencyRate for the record's CurrencyCode: 1 in base currency, else the one sent
    or the one kept."""
    rate = pick(element, "CurrencyRate")
    if record["CurrencyCode"] == org.base_currency:
        record["CurrencyRate"] = Decimal("1.000000")
        return []
    if rate is None:
        record.setdefault("CurrencyRate", Decimal("1.000000"))
        return []
    parsed = wire.parse_decimal(rate, "CurrencyRate")
    record["CurrencyRate"] = parsed
    return money.rate_errors(parsed)


def price(
    ctx: ApiContext,
    element: dict[str, Any],
    record: Record,
    *,
    doc_type: str,
    kind_types: str,
    need_account: bool,
    discounts: bool,
) -> list[str]:
    """Rebuild the lines (or re-price the stored ones) and set the totals."""
    old_lines = list(record.get("LineItems") or [])
    raw = pick(element, "LineItems")
    if raw is None:
        raw = [{"LineItemID": line["LineItemID"]} for line in old_lines]
    lines, figures, problems = build_lines(
        ctx.org,
        doc_type,
        raw,
        old_lines,
        amount_types=kind_types,
        need_account=need_account,
        unitdp=ctx.unitdp,
    )
    record["LineItems"] = lines
    totals = money.document_totals(figures, kind_types)
    record["SubTotal"] = totals.sub_total
    record["TotalTax"] = totals.total_tax
    record["Total"] = totals.total
    if discounts:
        record["TotalDiscount"] = totals.total_discount
    return problems


def url(element: dict[str, Any], record: Record) -> list[str]:
    """The document's Url, when one is sent: absolute http or https, or empty."""
    given = text(element, "Url")
    if given is None:
        return []
    record["Url"] = given
    if given and not given.lower().startswith(("http://", "https://")):
        return ["The Url must be a valid absolute URL (http or https)."]
    return []


def too_long(record: Record, limits: dict[str, int]) -> list[str]:
    problems = []
    for name, limit in limits.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"{name} must not be more than {limit} characters long.")
    return problems
