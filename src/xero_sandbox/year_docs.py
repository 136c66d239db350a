"""The seeded year's contacts, sales invoices and bills (``year`` runs it; ``year_pay`` settles).

Customers buy in proportion to a weight of their own, in a seasonal rhythm; suppliers bill on
their schedule (monthly rent, quarterly power, now-and-then freight). Documents are made in date
order, so their numbers rise with their dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xero_sandbox import year_data as data
from xero_sandbox.year import Seeder, month_end, month_starts

CENT = Decimal("0.01")
BEHAVIOURS = (("prompt", 35), ("typical", 40), ("slow", 18), ("bad", 7))
SALES_TERMS = (
    ("DAYSAFTERBILLDATE", 14),
    ("DAYSAFTERBILLDATE", 30),
    ("OFFOLLOWINGMONTH", 20),
    ("DAYSAFTERBILLDATE", 7),
    None,
)
BILL_TERMS = (("DAYSAFTERBILLDATE", 14), ("DAYSAFTERBILLDATE", 30), ("OFFOLLOWINGMONTH", 20))
SALES_PER_MONTH = 21


@dataclass
class Customer:
    party: data.Party
    contact_id: str
    weight: float
    behaviour: str
    has_terms: bool
    home: int


@dataclass
class Parties:
    customers: list[Customer] = field(default_factory=list)
    suppliers: dict[str, str] = field(default_factory=dict)
    others: dict[str, str] = field(default_factory=dict)


@dataclass
class Planned:
    """A sales invoice or bill as sent, and who it is for."""

    element: dict[str, Any]
    customer: Customer | None = None
    supply: data.Supply | None = None

    @property
    def day(self) -> date:
        day: date = self.element["Date"]
        return day


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def contact_element(party: data.Party, side: str, terms: tuple[str, int] | None) -> dict[str, Any]:
    """A contact as a bookkeeper would enter it: addresses, phone, people, payment terms."""
    address = {
        "AddressLine1": party.street,
        "City": party.city,
        "Region": party.region,
        "PostalCode": party.postcode,
        "Country": "Australia",
    }
    area, _, number = party.phone.partition(" ")
    element: dict[str, Any] = {
        "Name": party.name,
        "EmailAddress": party.email,
        "Addresses": [{"AddressType": "STREET", **address}, {"AddressType": "POBOX", **address}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneAreaCode": area, "PhoneNumber": number}],
    }
    domain = party.email.split("@", 1)[1]
    if party.persons:
        element["FirstName"], element["LastName"] = party.persons[0]
        element["ContactPersons"] = [
            {
                "FirstName": first,
                "LastName": last,
                "EmailAddress": f"{_slug(first)}.{_slug(last)}@{domain}",
                "IncludeInEmails": index == 0,
            }
            for index, (first, last) in enumerate(party.persons)
        ]
    if terms is not None:
        element["PaymentTerms"] = {side: {"Type": terms[0], "Day": terms[1]}}
    return element


def _other_names(seeder: Seeder) -> list[str]:
    """Whom the bank transactions name: made only where this sandbox has bank transactions."""
    if not seeder.serves("PUT", "/BankTransactions"):
        return []
    return list(data.BANK_CONTACTS)


def contacts(seeder: Seeder) -> Parties:
    """Customers, suppliers and the few others bank lines name, made in one batch."""
    rng = seeder.rng
    taken = {
        str(c.get("Name", "")).strip().lower()
        for c in seeder.org.contacts.values()
        if c.get("ContactStatus") == "ACTIVE"
    }
    every = [p.name for p in data.CUSTOMERS] + [s.party.name for s in _supplies()]
    clash = sorted({n for n in every + _other_names(seeder) if n.lower() in taken})
    if clash:
        raise_clash(clash)
    parties = Parties()
    elements: list[dict[str, Any]] = []
    regions = len(_home_options(seeder))
    for party in data.CUSTOMERS:
        terms = rng.choice(SALES_TERMS)
        behaviour = rng.choices([b for b, _ in BEHAVIOURS], [w for _, w in BEHAVIOURS])[0]
        weight = round(rng.paretovariate(1.6), 3)
        home = rng.randrange(regions) if regions else 0
        parties.customers.append(Customer(party, "", weight, behaviour, terms is not None, home))
        elements.append(contact_element(party, "Sales", terms))
    seen: set[str] = set()
    for supply in _supplies():
        if supply.party.name in seen:
            continue
        seen.add(supply.party.name)
        elements.append(contact_element(supply.party, "Bills", rng.choice(BILL_TERMS)))
    elements += [{"Name": name} for name in _other_names(seeder)]
    made = seeder.write("PUT", "/Contacts", "Contacts", elements, "contacts")
    ids = {record["Name"]: record["ContactID"] for record in made}
    for customer in parties.customers:
        customer.contact_id = ids[customer.party.name]
    parties.suppliers = {name: ids[name] for name in seen}
    parties.others = {name: ids[name] for name in _other_names(seeder)}
    return parties


def raise_clash(names: list[str]) -> None:
    from xero_sandbox.year import YearError

    raise YearError(
        "the organisation already has active contacts named as the year's: "
        + ", ".join(names)
        + "; seed a fresh organisation (or reset the sandbox)"
    )


def _supplies() -> list[data.Supply]:
    return [*data.SUPPLIES, data.EQUIPMENT]


def _home_options(seeder: Seeder) -> list[dict[str, Any]]:
    category = tracking_category(seeder, "Region", 0)
    return (
        [o for o in category.get("Options", []) if o.get("Status") == "ACTIVE"] if category else []
    )


def tracking_category(seeder: Seeder, name: str, index: int) -> dict[str, Any] | None:
    """The active tracking category called ``name``, else the ``index``-th active one."""
    active = sorted(
        (c for c in seeder.org.tracking_categories.values() if c.get("Status") == "ACTIVE"),
        key=lambda c: str(c.get("Name")),
    )
    named = [c for c in active if str(c.get("Name")).lower() == name.lower()]
    if named:
        return named[0]
    return active[index] if len(active) > index else None


def _tracking(seeder: Seeder, customer: Customer | None) -> list[dict[str, str]]:
    """The Region a customer is in (most sales), and now and then a Department."""
    rng = seeder.rng
    chosen: list[dict[str, str]] = []
    homes = _home_options(seeder)
    region = tracking_category(seeder, "Region", 0)
    if region is not None and homes and customer is not None and rng.random() < 0.7:
        chosen.append({"Name": region["Name"], "Option": homes[customer.home]["Name"]})
    second = tracking_category(seeder, "Department", 1)
    if second is not None and second is not region and rng.random() < 0.3:
        options = [o for o in second.get("Options", []) if o.get("Status") == "ACTIVE"]
        if options:
            chosen.append({"Name": second["Name"], "Option": rng.choice(options)["Name"]})
    return chosen


def _zero_rated(seeder: Seeder) -> str | None:
    """A 0% income rate other than the sales account's default (GST Free Income in Australia)."""
    sales = seeder.org.account_by_code("200")
    default = sales.get("TaxType") if sales else None
    for rate in sorted(seeder.org.tax_rates.values(), key=lambda r: str(r["TaxType"])):
        if (
            rate.get("Status") == "ACTIVE"
            and rate.get("CanApplyToRevenue")
            and rate.get("ReportTaxType") in ("OUTPUT", "EXEMPTOUTPUT")
            and Decimal(rate.get("EffectiveRate") or 0) == 0
            and rate["TaxType"] != default
        ):
            return str(rate["TaxType"])
    return None


