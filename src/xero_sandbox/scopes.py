"""Which OAuth scopes let a token call which Accounting API operation, as Xero enforces them.

Xero decides by resource, the first segment of the path (``/Invoices/{id}`` is Invoices): a GET
needs the resource's read or write scope, a PUT, POST or DELETE its write scope. Each resource
is reachable by its classic ("broad") scope and by the granular scope that replaced it in 2026
(xero-facts section 1.4); Items by either accounting.invoices or accounting.settings. A few
sub-resources follow their own scope: Attachments under any resource need
accounting.attachments, a branding theme's PaymentServices need paymentservices, a contact's
CISSettings accounting.settings, and each report its own granular report scope.

The table is keyed by resource, not by route, so a resource module added later is covered the
moment its name is here; a route whose resource is missing is refused, never let through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The broad scopes an app created on or after 2 March 2026 cannot ask for.
BROAD_ONLY = frozenset(
    {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}
)
GRANULAR_CUTOVER = date(2026, 3, 2)

READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Rule:
    """``write`` scopes allow every method; ``read`` scopes allow only a GET."""

    write: frozenset[str]
    read: frozenset[str]

    def allows(self, granted: frozenset[str], method: str) -> bool:
        if granted & self.write:
            return True
        return method.upper() in READ_METHODS and bool(granted & self.read)

    def __or__(self, other: Rule) -> Rule:
        return Rule(self.write | other.write, self.read | other.read)

    @property
    def scopes(self) -> frozenset[str]:
        return self.write | self.read


def family(*names: str) -> Rule:
    """Scopes that each come with a ``.read`` variant (accounting.invoices and .read...)."""
    return Rule(frozenset(names), frozenset(f"{n}.read" for n in names))


def read_only(*names: str) -> Rule:
    return Rule(frozenset(), frozenset(names))


INVOICES = family("accounting.transactions", "accounting.invoices")
PAYMENTS = family("accounting.transactions", "accounting.payments")
BANK = family("accounting.transactions", "accounting.banktransactions")
MANUAL_JOURNALS = family("accounting.transactions", "accounting.manualjournals")
CLASSIC_EXPENSES = family("accounting.transactions", "accounting.classicexpenses")
SETTINGS = family("accounting.settings")
CONTACTS = family("accounting.contacts")
ATTACHMENTS = family("accounting.attachments")
PAYMENT_SERVICES = Rule(frozenset({"paymentservices"}), frozenset())

# Resource (lower-cased first path segment) -> the scopes that reach it.
RESOURCES: dict[str, Rule] = {
    "invoices": INVOICES,
    "creditnotes": INVOICES,
    "quotes": INVOICES,
    "purchaseorders": INVOICES,
    "repeatinginvoices": INVOICES,
    "linkedtransactions": INVOICES,
    "items": INVOICES | SETTINGS,
    "payments": PAYMENTS,
    "batchpayments": PAYMENTS,
    "overpayments": PAYMENTS,
    "prepayments": PAYMENTS,
    "banktransactions": BANK,
    "banktransfers": BANK,
    "manualjournals": MANUAL_JOURNALS,
    "expenseclaims": CLASSIC_EXPENSES,
    "receipts": CLASSIC_EXPENSES,
    "accounts": SETTINGS,
    "brandingthemes": SETTINGS,
    "currencies": SETTINGS,
    "invoicereminders": SETTINGS,
    "organisation": SETTINGS,
    "organisations": SETTINGS,
    "taxrates": SETTINGS,
    "trackingcategories": SETTINGS,
    "users": SETTINGS,
    "setup": SETTINGS,
    "contacts": CONTACTS,
    "contactgroups": CONTACTS,
    "journals": read_only("accounting.journals.read"),
    "budgets": read_only("accounting.budgets.read"),
    "paymentservices": PAYMENT_SERVICES,
}

# Sub-resources (a later path segment) that follow their own scope wherever they hang.
SUB_RESOURCES: dict[str, Rule] = {
    "attachments": ATTACHMENTS,
    "paymentservices": PAYMENT_SERVICES,
    "cissettings": SETTINGS,
}

# Each report (second segment of /Reports/...) and its granular scope. Anything else under
# /Reports (the list of published reports, a report by its id: GST, BAS) is a tax report.
REPORTS = {
    "agedpayablesbycontact": "aged",
    "agedreceivablesbycontact": "aged",
    "balancesheet": "balancesheet",
    "banksummary": "banksummary",
    "budgetsummary": "budgetsummary",
    "executivesummary": "executivesummary",
    "profitandloss": "profitandloss",
    "trialbalance": "trialbalance",
    "tenninetynine": "tenninetynine",
}
REPORT_SCOPES = frozenset(f"accounting.reports.{name}.read" for name in REPORTS.values()) | {
    "accounting.reports.taxreports.read"
}


def _segments(path: str) -> list[str]:
    return [s.lower() for s in path.split("?", 1)[0].strip("/").split("/") if s]


def rule_for(path: str) -> Rule | None:
    """The scopes that reach ``path`` (under /api.xro/2.0), or None for an unknown resource."""
    segments = _segments(path)
    if not segments:
        return None
    for segment in segments[1:]:
        if segment in SUB_RESOURCES:
            return SUB_RESOURCES[segment]
    resource = segments[0]
    if resource == "reports":
        report = REPORTS.get(segments[1], "taxreports") if len(segments) > 1 else "taxreports"
        return read_only("accounting.reports.read", f"accounting.reports.{report}.read")
    return RESOURCES.get(resource)


def allowed(granted: Iterable[str], method: str, path: str) -> bool:
    """Whether a token holding ``granted`` may make this call; an unknown resource: never."""
    rule = rule_for(path)
    return rule is not None and rule.allows(frozenset(granted), method)


def known_scopes() -> frozenset[str]:
    """Every scope the table names (consent accepts each of them)."""
    found: set[str] = set(REPORT_SCOPES)
    for rule in (*RESOURCES.values(), *SUB_RESOURCES.values()):
        found |= rule.scopes
    found.add("accounting.reports.read")
    return frozenset(found)


def granular_only(created: date) -> bool:
    """Apps created on or after 2 March 2026 get only granular scopes; older ones may mix."""
    return created >= GRANULAR_CUTOVER


def refused_for(created: date, scopes: Iterable[str]) -> list[str]:
    """The broad scopes among ``scopes`` that an app created on ``created`` may not ask for."""
    if not granular_only(created):
        return []
    return [s for s in scopes if s in BROAD_ONLY]
