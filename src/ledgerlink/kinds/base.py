"""What a document kind is: one description that every layer reads.

A kind says what the source app sends (its schema), what it becomes in Xero (resource, type, id
and number fields), how it converts, which Xero status each source status asks for and what
Xero's statuses mean back in the source's words, the checks Xero's rules need before any call,
what must be in Xero before it (its dependencies), how a send whose reply was lost is found,
and the page that shows it in Xero. The worker, intake, REST routes, CLI and OpenAPI read this
and nothing else about kinds: adding a kind is adding its module to this package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from ledgerlink.documents.schemas import ContactRef
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds._companions import Brought, Companions
from ledgerlink.mapping.preflight import Subject, account_class
from ledgerlink.mapping.status import Decision, Hold, Send, Skip, decide_update
from ledgerlink.xero import wire

Record = dict[str, Any]
Usage = Literal["sales", "purchase"]


@dataclass(frozen=True)
class Needed:
    """A document that must be in Xero (and how) before this one can be sent.

    ``statuses``: the Xero statuses it must have (empty: any); ``field`` names where this
    document points at it, for the error a person reads.
    """

    kind: str
    source_id: str
    field: str
    statuses: frozenset[str] = frozenset()
    # Neither stored nor known in Xero: hold with this error (None: wait for it to arrive).
    unknown: LedgerlinkError | None = None


@dataclass(frozen=True)
class LinkView:
    """What a kind needs to know of a document's link to decide a send."""

    xero_id: str
    status: str | None
    amount_paid: Decimal | None
    amount_credited: Decimal | None
    amount_due: Decimal | None
    details: Mapping[str, Any]


