"""Which scope a call to Xero's Accounting API needs, so a refusal can name the one to add.

Xero grants access by resource (the first segment of the path: ``/Invoices/{id}`` is Invoices).
Each resource belongs to a scope family with a broad name (``accounting.transactions``, the
only one before 2026, ending in 2027), a granular name (``accounting.invoices``) and their
``.read`` variants, which allow GET only. Items are reachable through two families (invoices or
settings). Attachments, wherever they hang, need accounting.attachments; each report its own
report scope. Kept apart from the sandbox's table on purpose (DESIGN.md): the two are written
from Xero's documentation, not from each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

API_PATH = "/api.xro/2.0"
_READS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Family:
    """One scope family: ``granular`` is the name to ask for, ``broad`` the classic one."""

    granular: str
    broad: str | None = None
    reads_only: bool = False

    def names(self, method: str) -> set[str]:
        """Every granted scope that allows ``method`` on this family's resources."""
        full = {self.granular} | ({self.broad} if self.broad else set())
        if self.reads_only:
            return full if method in _READS else set()
        if method in _READS:
            return full | {f"{name}.read" for name in full}
        return full


INVOICES = Family("accounting.invoices", "accounting.transactions")
PAYMENTS = Family("accounting.payments", "accounting.transactions")
BANK_TRANSACTIONS = Family("accounting.banktransactions", "accounting.transactions")
MANUAL_JOURNALS = Family("accounting.manualjournals", "accounting.transactions")
CLASSIC_EXPENSES = Family("accounting.classicexpenses", "accounting.transactions")
SETTINGS = Family("accounting.settings")
CONTACTS = Family("accounting.contacts")
ATTACHMENTS = Family("accounting.attachments")
JOURNALS = Family("accounting.journals.read", reads_only=True)
BUDGETS = Family("accounting.budgets.read", reads_only=True)
PAYMENT_SERVICES = Family("paymentservices")

# Lower-cased resource -> its families; the first is the one to ask for.
RESOURCES: dict[str, tuple[Family, ...]] = {
    **dict.fromkeys(
        ("invoices", "creditnotes", "quotes", "purchaseorders", "repeatinginvoices"), (INVOICES,)
    ),
    "linkedtransactions": (INVOICES,),
    "items": (INVOICES, SETTINGS),
    **dict.fromkeys(("payments", "batchpayments", "overpayments", "prepayments"), (PAYMENTS,)),
    **dict.fromkeys(("banktransactions", "banktransfers"), (BANK_TRANSACTIONS,)),
    "manualjournals": (MANUAL_JOURNALS,),
    **dict.fromkeys(("expenseclaims", "receipts"), (CLASSIC_EXPENSES,)),
    **dict.fromkeys(
        (
            "accounts",
            "brandingthemes",
            "currencies",
            "invoicereminders",
            "organisation",
            "taxrates",
            "trackingcategories",
            "users",
            "setup",
        ),
        (SETTINGS,),
    ),
    **dict.fromkeys(("contacts", "contactgroups"), (CONTACTS,)),
    "journals": (JOURNALS,),
    "budgets": (BUDGETS,),
    "paymentservices": (PAYMENT_SERVICES,),
}
# Parts of a path below a resource that have their own scope.
SUB_RESOURCES: dict[str, tuple[Family, ...]] = {
    "attachments": (ATTACHMENTS,),
    "paymentservices": (PAYMENT_SERVICES,),
    "cissettings": (SETTINGS,),
}
# Report name -> its granular scope's middle part; any other report (by id: GST, BAS) is "tax".
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


def _segments(path: str) -> list[str]:
    bare = path.split("?", 1)[0]
    if bare.lower().startswith(API_PATH.lower()):
        bare = bare[len(API_PATH) :]
    return [part.lower() for part in bare.strip("/").split("/") if part]


def _families(path: str) -> tuple[Family, ...]:
    segments = _segments(path)
    if not segments:
        return ()
    for segment in segments[1:]:
        if segment in SUB_RESOURCES:
            return SUB_RESOURCES[segment]
    if segments[0] == "reports":
        report = REPORTS.get(segments[1], "taxreports") if len(segments) > 1 else "taxreports"
        return (Family(f"accounting.reports.{report}.read", "accounting.reports.read", True),)
    return RESOURCES.get(segments[0], ())


def _granted_set(granted: str | Iterable[str]) -> set[str]:
    return set(granted.split()) if isinstance(granted, str) else set(granted)


def scope_needed(method: str, path: str) -> str:
    """The granular scope a call needs (the one to ask Xero for); "" for a path we don't know.

    ``path`` is the Accounting API path, with or without /api.xro/2.0 and a query string. A read
    is named by the full scope too (accounting.payments for GET /Payments): it covers reads as
    well and is what the engine asks for, so ``method`` does not change the answer.
    """
    families = _families(path)
    return families[0].granular if families else ""


def missing_scope(granted: str | Iterable[str], method: str, path: str) -> str | None:
    """The scope to add when ``granted`` cannot make this call; None when it can or we can't say.

    ``granted`` is a space-separated scope string (as Xero's token reply gives it) or names.
    Nothing granted at all, or a path of no known resource, is "can't say": never a verdict.
    """
    have = _granted_set(granted)
    families = _families(path)
    if not have or not families:
        return None
    verb = method.upper()
    if any(have & family.names(verb) for family in families):
        return None
    return families[0].granular
