"""What each write endpoint of the sandbox is given in the bad-input test (``test_bad_input``):
the record a path names (``PATH_RECORDS``, made on demand by ``Made``), and each route's
``Target``: its reply key, a good element to spoil, and the fields to spoil in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Reply, XeroHttp


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
