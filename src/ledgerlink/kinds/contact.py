"""What customers and suppliers share: a Xero Contact, the same one their documents use.

A customer (or supplier) with source_id K is the contact that invoices (or bills and purchase
orders) naming contact key K use: the kind names itself as its own contact (``contact``), so
the part that owns the map from keys to Xero contacts (``sync.contacts``) finds or makes it
exactly as it does for an invoice, under the same intents, with the same lookups (the link by
key, the ContactNumber, a name equal but for case, spaces and punctuation, the email). Its own
write is then always an update of that contact by its ContactID (POST), never a create: a
customer and an invoice for the same key, in either order or at once, make one contact, and a
lost reply of the update is settled by reading the contact by its id.

A contact made for it carries the source_id (or the app's contact_number) as its ContactNumber
from its create; the update sends a ContactNumber only when the app gives one, so a contact
found by its name or email keeps the number it has (another system's, perhaps).

IsCustomer and IsSupplier are Xero's to set (when an invoice or bill names the contact), so
they are never sent. Archived in the source is ContactStatus ARCHIVED in Xero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

from ledgerlink.documents.contact import ContactDocument
from ledgerlink.documents.schemas import ContactRef
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, DocumentKind, LinkView, Prepared, Record
from ledgerlink.mapping.preflight import find_tax_rate
from ledgerlink.mapping.status import Decision, Send, not_editable

STATUS = {"active": "ACTIVE", "archived": "ARCHIVED"}
# Every slot is sent when the source gives its phones or addresses, the ones it left out
# empty: Xero keeps one per type, so a phone removed in the app is cleared there too.
PHONES = ("DEFAULT", "DDI", "MOBILE", "FAX")
ADDRESSES = ("POBOX", "STREET")
TERMS = {
    "days_after_invoice": "DAYSAFTERBILLDATE",
    "days_after_invoice_month": "DAYSAFTERBILLMONTH",
    "of_current_month": "OFCURRENTMONTH",
    "of_following_month": "OFFOLLOWINGMONTH",
}
# The fields of Xero's contact the source app is told of when they change there (each is in
# Xero's summary of a contact too, so a summary read never looks like a change).
TOLD = (
    "Name",
    "FirstName",
    "LastName",
    "EmailAddress",
    "ContactNumber",
    "AccountNumber",
    "DefaultCurrency",
)
_PLAIN = (
    ("first_name", "FirstName"),
    ("last_name", "LastName"),
    ("email", "EmailAddress"),
    ("account_number", "AccountNumber"),
    ("tax_number", "TaxNumber"),
    ("currency", "DefaultCurrency"),
    ("sales_account_code", "SalesDefaultAccountCode"),
    ("sales_tax_type", "AccountsReceivableTaxType"),
    ("purchase_account_code", "PurchasesDefaultAccountCode"),
    ("purchase_tax_type", "AccountsPayableTaxType"),
)


def contact_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The told fields a Xero contact record carries (those it leaves out are not known)."""
    return {key: record[key] for key in TOLD if key in record}


