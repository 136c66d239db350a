"""A realistic year of activity in an organisation, made through the Accounting API's own rules.

``seed_year(state, org, seed)`` makes, for the twelve months before the sandbox clock's today:
customers and suppliers, sales invoices and bills (seasonal, several lines, tracked in part),
credit notes, payments (most paid, some in part, some overdue, a few voided), monthly manual
journals (depreciation, payroll) and, where this sandbox serves them, bank transactions and
transfers. The same seed and the same today give the same year.

Every record is written by the Accounting API's handlers (``AccountingApi.internal``), so totals,
numbers, statuses, balances and whatever else a handler does on a write are what any client
would get; a write the API refuses stops the seeding with ``YearError``. Seeding calls are not
a client's: they use no token, count against no rate limit, draw no fault and are not in the
request log, and the webhook events they raise are dropped (the year is history a subscriber
was never told of).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from xero_sandbox import wire
from xero_sandbox.api import AccountingApi
from xero_sandbox.resources import all_routes
from xero_sandbox.routing import ApiRouter
from xero_sandbox.state import Org, Record, SandboxState

SEEDER_CLIENT = "xero-sandbox-year"
SEEDER_APP = "Xero"
BATCH = 50
SEEDED_KEY = "seeded-years"


class YearError(Exception):
    """The year could not be seeded: the API refused a write, or the organisation has one."""


@dataclass
class YearSummary:
    """What a seeding made, by kind, and the days it spans."""

    seed: int
    first_day: date
    last_day: date
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "counts": dict(self.counts),
        }


class Seeder:
    """Writes through the API on one organisation's behalf, with the year's random source."""

    def __init__(self, state: SandboxState, org: Org, seed: int, today: date | None) -> None:
        self.state = state
        self.org = org
        self.rng = random.Random(seed)
        self.api = AccountingApi(state, ApiRouter(all_routes()))
        self.today = today or state.clock.today()
        first = self.today - timedelta(days=364)
        lock = org.lock_date()
        if lock is not None and first <= lock:
            first = lock + timedelta(days=1)
        if first > self.today:
            raise YearError(
                f"the organisation is locked up to {lock}: there is no day before today "
                "to seed a year in"
            )
        self.first_day = first
        self.summary = YearSummary(seed, first, self.today)

    def serves(self, method: str, path: str) -> bool:
        return self.api.serves(method, path)

    def call(self, method: str, path: str, body: Any) -> Any:
        response = self.api.internal(
            self.org, method, path, body, client_id=SEEDER_CLIENT, app_name=SEEDER_APP
        )
        if response.status_code != 200:
            text = bytes(response.body).decode("utf-8", "replace")
            raise YearError(f"{method} {path} was refused ({response.status_code}): {text[:800]}")
        return wire.decode(bytes(response.body))

    def write(
        self, method: str, path: str, key: str, elements: list[dict[str, Any]], count: str = ""
    ) -> list[Record]:
        """Send elements in batches of ``BATCH``; the records Xero answers, in order."""
        made: list[Record] = []
        for start in range(0, len(elements), BATCH):
            reply = self.call(method, path, {key: elements[start : start + BATCH]})
            made.extend(reply[key])
        if count:
            self.count(count, len(made))
        return made

    def count(self, kind: str, number: int = 1) -> None:
        self.summary.counts[kind] = self.summary.counts.get(kind, 0) + number

    def account(self, code: str, klass: str) -> Record | None:
        """The chart's account ``code`` if a line may use it, else the first such of ``klass``."""
        found = self.org.account_by_code(code)
        if found is not None and _usable(found):
            return found
        return next(
            (
                a
                for a in sorted(self.org.accounts.values(), key=lambda a: str(a.get("Code")))
                if a.get("Class") == klass and _usable(a) and a.get("Type") != "BANK"
            ),
            None,
        )

    def bank(self, code: str) -> Record | None:
        found = self.org.account_by_code(code)
        if found is not None and found.get("Type") == "BANK" and found.get("Status") == "ACTIVE":
            return found
        return None

    def main_bank(self) -> Record | None:
        """The account payments go through: the demo chart's 090, else the first bank account."""
        found = self.bank("090")
        if found is not None:
            return found
        return next(
            (
                a
                for a in sorted(self.org.accounts.values(), key=lambda a: str(a.get("Code")))
                if a.get("Type") == "BANK" and a.get("Status") == "ACTIVE"
            ),
            None,
        )

    def exempt_tax(self) -> str:
        """The tax type for lines that carry none (BAS Excluded, Tax Exempt, No VAT...)."""
        for wanted in ("BASEXCLUDED", "NONE"):
            if wanted in self.org.tax_rates:
                return wanted
        return next(iter(self.org.tax_rates))

    def days(self, first: date, last: date, *, weekdays: bool = True) -> date:
        """A random day from ``first`` to ``last`` (a weekday where the span has one)."""
        first, last = max(first, self.first_day), min(last, self.today)
        if first >= last:
            return last
        span = (last - first).days
        for _ in range(8):
            day = first + timedelta(days=self.rng.randint(0, max(span, 0)))
            if not weekdays or day.weekday() < 5:
                return day
        return day


def _usable(account: Record) -> bool:
    return account.get("Status") == "ACTIVE" and not account.get("SystemAccount")


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s."""
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def seeded(state: SandboxState) -> dict[str, YearSummary]:
    """Tenant id -> what the year seeded into that organisation made."""
    found = state.extensions.setdefault(SEEDED_KEY, {})
    assert isinstance(found, dict)
    return found


def seed_year(
    state: SandboxState, org: Org, seed: int, *, today: date | None = None
) -> YearSummary:
    """Make a year of activity in ``org`` (see the module's description); what was made.

    The year ends on ``today``, the sandbox clock's today unless given (a test that compares two
    seedings pins it, so midnight cannot fall between them). An organisation holds one seeded
    year: a second is refused (reset the sandbox first).
    """
    from xero_sandbox.year_bank import bank_activity, manual_journals
    from xero_sandbox.year_docs import contacts
    from xero_sandbox.year_pay import money_documents

    if org.tenant_id in seeded(state):
        raise YearError(
            f"organisation {org.key} already holds a seeded year (seed "
            f"{seeded(state)[org.tenant_id].seed}); reset the sandbox to seed another"
        )
    events = len(state.events)
    seeder = Seeder(state, org, seed, today)
    try:
        parties = contacts(seeder)
        money_documents(seeder, parties)
        payroll = manual_journals(seeder)
        bank_activity(seeder, parties, payroll)
    finally:
        del state.events[events:]
        seeded(state)[org.tenant_id] = seeder.summary
    return seeder.summary


def seed_configured_years(state: SandboxState) -> list[YearSummary]:
    """After a (re)seed: the demo organisation's year if the config asks for one, and the years
    of organisations made through the admin API with ``seed_year``."""
    from xero_sandbox.seed import DEMO_TENANT

    seeded(state).clear()
    wanted: list[tuple[str, int]] = []
    if state.config.seed_year is not None:
        wanted.append((DEMO_TENANT, state.config.seed_year))
    wanted += [(m.tenant_id, m.seed_year) for m in state.made_orgs if m.seed_year is not None]
    made = []
    for tenant_id, number in wanted:
        org = state.orgs.get(tenant_id)
        if org is not None:
            made.append(seed_year(state, org, number))
    return made
