"""ledgerlink's neutral documents: what a source app hands in, in its own words, not Xero's.

These models are the contract of the REST API (their descriptions go into its OpenAPI), so each
field says what it means and its limits. Limits follow Xero's own (string lengths, 4 decimal places
on unit amounts, two tracking categories) so a document accepted here is never refused by Xero for
its shape; whether its codes exist in the organisation is preflight's question, not this one.
Unknown fields are refused so a typo ("quantiy") is caught instead of silently dropped.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ledgerlink.documents.currencies import ISO_4217
from ledgerlink.documents.money import LineInput, estimate_totals, unitdp_for

MAX_LINES = 1000
AMOUNT_LIMIT = Decimal("1000000000000")  # Xero holds amounts below 10^12
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def _iso_date(value: Any) -> Any:
    """Only a real date or 'YYYY-MM-DD': pydantic would otherwise read 0 as 1970-01-01."""
    if isinstance(value, datetime):
        raise ValueError("must be a date written YYYY-MM-DD, without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"({value.strip()}) is not a calendar date") from None
    raise ValueError(f"must be a date written YYYY-MM-DD (got {value!r})")


def _currency(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not _CURRENCY.match(value.strip()):
        raise ValueError(f"must be a 3-letter ISO 4217 currency code such as AUD (got {value!r})")
    code = value.strip().upper()
    if code not in ISO_4217:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return code


def _url(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value.strip()):
        raise ValueError(f"must be an http:// or https:// address (got {value!r})")
    return value.strip()


def field_rule(field: str, rule: str, fix: str | None = None) -> PydanticCustomError:
    """A cross-field rule's error, carrying the field it concerns (pydantic would put it on the
    whole object); validation.py joins ``field`` (if any) to the error's location. ``fix`` is
    what to do, when the general "correct the field" is not enough."""
    context = {"field": field, "rule": rule} | ({"fix": fix} if fix else {})
    return PydanticCustomError("field_rule", "{field} {rule}", context)


def _addressable(value: Any) -> Any:
    """A source id must survive a URL: clients drop '.' and '..' path segments before sending
    (RFC 3986), so GET /documents/{kind}/{source_id} could never read such an id back."""
    if isinstance(value, str) and any(part in (".", "..") for part in value.strip().split("/")):
        raise field_rule(
            "",
            f"({value.strip()!r}) has '.' or '..' between slashes, which HTTP clients drop from "
            "a URL: the document could never be read back by this id",
            fix="Send the document with a source_id whose parts between slashes are not '.' or "
            "'..' (for example INV/2026/001).",
        )
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Currency = Annotated[str | None, BeforeValidator(_currency)]
Url = Annotated[Annotated[str, Field(max_length=2000)] | None, BeforeValidator(_url)]
Text255 = Annotated[str, Field(min_length=1, max_length=255)]

AmountsAre = Literal["exclusive", "inclusive", "no_tax"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL cannot store a NUL in text, nor does Xero take one: refused at intake
        with the field, not a database error once the document is half stored."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character (\\u0000)")
        return value


class ContactRef(_Model):
    """Who the document is for (a client) or from (a supplier), as the source app knows them."""

    key: str = Field(
        min_length=1,
        max_length=300,
        description="The source app's stable id for this contact. ledgerlink maps it to one Xero "
        "contact and never creates a second one for it, even if the name changes.",
    )
    name: str | None = Field(
        default=None,
        max_length=255,
        description="Name shown in Xero; unique across active Xero contacts. Needed unless "
        "xero_contact_id is given.",
    )
    email: str | None = Field(default=None, max_length=255, description="Email address.")
    contact_number: str | None = Field(
        default=None,
        max_length=50,
        description="The source app's contact number, stored as Xero's ContactNumber.",
    )
    xero_contact_id: str | None = Field(
        default=None,
        max_length=36,
        description="The Xero ContactID, when the source app already knows it.",
    )


class Tracking(_Model):
    """One tracking category and option on a line (for example Region: North)."""

    name: str = Field(min_length=1, max_length=100, description="Tracking category name.")
    option: str = Field(min_length=1, max_length=100, description="Option within the category.")


class Line(_Model):
    """One line of an invoice or expense."""

    description: str | None = Field(
        default=None,
        max_length=4000,
        description="Line text. Required unless item_code is given (Xero then uses the item's).",
    )
    quantity: Decimal = Field(
        default=Decimal(1),
        gt=0,
        lt=AMOUNT_LIMIT,
        decimal_places=4,
        allow_inf_nan=False,
        description="Quantity, greater than 0, at most 4 decimal places. Negative quantities are "
        "refused: returns and refunds belong on a credit note.",
    )
    unit_amount: Decimal = Field(
        gt=-AMOUNT_LIMIT,
        lt=AMOUNT_LIMIT,
        decimal_places=4,
        allow_inf_nan=False,
        description="Price per unit in the document's currency, at most 4 decimal places; "
        "tax-exclusive or inclusive as amounts_are says.",
    )
    account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Xero account code (for example '200'). When absent: the item override, "
        "then the connection's default account.",
    )
    tax_type: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Xero tax type code (for example 'OUTPUT', not its name 'GST on Income'). "
        "When absent: the item override, the connection default, then the account's own.",
    )
    item_code: str | None = Field(
        default=None, min_length=1, max_length=30, description="Xero item (product) code."
    )
    discount_rate: Decimal | None = Field(
        default=None,
        ge=0,
        le=100,
        decimal_places=4,
        allow_inf_nan=False,
        description="Discount in percent, 0 to 100. Sales invoices only: Xero bills take none.",
    )
    tracking: list[Tracking] = Field(
        default_factory=list,
        max_length=2,
        description="Up to two tracking categories, each at most once.",
    )

    @model_validator(mode="after")
    def _described(self) -> Line:
        if self.description is None and self.item_code is None:
            raise field_rule("description", "is required when no item_code is given")
        names = [t.name.casefold() for t in self.tracking]
        if len(names) != len(set(names)):
            raise field_rule("tracking", "names the same tracking category twice")
        return self


Lines = Annotated[
    list[Line],
    Field(min_length=1, max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines."),
]


SourceId = Annotated[str, BeforeValidator(_addressable)]


class _Document(_Model):
    source_id: SourceId = Field(
        min_length=1,
        max_length=200,
        description="The source app's id for this document; sending it again updates it.",
    )
    currency: Currency = Field(
        default=None,
        description="ISO 4217 code; absent means the connection's default currency "
        "(settings.default_currency), else the Xero organisation's base currency. Other "
        "currencies must be enabled in Xero.",
    )
    amounts_are: AmountsAre = Field(
        default="exclusive",
        description="Whether unit amounts exclude tax, include it, or carry no tax.",
    )
    url: Url = Field(
        default=None, description="Link back to the document in the source app, shown in Xero."
    )
    branch: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The source app's branch; the document goes to the connection serving it "
        "(settings.branches). Absent: the connection named, or the workspace's only one.",
    )
    lines: Lines

    def _refuse_discounts(self, noun: str, why: str) -> None:
        """Xero takes discounts on sales invoices only; elsewhere it would refuse them (or
        drop them, and the total with them)."""
        discounted = [i for i, line in enumerate(self.lines) if line.discount_rate is not None]
        if discounted:
            more = f" (and {len(discounted) - 1} more lines)" if len(discounted) > 1 else ""
            raise field_rule(
                f"lines[{discounted[0]}].discount_rate",
                f"is not accepted on {noun}: {why}, so send the discounted unit_amount "
                f"instead{more}",
            )

    def _check_total(self, kind: str, status: str) -> None:
        """Xero refuses an invoice or bill whose total is below zero (zero it takes).

        Checked on the lines as Xero rounds them, before tax: the organisation's tax rates are
        not known here. Tax keeps each line's sign, so the total is negative exactly when this
        is, unless lines carry different rates; preflight checks the total with the real rates
        before anything is sent. Called last by each kind's own rules, so theirs come first.
        """
        if status == "voided":
            return  # nothing is created in Xero for it
        if all(
            x.quantity >= 0
            and x.unit_amount >= 0
            and (x.discount_rate is None or x.discount_rate <= 100)
            for x in self.lines
        ):
            return  # no line can take the total below zero: nothing to add up
        inputs = [
            LineInput(x.quantity, x.unit_amount, discount_rate=x.discount_rate) for x in self.lines
        ]
        unitdp = unitdp_for(x.unit_amount for x in self.lines)
        total = estimate_totals(inputs, "no_tax", unitdp).total
        if total < 0:
            raise field_rule(
                "lines",
                f"add up to {total} before tax: Xero refuses a negative {kind} total",
                fix=f"Send the refund or return as a credit note instead, and keep the {kind}'s "
                "lines adding up to zero or more.",
            )


class SalesInvoice(_Document):
    """A sales invoice; it becomes an ACCREC invoice in Xero."""

    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The app's invoice number, unique in Xero; absent lets Xero number it.",
    )
    contact: ContactRef = Field(description="The client invoiced.")
    issue_date: IsoDate = Field(description="Invoice date, YYYY-MM-DD.")
    due_date: IsoDate = Field(description="Due date, YYYY-MM-DD, on or after issue_date.")
    status: Literal["draft", "sent", "voided"] = Field(
        default="draft",
        description="draft: not yet sent to the client (Xero DRAFT); sent: sent to the client "
        "(Xero AUTHORISED, Awaiting Payment); voided: cancelled (Xero VOIDED, or DELETED while "
        "still a draft there).",
    )
    reference: str | None = Field(
        default=None, max_length=255, description="Reference shown on the invoice."
    )

    @model_validator(mode="after")
    def _dates(self) -> SalesInvoice:
        if self.due_date < self.issue_date:
            raise field_rule(
                "due_date", f"({self.due_date}) must be on or after issue_date ({self.issue_date})"
            )
        self._check_total("invoice", self.status)
        return self


class Expense(_Document):
    """A supplier expense; it becomes an ACCPAY bill in Xero."""

    supplier: ContactRef = Field(description="The supplier billed from.")
    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The app's own expense number; sent as the bill's reference when "
        "reference is absent.",
    )
    reference: str | None = Field(
        default=None,
        max_length=255,
        description="The supplier's invoice number or reference (Xero's bill Reference).",
    )
    date: IsoDate = Field(description="Bill date, YYYY-MM-DD.")
    due_date: IsoDate | None = Field(
        default=None, description="Due date, YYYY-MM-DD, on or after date."
    )
    status: Literal["draft", "approved", "voided"] = Field(
        default="draft",
        description="draft: Xero DRAFT bill; approved: Xero SUBMITTED (Awaiting Approval), so it "
        "can still be changed; voided: Xero VOIDED, or DELETED while not yet approved in Xero.",
    )

    @model_validator(mode="after")
    def _rules(self) -> Expense:
        if self.due_date is not None and self.due_date < self.date:
            raise field_rule(
                "due_date", f"({self.due_date}) must be on or after date ({self.date})"
            )
        self._refuse_discounts("an expense", "Xero bills take no discounts")
        self._check_total("expense", self.status)
        return self


Model = _Model
"""The base of every neutral schema: unknown fields refused, text trimmed, no NUL."""
LinedDocument = _Document
"""The base of every document with lines (source id, currency, amounts, url, branch, lines)."""

Document = SalesInvoice | Expense
"""The two kinds defined here; every kind's model is its registry entry's (``ledgerlink.kinds``)."""
