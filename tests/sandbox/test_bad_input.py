"""Bad input on every write endpoint gets one of Xero's error shapes with its exact status.

Whatever a caller sends (broken JSON, wrong types, missing or null elements, unknown fields, an
empty or oversized body, thousands of lines, deep nesting, bytes that are not UTF-8) the answer is
never a 500 and never a traceback: it is Xero's ApiException (PostDataInvalid 14, Validation 10,
NoDataProcessed 17) or the 413 body. Unknown fields are ignored, as Xero ignores them.

Every PUT/POST route the sandbox serves is parametrised from ``all_routes()``; a route with no
entry in TARGETS fails, so a new endpoint cannot skip these checks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from tests.conftest import DEMO_TENANT, Reply, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero
from xero_sandbox import SandboxConfig
from xero_sandbox.identity import CUSTOM_SCOPES
from xero_sandbox.resources import all_routes

_counter = itertools.count(1)
_ENCODE = msgspec.json.Encoder(decimal_format="number").encode


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """One sandbox for the module: hundreds of calls, so the minute limit is set aside."""
    config = SandboxConfig()
    config.limits.enabled = False
    return config


@pytest.fixture(scope="module")
def sandbox(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    running = RunningSandbox(sandbox_config).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def xero(sandbox: RunningSandbox) -> Iterator[XeroHttp]:
    # The custom connection's scopes plus paymentservices, which the PaymentServices routes need.
    client = scoped_xero(sandbox.url, DEMO_TENANT, " ".join([*CUSTOM_SCOPES, "paymentservices"]))
    try:
        yield client
    finally:
        client.close()


def _id(reply: Reply, key: str, field: str) -> str:
    assert reply.status == 200, f"setup failed: {reply.status} {reply.text[:500]}"
    return str(reply.json[key][0][field])


def _line(account: str = "200") -> dict[str, Any]:
    return {"Description": "Widget", "Quantity": 2, "UnitAmount": 10.5, "AccountCode": account}


def doc(kind: str, n: int = 0, status: str = "DRAFT", lines: int = 1) -> dict[str, Any]:
    """A valid invoice, credit note or purchase order dated after both lock dates."""
    account, who = ("453", "SUPP-001") if kind == "order" else ("200", "CUST-001")
    base: dict[str, Any] = {
        "Contact": {"ContactNumber": who},
        "Date": "2026-07-15",
        "Status": status,
        "Reference": f"BI-{n}",
        "LineItems": [_line(account)] * lines,
    }
    if kind == "invoice":
        base.update(Type="ACCREC", DueDate="2026-08-15")
    elif kind == "credit":
        base["Type"] = "ACCRECCREDIT"
    return base


def journal(n: int = 0) -> dict[str, Any]:
    lines = [{"LineAmount": 100, "AccountCode": "469"}, {"LineAmount": -100, "AccountCode": "850"}]
    return {
        "Narration": f"Bad input journal {n}",
        "Date": "2026-07-15",
        "Status": "DRAFT",
        "JournalLines": lines,
    }


def tax_rate(n: int = 0) -> dict[str, Any]:
    component = {"Name": "Levy", "Rate": 1.5, "IsCompound": False, "IsNonRecoverable": False}
    return {"Name": f"Bad input rate {n}", "ReportTaxType": "OUTPUT", "TaxComponents": [component]}


def bank_tx(bank_type: str = "SPEND", n: int = 0) -> dict[str, Any]:
    account = "429" if bank_type == "SPEND" else "200"
    return {
        "Type": bank_type,
        "Contact": {"ContactNumber": "CUST-001"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-07-15",
        "Reference": f"BI-{n}",
        "LineItems": [{**_line(account), "Quantity": 5}],
    }


def bank_transfer(n: int = 0) -> dict[str, Any]:
    return {
        "FromBankAccount": {"Code": "090"},
        "ToBankAccount": {"Code": "091"},
        "Amount": 1.0,
        "Date": "2026-07-15",
        "Reference": f"BI-{n}",
    }


# Path parameter -> (collection path, body, reply key, id field) of a record to act on.
# fmt: off
PATH_RECORDS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "AccountID": ("/Accounts", {"Code": "BI0", "Name": "Bad input base", "Type": "EXPENSE"},
                  "Accounts", "AccountID"),
    "ContactID": ("/Contacts", {"Contacts": [{"Name": "Bad Input Base"}]}, "Contacts",
                  "ContactID"),
    "ItemID": ("/Items", {"Items": [{"Code": "BI-BASE", "Name": "Base"}]}, "Items", "ItemID"),
    "InvoiceID": ("/Invoices", {"Invoices": [doc("invoice")]}, "Invoices", "InvoiceID"),
    "CreditNoteID": ("/CreditNotes", {"CreditNotes": [doc("credit")]}, "CreditNotes",
                     "CreditNoteID"),
    "PurchaseOrderID": ("/PurchaseOrders", {"PurchaseOrders": [doc("order")]},
                        "PurchaseOrders", "PurchaseOrderID"),
    "ManualJournalID": ("/ManualJournals", {"ManualJournals": [journal()]}, "ManualJournals",
                        "ManualJournalID"),
    "ContactGroupID": ("/ContactGroups", {"ContactGroups": [{"Name": "Bad input base"}]},
                       "ContactGroups", "ContactGroupID"),
    "QuoteID": ("/Quotes", {"Quotes": [doc("quote")]}, "Quotes", "QuoteID"),
    "BankTransactionID": ("/BankTransactions", {"BankTransactions": [bank_tx()]},
                          "BankTransactions", "BankTransactionID"),
    "BankTransferID": ("/BankTransfers", {"BankTransfers": [bank_transfer()]}, "BankTransfers",
                       "BankTransferID"),
    "OverpaymentID": ("/BankTransactions", {"BankTransactions": [bank_tx("RECEIVE-OVERPAYMENT")]},
                      "BankTransactions", "OverpaymentID"),
    "PrepaymentID": ("/BankTransactions", {"BankTransactions": [bank_tx("RECEIVE-PREPAYMENT")]},
                     "BankTransactions", "PrepaymentID"),
}
# fmt: on


class Made:
    """Records the write endpoints act on, created over HTTP the first time a test needs one."""

    def __init__(self, xero: XeroHttp) -> None:
        self.xero = xero
        self.cache: dict[str, str] = {}

    def once(self, name: str, make: Callable[[], str]) -> str:
        if name not in self.cache:
            self.cache[name] = make()
        return self.cache[name]

    def put(self, path: str, body: dict[str, Any], key: str, field: str) -> str:
        return _id(self.xero.put(path, body), key, field)

    def authorised(self, name: str, kind: str) -> str:
        key, field = (
            ("Invoices", "InvoiceID") if kind == "invoice" else ("CreditNotes", "CreditNoteID")
        )
        body = {key: [doc(kind, status="AUTHORISED", lines=20)]}
        return self.once(name, lambda: self.put(f"/{key}", body, key, field))

    def payment(self, n: int = 0) -> dict[str, Any]:
        return {
            "Invoice": {"InvoiceID": self.authorised("paid", "invoice")},
            "Account": {"Code": "090"},
            "Date": "2026-07-16",
            "Amount": 1.0,
            "Reference": f"BI-{n}",
        }

    def service(self) -> str:
        body = {"PaymentServiceName": "BI base", "PaymentServiceUrl": "https://p.example"}
        return self.once(
            "service",
            lambda: self.put("/PaymentServices", body, "PaymentServices", "PaymentServiceID"),
        )

    def tax_type(self) -> str:
        body = {"TaxRates": [tax_rate()]}
        return self.once("tax", lambda: self.put("/TaxRates", body, "TaxRates", "TaxType"))

    def categories(self) -> list[dict[str, Any]]:
        return list(self.xero.get("/TrackingCategories").json["TrackingCategories"])

    def room_for_a_category(self) -> None:
        """Xero allows two active categories and the seed has two: make room once."""

        def delete_department() -> str:
            for category in self.categories():
                if category["Name"] == "Department":
                    path = f"/TrackingCategories/{category['TrackingCategoryID']}"
                    assert self.xero.delete(path).status == 200
            return "done"

        self.once("room", delete_department)

    def path_value(self, name: str) -> str:
        if name == "PaymentID":  # deleting a payment is final: each test gets its own
            return self.put("/Payments", {"Payments": [self.payment()]}, "Payments", "PaymentID")
        if name == "RepeatingInvoiceID":  # deleting a template is final, as a payment's
            body = {"RepeatingInvoices": [template()]}
            return self.put("/RepeatingInvoices", body, "RepeatingInvoices", "RepeatingInvoiceID")
        if name == "LinkedTransactionID":
            path, key = "/LinkedTransactions", "LinkedTransactions"
            return self.once(name, lambda: self.put(path, billable(0, self), key, name))
        if name == "TrackingCategoryID":
            return self.once(
                name,
                lambda: next(
                    c["TrackingCategoryID"] for c in self.categories() if c["Name"] == "Region"
                ),
            )
        if name == "BrandingThemeID":  # themes are seeded, never made through the API
            themes = self.xero.get("/BrandingThemes").json["BrandingThemes"]
            return str(themes[0]["BrandingThemeID"])
        if name == "TrackingOptionID":
            path = f"/TrackingCategories/{self.path_value('TrackingCategoryID')}/Options"
            body = {"Name": "Bad input option"}
            return self.once(name, lambda: self.put(path, body, "Options", "TrackingOptionID"))
        return self.once(name, lambda: self.put(*PATH_RECORDS[name]))


Element = Callable[[int, Made], dict[str, Any]]


@dataclass(frozen=True)
class Target:
    """How to write a valid element to one endpoint, and which of its fields to break.

    ``required`` is dropped or nulled (a ValidationException naming it); ``number`` gets text
    and ``text`` gets an object (PostDataInvalid naming them); ``text`` also gets a number, which
    Xero reads as a string; ``optional`` is nulled (ignored); ``nested`` gets an object instead
    of a list. Paths are dotted: ``LineItems.0.Quantity``.
    """

    key: str | None
    resource: str
    element: Element
    required: str | None = None
    number: str | None = None
    text: str | None = None
    optional: str | None = None
    nested: str | None = None


def _docs(key: str, resource: str, kind: str, create: bool) -> Target:
    return Target(
        key,
        resource,
        lambda n, m: doc(kind, n),
        "Contact" if create else None,
        "LineItems.0.Quantity",
        "Reference",
        "Reference",
        "LineItems",
    )


def _journals(create: bool) -> Target:
    return Target(
        "ManualJournals",
        "ManualJournal",
        lambda n, m: journal(n),
        "Narration" if create else None,
        "JournalLines.0.LineAmount",
        "Narration",
        "Date",
        "JournalLines",
    )


def _items(prefix: str | None) -> Target:
    def element(n: int, m: Made) -> dict[str, Any]:
        code = f"{prefix}-{n}" if prefix else "BI-BASE"
        return {"Code": code, "Name": f"Item {n}", "SalesDetails": {"UnitPrice": 5}}

    return Target(
        "Items",
        "Item",
        element,
        "Code" if prefix else None,
        "SalesDetails.UnitPrice",
        "Description",
        "Description",
    )


_CURRENCIES = ["CAD", "SGD", "HKD", "JPY", "CHF", "SEK", "NOK", "DKK", "ZAR", "INR"]


def _bank_txs(create: bool) -> Target:
    return Target(
        "BankTransactions",
        "BankTransaction",
        lambda n, m: bank_tx("SPEND", n),
        "BankAccount" if create else None,
        "LineItems.0.Quantity",
        "Reference",
        "Reference",
        "LineItems",
    )


def _transfer_deleted(n: int, made: Made) -> dict[str, Any]:
    body = {"BankTransfers": [bank_transfer(n)]}
    transfer = made.put("/BankTransfers", body, "BankTransfers", "BankTransferID")
    return {"BankTransferID": transfer, "Status": "DELETED"}


def _allocation(n: int, made: Made) -> dict[str, Any]:
    invoice = made.authorised("allocated", "invoice")
    return {"Invoice": {"InvoiceID": invoice}, "Amount": 1.0, "Date": "2026-07-16"}


def template(n: int = 0) -> dict[str, Any]:
    """A valid repeating invoice template."""
    schedule = {
        "Period": 1,
        "Unit": "MONTHLY",
        "DueDate": 20,
        "DueDateType": "OFFOLLOWINGMONTH",
        "StartDate": "2026-08-01",
    }
    return {**doc("invoice", n), "Schedule": schedule}


def billable(n: int, made: Made) -> dict[str, Any]:
    """A new bill's line to mark billable (one link a line, so each call makes a bill)."""
    bill = made.xero.put("/Invoices", {"Invoices": [{**doc("invoice", n), "Type": "ACCPAY"}]})
    assert bill.status == 200, bill.text
    found = bill.json["Invoices"][0]
    return {
        "SourceTransactionID": found["InvoiceID"],
        "SourceLineItemID": found["LineItems"][0]["LineItemID"],
    }


