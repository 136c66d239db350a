"""The sandbox's whole state: organisations and their records, identity, limits, faults.

Records are plain dicts keyed by Xero's field names and holding Python values (Decimal, date,
datetime); ``wire.encode`` turns them into Xero JSON. Keys starting with ``_`` are private to the
sandbox and never sent. All handlers run on one event loop and do not await while they change
state, so a handler's change is atomic without locks.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from xero_sandbox.config import SandboxConfig
from xero_sandbox.egress import Egress
from xero_sandbox.faults import FaultBook
from xero_sandbox.idempotency import IdempotencyStore
from xero_sandbox.ratelimit import RateLimiter
from xero_sandbox.tokens import IdentityStore

Record = dict[str, Any]

COLLECTIONS = (
    "accounts",
    "tax_rates",
    "currencies",
    "tracking_categories",
    "contacts",
    "items",
    "invoices",
    "credit_notes",
    "payments",
    "purchase_orders",
    "manual_journals",
    "users",
    "branding_themes",
    "payment_services",
    "contact_groups",
    "quotes",
    "repeating_invoices",
    "linked_transactions",
    "bank_transactions",
    "bank_transfers",
    "overpayments",
    "prepayments",
)


class Clock:
    """Wall time plus an offset that tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def timestamp(self) -> float:
        return time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def today(self) -> date:
        return self.now().date()

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Org:
    """One Xero organisation (tenant) and everything in it."""

    tenant_id: str
    key: str
    name: str
    short_code: str
    country_code: str
    base_currency: str
    timezone: str
    organisation_id: str = field(default_factory=new_id)
    # The plan (Organisation.Class) and edition: what the organisation may do (``plans``).
    org_class: str = "PREMIUM"
    edition: str = "BUSINESS"
    period_lock_date: date | None = None
    end_of_year_lock_date: date | None = None
    offline: bool = False
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    accounts: dict[str, Record] = field(default_factory=dict)
    tax_rates: dict[str, Record] = field(default_factory=dict)
    currencies: dict[str, Record] = field(default_factory=dict)
    tracking_categories: dict[str, Record] = field(default_factory=dict)
    contacts: dict[str, Record] = field(default_factory=dict)
    items: dict[str, Record] = field(default_factory=dict)
    invoices: dict[str, Record] = field(default_factory=dict)
    credit_notes: dict[str, Record] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    purchase_orders: dict[str, Record] = field(default_factory=dict)
    manual_journals: dict[str, Record] = field(default_factory=dict)
    users: dict[str, Record] = field(default_factory=dict)
    branding_themes: dict[str, Record] = field(default_factory=dict)
    payment_services: dict[str, Record] = field(default_factory=dict)
    contact_groups: dict[str, Record] = field(default_factory=dict)
    quotes: dict[str, Record] = field(default_factory=dict)
    repeating_invoices: dict[str, Record] = field(default_factory=dict)
    linked_transactions: dict[str, Record] = field(default_factory=dict)
    bank_transactions: dict[str, Record] = field(default_factory=dict)
    bank_transfers: dict[str, Record] = field(default_factory=dict)
    overpayments: dict[str, Record] = field(default_factory=dict)
    prepayments: dict[str, Record] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # The general ledger (``journals``): journals in JournalNumber order, and what each posting
    # record has posted so far, by (collection, record id).
    journals: list[Record] = field(default_factory=list)
    posted: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    # History and notes (``history``): each record's history by record id, oldest first, and
    # what the history last saw of the record.
    history: dict[str, list[Record]] = field(default_factory=dict)
    history_seen: dict[str, Any] = field(default_factory=dict)

    def next_number(self, prefix: str) -> str:
        """Xero's automatic numbers: INV-0001, PO-0001, CN-0001..."""
        value = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = value
        return f"{prefix}-{value:04d}"

    def lock_date(self) -> date | None:
        dates = [d for d in (self.period_lock_date, self.end_of_year_lock_date) if d]
        return max(dates) if dates else None

    def account_by_code(self, code: str) -> Record | None:
        wanted = code.strip().lower()
        for account in self.accounts.values():
            if str(account.get("Code", "")).lower() == wanted:
                return account
        return None


@dataclass(frozen=True)
class MadeOrg:
    """An organisation made through ``POST /_sandbox/orgs``: what a reset rebuilds it from."""

    tenant_id: str
    key: str
    name: str
    short_code: str
    country: str = "AU"
    org_class: str = "PREMIUM"
    # The seed of the year of activity it is made with (``xero_sandbox.year``), if any.
    seed_year: int | None = None


@dataclass
class Event:
    """A change Xero would announce by webhook (INVOICE, CONTACT, CREDITNOTE)."""

    tenant_id: str
    category: str
    event_type: str
    resource_id: str
    resource_url: str
    when: datetime
    data: dict[str, Any] | None = None


class SandboxState:
    """The root of all state; one per running sandbox (``app.state.sandbox``)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.orgs: dict[str, Org] = {}
        self.made_orgs: list[MadeOrg] = []
        self.identity = IdentityStore()
        self.limits = RateLimiter(config.limits, day_limit=config.day_limit)
        self.egress = Egress()
        self.idempotency = IdempotencyStore(config.idempotency_seconds)
        self.faults = FaultBook(config.fault_seed)
        self.events: list[Event] = []
        self.request_log: list[dict[str, Any]] = []
        self.extensions: dict[str, Any] = {}
        # Records changed since the ledger last looked (``journals.settle``), by identity.
        self.unsettled: dict[int, Record] = {}

    def org_by_key(self, key: str) -> Org | None:
        for org in self.orgs.values():
            if org.key == key or org.tenant_id == key:
                return org
        return None

    def emit(
        self,
        org: Org,
        category: str,
        event_type: str,
        resource_id: str,
        resource_path: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Record a change for webhook delivery (the webhook part reads ``events``)."""
        self.events.append(
            Event(
                tenant_id=org.tenant_id,
                category=category,
                event_type=event_type,
                resource_id=resource_id,
                resource_url=f"https://api.xero.com/api.xro/2.0/{resource_path}/{resource_id}",
                when=self.clock.now(),
                data=data,
            )
        )

    def stamp(self, record: Record) -> None:
        """Set ``UpdatedDateUTC``: every change to a record moves it. Xero's carry milliseconds
        (``/Date(1518685950940+0000)/``), so two changes within a second still tell apart."""
        now = self.clock.now()
        record["UpdatedDateUTC"] = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self.unsettled[id(record)] = record