def _sale_line(seeder: Seeder, customer: Customer, day: date) -> dict[str, Any]:
    rng = seeder.rng
    description, price, (low, high), code = rng.choice(data.SALES_LINES)
    account = seeder.account(code, "REVENUE")
    quantity = rng.randint(low, high)
    if "retainer" in description or "hours" in description:
        description = f"{description}, {day:%B %Y}"
    line: dict[str, Any] = {
        "Description": description,
        "Quantity": Decimal(quantity),
        "UnitAmount": price,
        "AccountCode": account["Code"] if account else code,
    }
    tracking = _tracking(seeder, customer)
    if tracking:
        line["Tracking"] = tracking
    zero = _zero_rated(seeder)
    if zero is not None and "workshop" in description:
        line["TaxType"] = zero
    if quantity >= 10 and rng.random() < 0.35:
        line["DiscountRate"] = Decimal(rng.choice((5, 10)))
    return line


def _sales_days(seeder: Seeder) -> list[date]:
    """When the year's sales invoices are dated: a seasonal number in each month."""
    rng = seeder.rng
    days: list[date] = []
    for start in month_starts(seeder.first_day, seeder.today):
        end = month_end(start)
        first, last = max(start, seeder.first_day), min(end, seeder.today)
        share = ((last - first).days + 1) / ((end - start).days + 1)
        volume = SALES_PER_MONTH * data.SALES_SEASON[start.month - 1] * rng.uniform(0.85, 1.15)
        days += [seeder.days(first, last) for _ in range(round(volume * share))]
    return sorted(days)