def _customer(n: int, made: Made) -> dict[str, Any]:
    return {"ContactID": made.xero.get("/Contacts/CUST-001").json["Contacts"][0]["ContactID"]}


def _templates() -> Target:
    return Target(
        "RepeatingInvoices",
        "RepeatingInvoice",
        lambda n, m: template(n),
        "Schedule",
        "Schedule.Period",
        "Reference",
        "Reference",
        "LineItems",
    )


# fmt: off
TARGETS: dict[tuple[str, str], Target] = {
    ("PUT", "/accounts"): Target(
        None, "Account", lambda n, m: {"Code": f"BI{n}", "Name": f"Account {n}", "Type": "EXPENSE"},
        "Name", None, "Name", "Description"),
    ("POST", "/accounts/{accountid}"): Target(
        "Accounts", "Account", lambda n, m: {"Description": f"Changed {n}"}, None, None,
        "Description", "Description"),
    ("PUT", "/taxrates"): Target(
        "TaxRates", "TaxRate", lambda n, m: tax_rate(n), "Name", "TaxComponents.0.Rate", "Name",
        "Status", "TaxComponents"),
    ("POST", "/taxrates"): Target(
        "TaxRates", "TaxRate", lambda n, m: {**tax_rate(n), "TaxType": m.tax_type()}, None,
        "TaxComponents.0.Rate", "Name", "Status", "TaxComponents"),
    ("PUT", "/currencies"): Target(
        None, "Currency", lambda n, m: {"Code": _CURRENCIES[n % 10], "Description": "Money"},
        "Code", None, None, "Description"),
    ("PUT", "/trackingcategories"): Target(
        None, "TrackingCategory", lambda n, m: {"Name": f"Category {n}", "Status": "ACTIVE"},
        "Name", None, "Name"),
    ("POST", "/trackingcategories/{trackingcategoryid}"): Target(
        None, "TrackingCategory", lambda n, m: {"Name": f"Region {n}"}, None, None, "Name"),
    ("PUT", "/trackingcategories/{trackingcategoryid}/options"): Target(
        None, "TrackingOption", lambda n, m: {"Name": f"Option {n}", "Status": "ACTIVE"}, "Name",
        None, "Name"),
    ("POST", "/trackingcategories/{trackingcategoryid}/options/{trackingoptionid}"): Target(
        None, "TrackingOption", lambda n, m: {"Name": f"Option renamed {n}"}, None, None, "Name"),
    ("PUT", "/contacts"): Target(
        "Contacts", "Contact", lambda n, m: {"Name": f"BI Contact {n}"}, "Name", None, "Name",
        "EmailAddress", "Addresses"),
    ("POST", "/contacts"): Target(
        "Contacts", "Contact", lambda n, m: {"Name": f"BI Posted {n}"}, "Name", None, "Name",
        "EmailAddress", "Addresses"),
    ("POST", "/contacts/{contactid}"): Target(
        "Contacts", "Contact", lambda n, m: {"EmailAddress": f"x{n}@example.com"}, None, None,
        "AccountNumber", "EmailAddress", "Addresses"),
    ("PUT", "/items"): _items("BI"),
    ("POST", "/items"): _items("BIP"),
    ("POST", "/items/{itemid}"): _items(None),
    ("PUT", "/invoices"): _docs("Invoices", "Invoice", "invoice", True),
    ("POST", "/invoices"): _docs("Invoices", "Invoice", "invoice", True),
    ("POST", "/invoices/{invoiceid}"): _docs("Invoices", "Invoice", "invoice", False),
    ("PUT", "/creditnotes"): _docs("CreditNotes", "CreditNote", "credit", True),
    ("POST", "/creditnotes"): _docs("CreditNotes", "CreditNote", "credit", True),
    ("POST", "/creditnotes/{creditnoteid}"): _docs("CreditNotes", "CreditNote", "credit", False),
    ("PUT", "/purchaseorders"): _docs("PurchaseOrders", "PurchaseOrder", "order", True),
    ("POST", "/purchaseorders"): _docs("PurchaseOrders", "PurchaseOrder", "order", True),
    ("POST", "/purchaseorders/{purchaseorderid}"): _docs(
        "PurchaseOrders", "PurchaseOrder", "order", False),
    ("PUT", "/payments"): Target(
        "Payments", "Payment", lambda n, m: m.payment(n), "Account", "Amount", "Reference",
        "Reference"),
    ("POST", "/payments"): Target(
        None, "Payment", lambda n, m: m.payment(n), "Account", "Amount", "Reference", "Reference"),
    ("POST", "/payments/{paymentid}"): Target(None, "Payment", lambda n, m: {"Status": "DELETED"}),
    ("PUT", "/creditnotes/{creditnoteid}/allocations"): Target(
        "Allocations", "Allocation", _allocation, "Invoice", "Amount"),
    ("PUT", "/banktransactions"): _bank_txs(True),
    ("POST", "/banktransactions"): _bank_txs(True),
    ("POST", "/banktransactions/{banktransactionid}"): _bank_txs(False),
    ("PUT", "/banktransfers"): Target(
        "BankTransfers", "BankTransfer", lambda n, m: bank_transfer(n), "FromBankAccount",
        "Amount", "Reference", "Reference"),
    ("POST", "/banktransfers"): Target(
        "BankTransfers", "BankTransfer", _transfer_deleted, "BankTransferID"),
    ("POST", "/banktransfers/{banktransferid}"): Target(
        None, "BankTransfer", lambda n, m: {"Status": "DELETED"}),
    ("PUT", "/overpayments/{overpaymentid}/allocations"): Target(
        "Allocations", "Allocation", _allocation, "Invoice", "Amount"),
    ("PUT", "/prepayments/{prepaymentid}/allocations"): Target(
        "Allocations", "Allocation", _allocation, "Invoice", "Amount"),
    ("PUT", "/manualjournals"): _journals(True),
    ("POST", "/manualjournals"): _journals(True),
    ("POST", "/manualjournals/{manualjournalid}"): _journals(False),
    ("PUT", "/contactgroups"): Target(
        "ContactGroups", "ContactGroup", lambda n, m: {"Name": f"BI group {n}"}, "Name", None,
        "Name", "Status"),
    ("POST", "/contactgroups/{contactgroupid}"): Target(
        "ContactGroups", "ContactGroup", lambda n, m: {"Name": f"BI renamed {n}"}, None, None,
        "Name", "Status"),
    ("PUT", "/contactgroups/{contactgroupid}/contacts"): Target(
        "Contacts", "Contact", lambda n, m: {"ContactID": m.path_value("ContactID")},
        "ContactID"),
    ("PUT", "/paymentservices"): Target(
        "PaymentServices", "PaymentService",
        lambda n, m: {"PaymentServiceName": f"BI pay {n}", "PaymentServiceUrl": "https://p.example"},
        "PaymentServiceName", None, "PaymentServiceName", "PayNowText"),
    ("POST", "/brandingthemes/{brandingthemeid}/paymentservices"): Target(
        "PaymentServices", "PaymentService", lambda n, m: {"PaymentServiceID": m.service()}),
    ("PUT", "/quotes"): _docs("Quotes", "Quote", "quote", True),
    ("POST", "/quotes"): _docs("Quotes", "Quote", "quote", True),
    ("POST", "/quotes/{quoteid}"): _docs("Quotes", "Quote", "quote", False),
    ("PUT", "/repeatinginvoices"): _templates(),
    ("POST", "/repeatinginvoices"): _templates(),
    ("POST", "/repeatinginvoices/{repeatinginvoiceid}"): Target(
        "RepeatingInvoices", "RepeatingInvoice", lambda n, m: {"Status": "DELETED"}),
    ("PUT", "/linkedtransactions"): Target(
        None, "LinkedTransaction", billable, "SourceTransactionID", None, None, "ContactID"),
    ("POST", "/linkedtransactions/{linkedtransactionid}"): Target(
        "LinkedTransactions", "LinkedTransaction", _customer, None, None, None, "ContactID"),
}
HISTORY = Target(
    "HistoryRecords", "HistoryRecord", lambda n, m: {"Details": f"Note {n}"}, "Details", None,
    "Details")
