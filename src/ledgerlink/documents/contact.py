"""A customer or a supplier: the source app's record of who it sells to or buys from.

It becomes the one Xero contact that the app's invoices (customers) or bills and purchase
orders (suppliers) for the same key use: its ``source_id`` is the ``key`` those documents name
their contact by. Limits are Xero's own (Contact, Address and Phone in Xero's OpenAPI).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import Currency, Model, SourceId, field_rule


class Phone(Model):
    """One phone number (Xero keeps one of each type)."""

    type: Literal["default", "ddi", "mobile", "fax"] = Field(
        default="default", description="default, ddi (direct dial), mobile or fax."
    )
    number: str = Field(min_length=1, max_length=50, description="The number.")
    area_code: str | None = Field(default=None, max_length=10)
    country_code: str | None = Field(default=None, max_length=20)


class Address(Model):
    """A postal (pobox) or street address (Xero keeps one of each)."""

    type: Literal["pobox", "street"] = Field(
        default="pobox", description="pobox (postal address) or street."
    )
    lines: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="Up to 4 address lines, each at most 500 characters.",
    )
    city: str | None = Field(default=None, max_length=255)
    region: str | None = Field(default=None, max_length=255)
    postal_code: str | None = Field(default=None, max_length=50)
    country: str | None = Field(default=None, max_length=50)
    attention_to: str | None = Field(default=None, max_length=255)

    @model_validator(mode="after")
    def _line_lengths(self) -> Address:
        for index, line in enumerate(self.lines):
            if len(line) > 500:
                raise field_rule(f"lines[{index}]", "is longer than 500 characters")
        return self


class PaymentTerms(Model):
    """When the contact's invoices (customer) or bills (supplier) fall due, by default."""

    day: int = Field(ge=0, le=1000, description="The day (or number of days).")
    type: Literal[
        "days_after_invoice", "days_after_invoice_month", "of_current_month", "of_following_month"
    ] = Field(
        description="days_after_invoice: day days after the invoice date; "
        "days_after_invoice_month: day days after the end of the invoice's month; "
        "of_current_month / of_following_month: on that day (1 to 31) of the month."
    )

    @model_validator(mode="after")
    def _day_of_month(self) -> PaymentTerms:
        if self.type in ("of_current_month", "of_following_month") and not 1 <= self.day <= 31:
            raise field_rule("day", f"({self.day}) must be from 1 to 31 for {self.type}")
        return self


class ContactDocument(Model):
    """What customers and suppliers share; see ``Customer`` and ``Supplier``."""

    source_id: SourceId = Field(
        min_length=1,
        max_length=300,
        description="The source app's stable id for this contact: the same key its invoices, "
        "bills and purchase orders name the contact by. Sending it again updates the one Xero "
        "contact.",
    )
    name: str = Field(
        min_length=1,
        max_length=255,
        description="Name shown in Xero, unique across active Xero contacts. A Xero contact "
        "whose name differs only by case, spaces or punctuation is taken as this one.",
    )
    first_name: str | None = Field(default=None, max_length=255)
    last_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255, description="Email address.")
    contact_number: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Xero's ContactNumber (shown as Contact Code); absent: the source_id, when "
        "it fits 50 characters.",
    )
    account_number: str | None = Field(
        default=None, max_length=50, description="Xero's AccountNumber (editable in Xero)."
    )
    tax_number: str | None = Field(
        default=None, max_length=50, description="Tax number (ABN, GST or VAT number)."
    )
    currency: Currency = Field(
        default=None,
        description="The contact's default currency (ISO 4217), enabled in the Xero "
        "organisation; absent: Xero's default.",
    )
    phones: list[Phone] | None = Field(
        default=None,
        max_length=4,
        description="Its phones, one of each type; a type left out is cleared in Xero. Absent: "
        "the phones in Xero are left as they are.",
    )
    addresses: list[Address] | None = Field(
        default=None,
        max_length=2,
        description="Its postal and street addresses; one left out is cleared in Xero. Absent: "
        "the addresses in Xero are left as they are.",
    )
    sales_account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Default account code of sales to this contact.",
    )
    sales_tax_type: str | None = Field(
        default=None, min_length=1, max_length=50, description="Default tax type of its sales."
    )
    purchase_account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Default account code of purchases from this contact.",
    )
    purchase_tax_type: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Default tax type of its purchases.",
    )
    payment_terms: PaymentTerms | None = Field(
        default=None,
        description="Default terms of its invoices (customer) or bills (supplier).",
    )
    status: Literal["active", "archived"] = Field(
        default="active",
        description="active, or archived: archived in Xero too (hidden there, and no new "
        "documents may name it).",
    )

    @model_validator(mode="after")
    def _one_of_each(self) -> ContactDocument:
        for name, values in (
            ("phones", [str(p.type) for p in self.phones or ()]),
            ("addresses", [str(a.type) for a in self.addresses or ()]),
        ):
            for index, value in enumerate(values):
                if value in values[:index]:
                    raise field_rule(
                        f"{name}[{index}].type",
                        f"({value}) is given twice: Xero keeps one of each type",
                    )
        return self


class Customer(ContactDocument):
    """A customer; it becomes (or updates) the Xero contact its sales invoices use."""


class Supplier(ContactDocument):
    """A supplier (vendor); it becomes (or updates) the Xero contact its bills and purchase
    orders use."""
