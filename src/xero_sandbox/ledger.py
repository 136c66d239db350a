"""What each record posts to the general ledger: the registry the Journals endpoint reads.

Xero keeps a journal for every posting an organisation makes: an invoice approved, a payment
applied, a bank transaction, a manual journal posted. Each resource that posts registers a
*poster* here: given a record in its current state, the postings it makes (none while it is a
draft, none once voided or deleted). The journal machinery compares that with what the record
has posted so far and journals the difference (a reversal, then the new lines), so a change
in any resource is journalled the same way and the ledger always balances.

A line's ``net`` is signed: positive debits the account, negative credits it. The lines of one
posting, net plus tax, sum to zero. A line's tax goes to the chart's GST/VAT account unless the
line names another (``tax_account_id``); the journal shows it there as a line of its own.

How postings become journals (``xero_sandbox.journals``): ``SandboxState.stamp`` marks a changed
record unsettled; ``journals.settle(state)`` journals what the unsettled records of registered
collections post differently from before. The API pipeline settles after every call and the
Journals and report readers before they read; code that changes records outside a call (a
seeding script) stamps them as usual and calls ``settle(state)`` when done. A poster must be
pure: what it returns depends on the organisation and the record only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from xero_sandbox.state import Org, Record

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    """One journal line: an account by its AccountID, a signed net amount and its tax."""

    account_id: str
    net: Decimal
    tax: Decimal = ZERO
    tax_type: str = ""
    description: str = ""
    # Xero's journal line TrackingCategories: (TrackingCategoryID, TrackingOptionID, Name, Option)
    tracking: tuple[tuple[str, str, str, str], ...] = ()
    # Where the tax goes: blank for the chart's GST/VAT system account (SystemAccount GST).
    tax_account_id: str = ""

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class Posting:
    """One journal's worth: Xero's SourceType (ACCREC, ACCPAY, ACCRECCREDIT, ACCPAYCREDIT,
    ACCRECPAYMENT, ACCPAYPAYMENT, CASHREC, CASHPAID, TRANSFER, MANJOURNAL, ARPREPAYMENT,
    APPREPAYMENT, AROVERPAYMENT, APOVERPAYMENT, ...), its date, reference and lines."""

    source_type: str
    journal_date: date
    lines: tuple[Line, ...]
    reference: str = ""
    # Postings of one record are told apart by this (a payment and its reversal, say).
    part: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # Which view of the ledger shows it: "" both, "accrual" the default one only, "cash" only
    # the cash basis (Journals?paymentsOnly=true): an invoice posts on the accrual basis, its
    # payment posts to the invoice's accounts on the cash basis and to the control account on
    # the accrual basis.
    basis: str = ""


Poster = Callable[[Org, Record], list[Posting]]
"""The postings a record makes in its current state (empty: it posts nothing now)."""


@dataclass(frozen=True)
class Source:
    """A posting resource: the Org collection its records live in, the record's id field."""

    collection: str
    id_field: str
    poster: Poster


SOURCES: dict[str, Source] = {}


def register(collection: str, id_field: str) -> Callable[[Poster], Poster]:
    """Decorator: the records of ``collection`` (keyed by ``id_field``) post what this says."""

    def wrap(poster: Poster) -> Poster:
        SOURCES[collection] = Source(collection, id_field, poster)
        return poster

    return wrap