# fmt: on


def target_for(method: str, pattern: str) -> Target | None:
    if method == "PUT" and pattern.lower().endswith("/history"):
        return HISTORY
    return TARGETS.get((method, pattern.lower()))


_DROP = object()


def _set(element: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``element`` with the field at ``dotted`` replaced (or dropped)."""
    copy: dict[str, Any] = msgspec.json.decode(_ENCODE(element))
    path = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    node: Any = copy
    for step in path[:-1]:
        node = node[step]
    if value is _DROP:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return copy


@dataclass
class Call:
    """A request body and what Xero answers to it."""

    body: bytes
    status: int
    kind: str | None = None
    number: int | None = None
    names: str | None = None
    echo: tuple[str, str] | None = None


INVALID = ("PostDataInvalidException", 14)


def build(case: str, target: Target, made: Made) -> Call:
    n = next(_counter)
    element = target.element(n, made)

    def body(value: Any = element) -> bytes:
        return _ENCODE({target.key: [value]} if target.key else value)

    def leaf(dotted: str | None) -> str:
        assert dotted is not None
        return dotted.rsplit(".", 1)[-1]

    if case == "malformed JSON":
        return Call(body()[:-3] + b",,", 400, *INVALID)
    if case == "empty body":
        return Call(b"", 400, "NoDataProcessedException", 17, target.resource)
    if case == "not UTF-8":
        return Call(body().replace(b'":"', b'":"\xff\xfe', 1), 400, *INVALID)
    if case == "deep nesting":
        return Call(b'{"Nested":' + b'{"a":' * 5000 + b"1" + b"}" * 5001, 400, *INVALID)
    if case == "unknown field":
        return Call(body({**element, "NotAXeroField": {"Colour": "teal"}}), 200)
    if case == "number for list":
        return Call(_ENCODE({target.key: 42}), 400, *INVALID, target.key)
    if case == "object for list":
        broken = _set(element, str(target.nested), {"Line": 1})
        return Call(body(broken), 400, *INVALID, leaf(target.nested))
    if case == "text for number":
        broken = _set(element, str(target.number), "twelve")
        return Call(body(broken), 400, *INVALID, leaf(target.number))
    if case == "object for text":
        broken = _set(element, str(target.text), {"Text": "x"})
        return Call(body(broken), 400, *INVALID, leaf(target.text))
    if case == "number for text":
        value = 900000 + n
        broken = _set(element, str(target.text), value)
        return Call(body(broken), 200, echo=(str(target.text), str(value)))
    if case in ("missing required", "null required"):
        gone = _DROP if case.startswith("missing") else None
        broken = _set(element, str(target.required), gone)
        return Call(body(broken), 400, "ValidationException", 10, target.required)
    assert case == "null optional"
    return Call(body(_set(element, str(target.optional), None)), 200)


GENERIC = ["malformed JSON", "empty body", "not UTF-8", "deep nesting", "unknown field"]


def cases_for(target: Target) -> list[str]:
    cases = list(GENERIC)
    cases += ["number for list"] if target.key else []
    cases += ["object for list"] if target.nested else []
    cases += ["text for number"] if target.number else []
    cases += ["object for text", "number for text"] if target.text else []
    cases += ["missing required", "null required"] if target.required else []
    cases += ["null optional"] if target.optional else []
    return cases


# Reported, not ours to fix: wire.decode() catches DecodeError and UnicodeDecodeError but not
# the RecursionError msgspec raises for nesting past its depth limit, so that escapes as a 500.
# Strict: once wire.py turns it into PostDataInvalid, this mark must go.
KNOWN_500: dict[str, str] = {}


def _params() -> Iterator[Any]:
    for route in all_routes():
        if route.method not in ("PUT", "POST"):
            continue
        name = f"{route.method} {route.pattern}"
        target = target_for(route.method, route.pattern)
        if target is None:
            yield pytest.param(route.method, route.pattern, "", id=f"{name} (no target)")
            continue
        for case in cases_for(target):
            marks = (
                [pytest.mark.xfail(strict=True, reason=KNOWN_500[case])]
                if (case in KNOWN_500)
                else []
            )
            yield pytest.param(route.method, route.pattern, case, id=f"{name} {case}", marks=marks)


@pytest.fixture(scope="module")
def made(xero: XeroHttp) -> Made:
    return Made(xero)


def fill(pattern: str, made: Made) -> str:
    parts = []
    for part in pattern.split("/"):
        if part.lower() == "{creditnoteid}" and pattern.lower().endswith("/allocations"):
            part = made.authorised("credit", "credit")  # only approved credit can be allocated
        elif part.startswith("{") and part.endswith("}"):
            part = made.path_value(part[1:-1])
        parts.append(part)
    return "/".join(parts)


def assert_xero_answer(reply: Reply) -> None:
    """Never a 500 or a traceback: the body is JSON in one of Xero's shapes."""
    assert reply.status != 500, reply.text
    assert "Traceback" not in reply.text and 'File "' not in reply.text, reply.text
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.text


def error_messages(body: dict[str, Any]) -> list[str]:
    messages = [str(body.get("Message", ""))]
    for element in body.get("Elements") or []:
        messages += [str(e.get("Message", "")) for e in element.get("ValidationErrors") or []]
    return messages


@pytest.mark.parametrize(("method", "pattern", "case"), list(_params()))
def test_bad_input_gets_xero_shape(
    method: str, pattern: str, case: str, xero: XeroHttp, made: Made
) -> None:
    target = target_for(method, pattern)
    assert target is not None, f"add a bad-input target for {method} {pattern}"
    if pattern.lower() == "/trackingcategories":
        made.room_for_a_category()
    call = build(case, target, made)
    path = fill(pattern, made)
    params = {"summarizeErrors": "true"} if target.key else None
    reply = xero.call(method, path, raw=call.body, params=params)
    assert_xero_answer(reply)
    assert reply.status == call.status, reply.text[:1000]
    body = reply.json
    if call.status == 200:
        assert "NotAXeroField" not in reply.text
        if call.echo:
            key = target.key or next(k for k, v in body.items() if isinstance(v, list))
            node: Any = body[key][0]
            for step in call.echo[0].split("."):
                node = node[int(step) if step.isdigit() else step]
            assert node == call.echo[1]
        cleanup(xero, pattern, body)
        return
    assert (body["ErrorNumber"], body["Type"]) == (call.number, call.kind), body
    if call.kind == "NoDataProcessedException":
        assert body["Message"] == (
            "No data has been processed for this endpoint. This endpoint is expecting "
            f"{call.names} data, specifed in the request body."
        )
    elif call.names:
        assert any(call.names.lower() in m.lower() for m in error_messages(body)), body


def cleanup(xero: XeroHttp, pattern: str, body: dict[str, Any]) -> None:
    """Categories are limited to two active: remove the one a passing case created."""
    if pattern.lower() == "/trackingcategories":
        category = body["TrackingCategories"][0]["TrackingCategoryID"]
        assert xero.delete(f"/TrackingCategories/{category}").status == 200


def test_body_over_the_limit_gets_413_json(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    limit = sandbox.config.max_body_bytes
    padding = "x" * (limit + 1)
    raw = _ENCODE({"Invoices": [{"Type": "ACCREC", "Reference": padding}]})
    reply = xero.call("PUT", "/Invoices", raw=raw)
    assert_xero_answer(reply)
    assert reply.status == 413
    assert reply.json == {
        "ErrorNumber": 413,
        "Type": "RequestEntityTooLarge",
        "Message": f"The request body exceeds the maximum of {limit} bytes.",
    }


def test_ten_thousand_lines_on_one_invoice(xero: XeroHttp) -> None:
    """No documented line limit: Xero takes it, and the total is the exact sum of the lines."""
    lines = [
        {
            "Description": f"Line {i}",
            "Quantity": 1,
            "UnitAmount": 1.30,
            "AccountCode": "200",
            "TaxType": "OUTPUT",
        }
        for i in range(10_000)
    ]
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactNumber": "CUST-001"},
        "Date": "2026-07-15",
        "DueDate": "2026-08-15",
        "LineAmountTypes": "Exclusive",
        "LineItems": lines,
    }
    reply = xero.put("/Invoices", {"Invoices": [invoice]})
    assert_xero_answer(reply)
    assert reply.status == 200, reply.text[:1000]
    saved = reply.json["Invoices"][0]
    assert len(saved["LineItems"]) == 10_000
    assert (saved["SubTotal"], saved["TotalTax"], saved["Total"]) == (13000, 1300, 14300)


def test_ten_thousand_invoices_in_one_batch_each_answered(xero: XeroHttp) -> None:
    """A huge array of elements (1.5 MB, under the size limit) gets an answer per element."""
    good = {
        "Type": "ACCREC",
        "Contact": {"ContactNumber": "CUST-001"},
        "Date": "2026-07-15",
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1}],
    }
    bad = {**good, "LineItems": [{**good["LineItems"][0], "AccountCode": "9999"}]}
    raw = _ENCODE({"Invoices": [good] * 9_999 + [bad]})
    reply = xero.call("PUT", "/Invoices", raw=raw, params={"summarizeErrors": "false"})
    assert_xero_answer(reply)
    assert reply.status == 200, reply.text[:1000]
    statuses = [e["StatusAttributeString"] for e in reply.json["Invoices"]]
    assert (len(statuses), statuses.count("OK"), statuses[-1]) == (10_000, 9_999, "ERROR")