def sales_invoices(seeder: Seeder, parties: Parties) -> list[Planned]:
    rng = seeder.rng
    planned: list[Planned] = []
    weights = [c.weight for c in parties.customers]
    days = _sales_days(seeder)
    for index, day in enumerate(days):
        customer = rng.choices(parties.customers, weights)[0]
        lines = [_sale_line(seeder, customer, day) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
        age = (seeder.today - day).days
        status = "AUTHORISED"
        # The last two are still being written (one of them a duplicate, deleted later).
        if (age <= 12 and rng.random() < 0.3) or index >= len(days) - 2:
            status = "DRAFT"
        elif age <= 20 and rng.random() < 0.1:
            status = "SUBMITTED"
        element: dict[str, Any] = {
            "Type": "ACCREC",
            "Contact": {"ContactID": customer.contact_id},
            "Date": day,
            "Status": status,
            "LineAmountTypes": "Exclusive",
            "LineItems": lines,
        }
        if not customer.has_terms:
            element["DueDate"] = day + timedelta(days=14)
        if rng.random() < 0.4:
            element["Reference"] = f"PO {rng.randint(1000, 9999)}"
        planned.append(Planned(element, customer=customer))
    return planned


def _bill_days(seeder: Seeder, supply: data.Supply) -> list[date]:
    rng = seeder.rng
    if supply.every < 0:
        return [seeder.days(seeder.first_day + timedelta(days=3), seeder.first_day + timedelta(10))]
    if supply.every == 0:
        span = (seeder.today - seeder.first_day).days + 1
        count = round(supply.per_year * span / 365 * rng.uniform(0.8, 1.2))
        return sorted(seeder.days(seeder.first_day, seeder.today) for _ in range(count))
    offset = rng.randrange(supply.every)
    days = []
    for index, start in enumerate(month_starts(seeder.first_day, seeder.today)):
        day = start.replace(day=min(supply.day, month_end(start).day))
        if index % supply.every == offset and seeder.first_day <= day <= seeder.today:
            days.append(day)
    return days


def _bill_amount(seeder: Seeder, supply: data.Supply, day: date) -> Decimal:
    rng = seeder.rng
    if supply.every == 0:
        factor = rng.uniform(0.45, 1.8)
    elif supply.account == "445":
        factor = 1.25 if day.month in (6, 7, 8, 12, 1, 2) else 0.9
        factor *= rng.uniform(0.9, 1.1)
    else:
        return supply.amount
    return (supply.amount * Decimal(str(round(factor, 3)))).quantize(CENT)


def bills(seeder: Seeder, parties: Parties) -> list[Planned]:
    rng = seeder.rng
    planned: list[Planned] = []
    for supply in _supplies():
        prefix = "".join(word[0] for word in supply.party.name.split()[:2]).upper()
        klass = "ASSET" if supply is data.EQUIPMENT else "EXPENSE"
        account = seeder.account(supply.account, klass)
        if account is None:
            continue
        for day in _bill_days(seeder, supply):
            amount = _bill_amount(seeder, supply, day)
            description = supply.description
            if supply.every > 0:
                description = f"{description}, {day:%B %Y}"
            line: dict[str, Any] = {
                "Description": description,
                "Quantity": Decimal(1),
                "UnitAmount": amount,
                "AccountCode": account["Code"],
            }
            tracking = _tracking(seeder, None)
            if tracking:
                line["Tracking"] = tracking
            recent = (seeder.today - day).days <= 10
            element = {
                "Type": "ACCPAY",
                "Contact": {"ContactID": parties.suppliers[supply.party.name]},
                "Date": day,
                "Status": "SUBMITTED" if recent and rng.random() < 0.3 else "AUTHORISED",
                "InvoiceNumber": f"{prefix}-{rng.randint(10000, 99999)}",
                "LineAmountTypes": "Inclusive" if supply.inclusive else "Exclusive",
                "LineItems": [line],
            }
            planned.append(Planned(element, supply=supply))
    planned.sort(key=lambda p: p.day)
    return planned