class ContactKind(DocumentKind):
    """A customer or a supplier; subclasses name which, and which side its terms are on."""

    resource = "Contacts"
    id_field = "ContactID"
    number_field = "ContactNumber"
    stage = 0  # before the documents that name it, within a round
    has_lines = False
    takes_unitdp = False
    paid_statuses = frozenset()
    webhook_category = "CONTACT"
    has_date = False
    list_params = {"includeArchived": "true"}
    reads_before_update = False
    # Where its payment terms go in Xero's PaymentTerms: Sales (customers) or Bills (suppliers).
    terms_side: ClassVar[str]

    def contact(self, document: Any) -> ContactRef:
        """Itself: the key its documents name it by is its source_id."""
        return ContactRef(
            key=document.source_id,
            name=document.name,
            email=document.email,
            contact_number=document.contact_number,
        )

    def contact_name_path(self) -> tuple[str, ...]:
        return ("name",)

    def contact_shown(self, body: Mapping[str, Any]) -> str | None:
        return str(body.get("name") or body.get("source_id") or "") or None

    def contact_role(self, document: Any) -> str:
        return "name"

    def date_of(self, document: Any) -> tuple[str, date]:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"a {self.noun} has no date (it is not dated in Xero).", "kind"
        )

    def xero_type(self, document: Any) -> str:
        return "CONTACT"

    def deep_link_kind(self, link_type: str | None) -> str:
        return "CONTACT"

    def wanted_status(self, document: Any) -> str:
        return STATUS[document.status]

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        if link is not None and link.status == "GDPRREQUEST":
            return not_editable(
                f"The {self.noun} was erased in Xero at the person's request (GDPR), so Xero "
                "keeps no changes to it.",
                "status",
            )
        return Send(self.wanted_status(document))

    def status_agrees(self, document: Any, xero_status: str | None) -> bool:
        return xero_status == self.wanted_status(document)

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        """The default accounts, tax types and currency it names exist in the organisation
        (as cached), so Xero is never asked to keep one it would refuse."""
        problems: list[LedgerlinkError] = []
        view = context.reference
        for field in ("sales_account_code", "purchase_account_code"):
            code = getattr(document, field)
            found = view.account(code) if code else None
            if code and (found is None or str(found.get("Status") or "ACTIVE") != "ACTIVE"):
                problems.append(
                    LedgerlinkError(
                        "XERO_ACCOUNT_CODE_INVALID",
                        f"{field} ({code}) is not an active account in the Xero organisation: "
                        "give the code of an active account, or leave it out.",
                        field=field,
                    )
                )
        for field in ("sales_tax_type", "purchase_tax_type"):
            tax = getattr(document, field)
            if tax and find_tax_rate(view, tax) is None:
                problems.append(
                    LedgerlinkError(
                        "XERO_TAX_TYPE_INVALID",
                        f"{field} ({tax}) is not a tax type of the Xero organisation: give a "
                        "tax type code (such as OUTPUT or INPUT), or leave it out.",
                        field=field,
                    )
                )
        currency = document.currency
        if currency and currency != context.base_currency and view.currency(currency) is None:
            problems.append(
                LedgerlinkError(
                    "XERO_CURRENCY_NOT_ENABLED",
                    f"currency ({currency}) is not enabled in the Xero organisation: enable it "
                    "in Xero (Settings, Currencies), or leave it out.",
                    field="currency",
                )
            )
        return problems

    # -- to and from Xero --------------------------------------------------------------

    def write_target(self, update: bool, gone: bool, unitdp: int, link: Any) -> tuple[str, str]:
        """Always an update of the contact ``sync.contacts`` found or made for it."""
        return "POST", self.write_path("POST", unitdp)

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        body: Record = {
            "ContactID": str(prepared.contact["ContactID"]),
            "Name": document.name,
            "ContactStatus": prepared.status,
        }
        if document.contact_number:  # the app's own: it may change it
            body["ContactNumber"] = document.contact_number
        for field, key in _PLAIN:
            value = getattr(document, field)
            if value is not None:
                body[key] = value
        if document.phones is not None:
            given = {p.type.upper(): _phone(p) for p in document.phones}
            body["Phones"] = [given.get(t) or {"PhoneType": t, "PhoneNumber": ""} for t in PHONES]
        if document.addresses is not None:
            held = {a.type.upper(): _address(a) for a in document.addresses}
            body["Addresses"] = [held.get(t) or {"AddressType": t} for t in ADDRESSES]
        if document.payment_terms is not None:
            terms = document.payment_terms
            side = {"Day": terms.day, "Type": TERMS[terms.type]}
            body["PaymentTerms"] = {self.terms_side: side}
        return body

    def link_values(self, record: Record) -> dict[str, Any]:
        values: dict[str, Any] = {
            "xero_id": record.get("ContactID"),
            "xero_status": record.get("ContactStatus"),
            "xero_number": record.get("ContactNumber"),
            "xero_type": "CONTACT",
        }
        fields = contact_fields(record)
        if fields:
            values["details"] = {"contact": fields}
        return values

    def changed(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
        """The told fields Xero's record now says otherwise than the link held (a change
        made in Xero, when the record is a read back); fields either leaves out do not count."""
        was = before.get("contact") or {}
        now = after.get("contact") or {}
        return {k: now[k] for k in now if k in was and was[k] != now[k]}

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        ids = sorted({str(e.get("ContactID") or "") for e in sent} - {""})
        return [
            ("/Contacts", {"IDs": ",".join(ids[start : start + 50]), "includeArchived": "true"})
            for start in range(0, len(ids), 50)
        ]

    def matches(self, sent: Record, found: Record) -> bool:
        ours = str(sent.get("ContactID") or "").lower()
        return bool(ours) and ours == str(found.get("ContactID") or "").lower()


def _phone(phone: Any) -> Record:
    body: Record = {"PhoneType": phone.type.upper(), "PhoneNumber": phone.number}
    if phone.area_code:
        body["PhoneAreaCode"] = phone.area_code
    if phone.country_code:
        body["PhoneCountryCode"] = phone.country_code
    return body


def _address(address: Any) -> Record:
    body: Record = {"AddressType": address.type.upper()}
    for index, line in enumerate(address.lines, start=1):
        body[f"AddressLine{index}"] = line
    for field, key in (
        ("city", "City"),
        ("region", "Region"),
        ("postal_code", "PostalCode"),
        ("country", "Country"),
        ("attention_to", "AttentionTo"),
    ):
        value = getattr(address, field)
        if value is not None:
            body[key] = value
    return body


__all__ = ["ContactDocument", "ContactKind", "contact_fields"]