class DocumentKind(Companions):
    """The base of every kind; a kind module defines a subclass and an instance named KIND."""

    name: ClassVar[str]
    model: ClassVar[type[BaseModel]]
    schema_name: ClassVar[str]
    noun: ClassVar[str]
    # Xero: the collection (path and envelope key), the id and number fields.
    resource: ClassVar[str]
    id_field: ClassVar[str]
    number_field: ClassVar[str | None] = None
    # Dependency order within a run: contacts, then 1 (invoices, bills, POs), 2 (credit
    # notes), 3 (payments); each stage sees the links the earlier ones wrote.
    stage: ClassVar[int] = 1
    # Whose defaults and overrides its lines use, and which account classes its lines take.
    usage: ClassVar[Usage | None] = None
    account_classes: ClassVar[frozenset[str]] = frozenset()
    has_lines: ClassVar[bool] = True
    # Query parameter ``unitdp=4`` is accepted on its writes (4-decimal unit prices).
    takes_unitdp: ClassVar[bool] = True
    # The Xero statuses that read as "paid" in the source's words.
    paid_statuses: ClassVar[frozenset[str]] = frozenset({"PAID"})
    # Xero's statuses back in the source's words (what the app shows after a refresh).
    source_words: ClassVar[Mapping[str, str]] = {}
    # The document's fields: who it is for (None: no contact of its own) and the date Xero
    # checks against the lock date.
    contact_field: ClassVar[str | None] = None
    date_field: ClassVar[str] = "date"
    # How Xero reads several by id: ``IDs=`` (Invoices), a ``where`` of ids joined by OR
    # (CreditNotes, Payments), or one GET each (PurchaseOrders take neither).
    read_by: ClassVar[Literal["ids", "where", "one"]] = "ids"
    # The Types of its resource's records that are its own, when kinds share a resource
    # (Invoices: ACCREC invoices, ACCPAY bills); empty: every record of the resource.
    xero_types: ClassVar[frozenset[str]] = frozenset()
    # Its create carries ledgerlink's Url marker (what finds an invoice after a lost reply).
    marks_url: ClassVar[bool] = False
    # A document sent without a number: Xero numbers it ("xero"), the connection's sequence
    # does when it has one ("sequence"), or its source_id is its number ("source_id": what
    # finds it again after a lost reply when the resource has no Url to mark it with).
    numbering: ClassVar[Literal["xero", "sequence", "source_id"]] = "xero"
    # Read the documents it depends on fresh before deciding (a payment's amount still due).
    refresh_dependencies: ClassVar[bool] = False
    # How Xero's changes come back: the webhook category Xero announces them under (None: Xero
    # sends none, so they are polled with If-Modified-Since), and whether to poll at all (the
    # safety net for missed events).
    webhook_category: ClassVar[str | None] = None
    polled: ClassVar[bool] = True
    # Its documents are not sent as records of their own: the worker turns each into documents
    # of other kinds that are (a pay run into bills, ``sync.payroll``). Nothing is read back,
    # listed or reconciled for it in Xero; what it generated is.
    generates: ClassVar[bool] = False
    # Its documents have a date (what a reconciliation's range reads); customers, suppliers
    # and products (Xero's items) have none.
    has_date: ClassVar[bool] = True
    # What every list GET of its resource adds (Contacts: ``includeArchived``, without which
    # Xero leaves archived ones out, so an archive made there would never be read back).
    list_params: ClassVar[Mapping[str, str]] = {}
    # Xero's state is read before an update is decided (a payment or approval made there may
    # forbid it); a contact's update does not depend on it, so customers skip the read.
    reads_before_update: ClassVar[bool] = True
    # Its records are reference data too (``sync.reference`` list name): a reply is cached.
    reference_list: ClassVar[str | None] = None
    # The tab of a connection's settings its What syncs row is on (the inventory app's Items,
    # Customers, Invoices, Vendors): the sales documents' "invoices" unless it says otherwise.
    settings_tab: ClassVar[Literal["items", "customers", "invoices", "vendors"]] = "invoices"

    # -- the document ------------------------------------------------------------------

    def contact(self, document: Any) -> ContactRef | None:
        """The contact it is for; None when it has none of its own (payments)."""
        if self.contact_field is None:
            return None
        found: ContactRef = getattr(document, self.contact_field)
        return found

    def contact_name_path(self) -> tuple[str, ...] | None:
        """Where a stored body holds its contact's name (what a search by contact reads)."""
        return (self.contact_field, "name") if self.contact_field else None

    def contact_shown(self, body: Mapping[str, Any]) -> str | None:
        """Who a stored body is for, as the dashboard lists it (its contact's name or key)."""
        found = body.get(self.contact_field) if self.contact_field else None
        return str(found.get("name") or found.get("key") or "") if isinstance(found, dict) else None

    def contact_role(self, document: Any) -> str:
        return self.contact_field or "contact"

    def date_of(self, document: Any) -> tuple[str, date]:
        """The field and date Xero checks against the lock date."""
        found: date = getattr(document, self.date_field)
        return self.date_field, found

    def expand(self, body: dict[str, Any], stored: StoredLookup) -> dict[str, Any]:
        """The raw body as validated: a kind may fill it from documents already stored."""
        return body

    def routes_with(self, document: Any) -> tuple[str, str] | None:
        """The (kind, source id) whose connection it goes to, when it follows another document
        (a payment goes to its invoice's organisation)."""
        return None

    def requires(self, document: Any, link: LinkView | None) -> list[Needed]:
        """What must be in Xero before it (besides its contact), given its own link."""
        return []

    def number_of(self, document: Any) -> str | None:
        return getattr(document, "number", None)

    def xero_type(self, document: Any) -> str:
        """Xero's Type (or a deep-link kind when the resource has no Type)."""
        raise NotImplementedError

    # -- status policy -----------------------------------------------------------------

    def wanted_status(self, document: Any) -> str:
        raise NotImplementedError

    def not_applicable(
        self, document: Any, settings: Mapping[str, Any], link: LinkView | None
    ) -> LedgerlinkError | None:
        """Why the connection's settings leave nothing to send for it (done, not applicable,
        before any call: a stock movement while inventory is not valued), or None."""
        return None

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        """Send (with which status), hold (why) or skip, given Xero's state as last read."""
        wanted = self.wanted_status(document)
        if link is None:
            return decide_update(None, None, None, wanted)
        return decide_update(
            link.status, link.amount_paid, link.amount_credited, wanted, content_changed=True
        )

    def decide_for(
        self, document: Any, link: LinkView | None, settings: Mapping[str, Any]
    ) -> Decision:
        """``decide`` on a connection whose stored ``settings`` may change the status a
        document asks for (an approved expense sent approved); by default they do not."""
        return self.decide(document, link)

    def subject(self, document: Any, gone: bool | None = None) -> Subject:
        """What preflight needs to know of one of its documents (``gone``: being voided or
        deleted; by default when its source status is voided)."""
        date_field, when = self.date_of(document)
        if gone is None:
            gone = getattr(document, "status", None) == "voided"
        return Subject(
            self.noun,
            date_field,
            when,
            self.contact(document),
            self.contact_role(document),
            gone,
            self.account_classes,
            "revenue" if self.usage_of(document) == "sales" else "expense",
        )

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        """Kind-specific refusals before any call (lines are checked by the pipeline)."""
        return []

    def usage_of(self, document: Any) -> Usage | None:
        return self.usage

    def variants(self) -> list[str]:
        """Its variants, when lists differ by one (a credit note: sales or supplier)."""
        return []

    def account_choices(self, accounts: Iterable[Record], variant: str | None) -> list[Record]:
        """The accounts a person may pick for its lines (the dropdown): active, not a bank or
        system account, of the classes its lines take (revenue for sales, expense or liability
        for purchases)."""
        classes = self.account_classes or _USAGE_CLASSES[self._usage(variant)]
        return [
            a
            for a in accounts
            if str(a.get("Status") or "ACTIVE") == "ACTIVE"
            and a.get("Type") != "BANK"
            and not a.get("SystemAccount")
            and account_class(a) in classes
        ]

    def _usage(self, variant: str | None) -> Usage:
        return self.usage or "sales"

    # -- beyond the document's own write (a credit note's allocations) -----------------

    def written(self, document: Any, link: LinkView) -> bool:
        """Whether Xero already holds what this version would write (only a follow-up may be
        left). By default the content hash decides (``screen``), so nothing is skipped here."""
        return False

    def write_details(self, document: Any) -> dict[str, Any]:
        """Details kept on the link when the document's write is applied; ``follow_up`` True
        brings the item straight back for the follow-up."""
        return {}

    def follow_up_due(
        self, document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
    ) -> bool:
        return False

    def follow_up(
        self, document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
    ) -> FollowUp | None:
        """The write left once the document is in Xero, or None."""
        return None

    def is_follow_up(self, path: str) -> bool:
        """Whether a write to ``path`` is a follow-up of this kind (not the document's own)."""
        return False

    def follow_up_found(
        self, details: Mapping[str, Any], sent: Record, record: Record
    ) -> dict[str, Any]:
        """After a lost follow-up reply: the link details that Xero's ``record`` of the
        document shows were applied."""
        return {}

    def follow_up_applied(
        self, details: Mapping[str, Any], sent: Record, elements: Sequence[Record]
    ) -> dict[str, Any]:
        """The link details a follow-up's reply gives."""
        return {}

    # -- to and from Xero --------------------------------------------------------------

    def write_path(self, method: str, unitdp: int) -> str:
        path = f"/{self.resource}?summarizeErrors=false"
        return path + ("&unitdp=4" if unitdp == 4 and self.takes_unitdp else "")

    def write_query(self, settings: Mapping[str, Any]) -> str:
        """Query parameters the connection's settings add to its writes ("&name=value"; an
        invoice's allowBackorders)."""
        return ""

    def refusal(self, messages: Sequence[str]) -> LedgerlinkError:
        """The hold for a document Xero refused with these messages. Selling (or returning to a
        supplier) more of a tracked item than Xero has on hand is INVENTORY_INSUFFICIENT, with
        what to do; Xero's exact wording is UNCONFIRMED: it names the quantity on hand, as the
        sandbox's does."""
        short = [m for m in messages if "quantity on hand" in m.lower()]
        if short:
            return LedgerlinkError(
                "INVENTORY_INSUFFICIENT",
                f"{'; '.join(short)} Send the bill that buys the goods first and retry; an "
                "invoice may also go once backorders are allowed under Edit connection, "
                "Inventory (settings.inventory_allow_backorders).",
                "lines",
            )
        return LedgerlinkError("XERO_VALIDATION", "; ".join(messages), None)

    def write_target(self, update: bool, gone: bool, unitdp: int, link: Any) -> tuple[str, str]:
        """Method and path of the document's write: creates by PUT, updates by POST."""
        method = "POST" if update else "PUT"
        return method, self.write_path(method, unitdp)

    def batches(self, method: str, path: str) -> bool:
        """Whether many documents share one request on this path (Xero takes 50 at a time)."""
        return True

    def envelope(self, method: str, path: str, elements: list[Record]) -> Record:
        return {self.resource: elements}

    def reply_elements(self, data: Any, count: int) -> list[Record | None]:
        found = data.get(self.resource) if isinstance(data, dict) else None
        return (
            [e if isinstance(e, dict) else None for e in found] if isinstance(found, list) else []
        )

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        raise NotImplementedError

    def link_values(self, record: Record) -> dict[str, Any]:
        """Link fields from Xero's record of it (id, number, status, money, line ids)."""
        values: dict[str, Any] = {
            "xero_id": record.get(self.id_field),
            "xero_status": record.get("Status"),
        }
        if self.number_field:
            values["xero_number"] = record.get(self.number_field)
        if record.get("Type"):
            values["xero_type"] = record.get("Type")
        for name, key in (
            ("total", "Total"),
            ("amount_due", "AmountDue"),
            ("amount_paid", "AmountPaid"),
            ("amount_credited", "AmountCredited"),
        ):
            if record.get(key) is not None:
                values[name] = str(Decimal(str(record[key])))
        paid_on = wire.parse_day(record.get("FullyPaidOnDate"))
        if paid_on is not None:
            values["paid_date"] = paid_on.isoformat()
        lines = record.get("LineItems")
        if isinstance(lines, list):
            values["line_item_ids"] = [
                str(line.get("LineItemID")) for line in lines if line.get("LineItemID")
            ]
        return values

    def changed(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
        """Fields of Xero's record, besides status and amounts, that a read back found
        changed (the link's details ``before`` and ``after`` it): the source app is told of
        them. None by default."""
        return {}

    def source_status(self, xero_status: str | None) -> str | None:
        """Xero's status in the source's words ("paid" for PAID, a PO's BILLED, ...)."""
        if xero_status is None:
            return None
        if xero_status in self.paid_statuses:
            return "paid"
        return self.source_words.get(xero_status, xero_status.lower())

    def status_agrees(self, document: Any, xero_status: str | None) -> bool:
        """Whether Xero's status says what the document's does, in the source's words: Xero
        may have moved on by itself (a sent invoice PAID, a PO BILLED), but live on one side
        and gone on the other, or a draft approved in Xero only, is a difference."""
        wanted = self.wanted_status(document)
        if wanted in _GONE or xero_status in _GONE:
            return wanted in _GONE and xero_status in _GONE
        said = self.source_status(xero_status)
        if xero_status == wanted or said == getattr(document, "status", None):
            return True
        return said == "paid" and wanted != "DRAFT"

    def takes(self, record: Record) -> bool:
        """Whether a record of its resource is one of its own (``xero_types``)."""
        return not self.xero_types or record.get("Type") in self.xero_types

    def dated(self, start: date, end: date) -> dict[str, str]:
        """The list query for its resource's records dated ``start`` to ``end`` (both kept):
        Xero's ``where`` on Date, which its list GETs take."""
        since = f"DateTime({start.year},{start.month:02d},{start.day:02d})"
        until = f"DateTime({end.year},{end.month:02d},{end.day:02d})"
        return {"where": f"Date >= {since} && Date <= {until}"}

    def deep_link_kind(self, link_type: str | None) -> str:
        """The page kind for ``ledgerlink.xero.links`` (a Xero Type, or an alias)."""
        return link_type or self.name.upper()

    # -- after a lost reply ------------------------------------------------------------

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        """The GETs (path, query) that would find what the lost creates ``sent`` made."""
        raise NotImplementedError

    def matches(self, sent: Record, found: Record) -> bool:
        """Whether Xero's record ``found`` is the one ``sent`` created: by default, the live
        record with the number it was sent with (what ``numbering`` "source_id" is for)."""
        number = sent.get(self.number_field) if self.number_field else None
        if not number or str(found.get(self.number_field or "") or "") != number:
            return False
        if found.get("Status") == "DELETED":
            return False
        if sent.get("Type") and found.get("Type") and sent["Type"] != found["Type"]:
            return False
        # a person's record with the same number (a supplier's reference) is not ours
        ours = str((sent.get("Contact") or {}).get("ContactID") or "").lower()
        theirs = str((found.get("Contact") or {}).get("ContactID") or "").lower()
        return not ours or not theirs or ours == theirs


@dataclass(frozen=True)
class FollowUp:
    """One write after the document's own: its method, path and body (an envelope)."""

    method: str
    path: str
    body: Record


_GONE = frozenset({"VOIDED", "DELETED"})
_USAGE_CLASSES: dict[str, frozenset[str]] = {
    "sales": frozenset({"REVENUE"}),
    "purchase": frozenset({"EXPENSE", "LIABILITY"}),
}


class StoredLookup:
    """Reading documents already stored (intake passes one to ``expand``)."""

    def current_body(self, kind: str, source_id: str) -> dict[str, Any] | None:
        raise NotImplementedError


@dataclass
class CheckContext:
    """What a kind's own checks may read: the connection's settings, links of documents it
    depends on (by (kind, source id)), and the cached reference data."""

    settings: Mapping[str, Any]
    reference: Any
    links: Mapping[tuple[str, str], LinkView]
    base_currency: str | None = None
    # Money already promised in this claim per Xero document (payments on one invoice).
    spent: dict[str, Decimal] = field(default_factory=dict)
    # The organisation's lock date as last read (for kinds without lines, which preflight
    # does not see).
    lock_date: date | None = None


@dataclass
class Prepared:
    """A document ready to convert: the status to send, its resolved lines, its contact."""

    status: str
    lines: Sequence[Any]
    contact: Mapping[str, Any]
    existing: Any
    unitdp: int = 2
    number: str | None = None
    resolved: Mapping[tuple[str, str], LinkView] | None = None
    settings: Mapping[str, Any] | None = None


__all__ = [
    "Brought",
    "CheckContext",
    "Decision",
    "DocumentKind",
    "FollowUp",
    "Hold",
    "LinkView",
    "Needed",
    "Prepared",
    "Record",
    "Send",
    "Skip",
    "StoredLookup",
    "Usage",
]
