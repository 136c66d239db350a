"""The contract replay's steps for the documents: invoices and bills, credit notes, payments,
purchase orders, manual journals, and the history and notes of whatever the run made
(``test_openapi_contract.run_replay`` calls them in order)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.openapi_replay import Exchange, Replay, doc_lines, first


def invoices(
    r: Replay, customer: str | None, supplier: str | None, item: str | None
) -> dict[str, Any]:
    who = {"ContactID": customer} if customer else {"ContactNumber": "CUST-001"}
    region = [{"Name": "Region", "Option": "North"}]
    sale = {
        "Type": "ACCREC",
        "Contact": who,
        "Date": r.day(),
        "DueDate": r.day(30),
        "Reference": "Job 4411",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                **doc_lines(("Consulting", "3", "150.00", "200"))[0],
                **({"ItemCode": item} if item else {}),
                "TaxType": "OUTPUT",
                "Tracking": region,
            },
            {**doc_lines(("Travel", "1", "42.50", "200"))[0], "TaxType": "OUTPUT"},
            {**doc_lines(("Materials", "2.5", "19.9500", "200"))[0], "TaxType": "OUTPUT"},
        ],
    }
    draft = {**sale, "Status": "DRAFT", "Reference": "Job 4412", "LineItems": sale["LineItems"][1:]}
    to_void = {**sale, "Reference": "Job 4413", "LineItems": sale["LineItems"][1:2]}
    to_delete = {**draft, "Reference": "Job 4414"}
    bill = {
        "Type": "ACCPAY",
        "Contact": {"ContactID": supplier} if supplier else {"Name": "PowerDirect"},
        "Date": r.day(),
        "DueDate": r.day(14),
        "InvoiceNumber": "SUP-77",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Inclusive",
        "LineItems": doc_lines(("Power, July", "1", "330.00", "445")),
    }
    batch = {"Invoices": [sale, draft, to_void, to_delete, bill]}
    made = r.call("create invoices", "PUT", "/Invoices", batch, params={"unitdp": 4})
    ids = {
        name: first(made, "Invoices", "InvoiceID", i)
        for i, name in enumerate(["sale", "draft", "void", "delete", "bill"])
    }
    number = first(made, "Invoices", "InvoiceNumber")
    bad = {**sale, "LineItems": doc_lines(("Bad code", "1", "10", "9999"))}
    r.call("invoice with bad account", "PUT", "/Invoices", {"Invoices": [bad]}, expect=400)
    r.call(
        "invoices, errors listed",
        "PUT",
        "/Invoices",
        {"Invoices": [bad, to_delete]},
        params={"summarizeErrors": "false"},
    )
    r.call("invoices", "GET", "/Invoices")
    r.call("invoices page", "GET", "/Invoices", params={"page": 1, "pageSize": 2})
    r.call("invoices by status", "GET", "/Invoices", params={"Statuses": "AUTHORISED,DRAFT"})
    where = {"where": 'Type=="ACCREC" AND Status=="AUTHORISED"', "order": "Date DESC"}
    r.call("invoices where", "GET", "/Invoices", params=where)
    r.call("invoice summaries", "GET", "/Invoices", params={"summaryOnly": "true"})
    r.call("my invoices", "GET", "/Invoices", params={"createdByMyApp": "true"})
    r.call(
        "invoices since", "GET", "/Invoices", headers={"If-Modified-Since": "2025-01-01T00:00:00Z"}
    )
    if customer:
        r.call("invoices by contact", "GET", "/Invoices", params={"ContactIDs": customer})
    if ids["sale"] and ids["draft"]:
        pair = f"{ids['sale']},{ids['draft']}"
        r.call("invoices by id", "GET", "/Invoices", params={"IDs": pair})
        r.call("invoice", "GET", f"/Invoices/{ids['sale']}", params={"unitdp": 4})
    if number:
        r.call("invoices by number", "GET", "/Invoices", params={"InvoiceNumbers": number})
        r.call("invoice by number", "GET", f"/Invoices/{number}")
    r.call("missing invoice", "GET", "/Invoices/8f2a4c44-1b1e-4f57-9d55-111111111111", expect=404)
    if ids["draft"]:
        change = {"Invoices": [{"Reference": "Job 4412 rev B"}]}
        r.call("update invoice", "POST", f"/Invoices/{ids['draft']}", change)
        approve = {"Invoices": [{"InvoiceID": ids["draft"], "Status": "AUTHORISED"}]}
        r.call("approve invoice", "POST", "/Invoices", approve)
    if ids["void"]:
        r.call(
            "void invoice", "POST", f"/Invoices/{ids['void']}", {"Invoices": [{"Status": "VOIDED"}]}
        )
    if ids["delete"]:
        r.call(
            "delete draft",
            "POST",
            f"/Invoices/{ids['delete']}",
            {"Invoices": [{"Status": "DELETED"}]},
        )
    return ids


def credit_notes(r: Replay, sale: str | None, customer: str | None) -> None:
    note = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": customer} if customer else {"ContactNumber": "CUST-001"},
        "Date": r.day(),
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [{**doc_lines(("Goodwill", "1", "50.00", "200"))[0], "TaxType": "OUTPUT"}],
    }
    draft = {**note, "Status": "DRAFT", "Reference": "CN draft"}
    made = r.call("create credit notes", "PUT", "/CreditNotes", {"CreditNotes": [note, draft]})
    cn = first(made, "CreditNotes", "CreditNoteID")
    cn_draft = first(made, "CreditNotes", "CreditNoteID", 1)
    r.call("credit notes", "GET", "/CreditNotes")
    r.call("credit notes page", "GET", "/CreditNotes", params={"page": 1, "pageSize": 5})
    r.call("credit notes where", "GET", "/CreditNotes", params={"where": 'Status=="AUTHORISED"'})
    if cn:
        r.call("credit note", "GET", f"/CreditNotes/{cn}")
    if cn_draft:
        change = {"CreditNotes": [{"Reference": "CN draft rev B"}]}
        r.call("update credit note", "POST", f"/CreditNotes/{cn_draft}", change)
        approve = {"CreditNotes": [{"CreditNoteID": cn_draft, "Status": "AUTHORISED"}]}
        r.call("approve credit note", "POST", "/CreditNotes", approve)
    if cn and sale:
        share = {"Invoice": {"InvoiceID": sale}, "Amount": 20.0, "Date": r.day()}
        made = r.call(
            "allocate credit", "PUT", f"/CreditNotes/{cn}/Allocations", {"Allocations": [share]}
        )
        allocation = first(made, "Allocations", "AllocationID")
        too_much = {**share, "Amount": 5000.0}
        r.call(
            "allocate too much",
            "PUT",
            f"/CreditNotes/{cn}/Allocations",
            {"Allocations": [too_much]},
            expect=400,
        )
        if allocation:
            r.call("remove allocation", "DELETE", f"/CreditNotes/{cn}/Allocations/{allocation}")


def payments(r: Replay, sale: str | None, bill: str | None) -> None:
    if sale:
        pay = {
            "Invoice": {"InvoiceID": sale},
            "Account": {"Code": "090"},
            "Date": r.day(),
            "Amount": 100.0,
            "Reference": "EFT 123",
        }
        made = r.call("pay invoice", "PUT", "/Payments", {"Payments": [pay]})
        payment = first(made, "Payments", "PaymentID")
        over = {**pay, "Amount": 99999.0}
        r.call("overpay invoice", "PUT", "/Payments", {"Payments": [over]}, expect=400)
        if payment:
            r.call("payment", "GET", f"/Payments/{payment}")
            r.call("delete payment", "POST", f"/Payments/{payment}", {"Status": "DELETED"})
    if bill:
        single = {
            "Invoice": {"InvoiceID": bill},
            "Account": {"Code": "090"},
            "Date": r.day(),
            "Amount": 10.0,
        }
        r.call("pay bill", "POST", "/Payments", single)
    r.call("payments", "GET", "/Payments")
    r.call("payments where", "GET", "/Payments", params={"where": 'Status=="AUTHORISED"'})
    r.call("payments page", "GET", "/Payments", params={"page": 1, "pageSize": 10})


def purchase_orders(r: Replay, supplier: str | None) -> None:
    order = {
        "Contact": {"ContactID": supplier} if supplier else {"ContactNumber": "SUPP-001"},
        "Date": r.day(),
        "DeliveryDate": r.day(7),
        "Reference": "Replay paper",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "LineItems": [{**doc_lines(("A4 paper", "10", "4.50", "453"))[0], "TaxType": "INPUT"}],
    }
    draft = {**order, "Status": "DRAFT", "Reference": "Replay toner"}
    made = r.call("create orders", "PUT", "/PurchaseOrders", {"PurchaseOrders": [order, draft]})
    po = first(made, "PurchaseOrders", "PurchaseOrderID")
    po_draft = first(made, "PurchaseOrders", "PurchaseOrderID", 1)
    number = first(made, "PurchaseOrders", "PurchaseOrderNumber")
    r.call("orders", "GET", "/PurchaseOrders")
    r.call("authorised orders", "GET", "/PurchaseOrders", params={"Status": "AUTHORISED"})
    window = {"DateFrom": r.day(-1), "DateTo": r.day(1), "order": "Date DESC"}
    r.call("orders by date", "GET", "/PurchaseOrders", params=window)
    r.call("orders page", "GET", "/PurchaseOrders", params={"page": 1, "pageSize": 10})
    if po:
        r.call("order", "GET", f"/PurchaseOrders/{po}")
        sent = {"PurchaseOrders": [{"PurchaseOrderID": po, "SentToContact": True}]}
        r.call("mark order sent", "POST", "/PurchaseOrders", sent)
    if number:
        r.call("order by number", "GET", f"/PurchaseOrders/{number}")
    if po_draft:
        change = {"PurchaseOrders": [{"DeliveryInstructions": "Leave at reception"}]}
        r.call("update order", "POST", f"/PurchaseOrders/{po_draft}", change)


def manual_journals(r: Replay) -> None:
    def journal(narration: str, status: str, credit: float = -1200.0) -> dict[str, Any]:
        return {
            "Narration": narration,
            "Date": r.day(),
            "Status": status,
            "LineAmountTypes": "NoTax",
            "JournalLines": [
                {"LineAmount": 1200.0, "AccountCode": "469", "Description": "Rent accrual"},
                {"LineAmount": credit, "AccountCode": "850", "Description": "Rent accrual"},
            ],
        }

    posted, draft = journal("July rent accrual", "POSTED"), journal("Draft accrual", "DRAFT")
    made = r.call("create journals", "PUT", "/ManualJournals", {"ManualJournals": [posted, draft]})
    mj = first(made, "ManualJournals", "ManualJournalID")
    mj_draft = first(made, "ManualJournals", "ManualJournalID", 1)
    r.call(
        "unbalanced journal",
        "PUT",
        "/ManualJournals",
        {"ManualJournals": [journal("Unbalanced", "POSTED", -1000.0)]},
        expect=400,
    )
    r.call("journals", "GET", "/ManualJournals")
    r.call("journals where", "GET", "/ManualJournals", params={"where": 'Status=="POSTED"'})
    r.call("journals page", "GET", "/ManualJournals", params={"page": 1, "pageSize": 10})
    if mj:
        r.call("journal", "GET", f"/ManualJournals/{mj}")
    if mj_draft:
        change = {"ManualJournals": [journal("Draft accrual (rev B)", "DRAFT")]}
        r.call("update journal", "POST", f"/ManualJournals/{mj_draft}", change)
    r.call(
        "journal by POST",
        "POST",
        "/ManualJournals",
        {"ManualJournals": [journal("Posted by POST", "POSTED")]},
    )


HISTORY_PARENTS = (
    "Invoices",
    "CreditNotes",
    "Contacts",
    "Items",
    "Payments",
    "PurchaseOrders",
    "ManualJournals",
    "BankTransactions",
    "BankTransfers",
    "Overpayments",
    "Prepayments",
    "Quotes",
    "RepeatingInvoices",
)


def history(r: Replay, exchanges: list[Exchange]) -> None:
    """History and notes, for whichever resources the sandbox keeps them."""
    for parent in HISTORY_PARENTS:
        ids = [
            e.path.rsplit("/", 1)[1]
            for e in exchanges
            if e.method == "GET"
            and e.status == 200
            and e.path.lower().startswith(f"/api.xro/2.0/{parent.lower()}/")
            and e.path.count("/") == 4
            and len(e.path.rsplit("/", 1)[1]) == 36
        ]
        if not ids or r.router.match("GET", f"/{parent}/{ids[0]}/History")[0] is None:
            continue
        path = f"/{parent}/{ids[0]}/History"
        r.call(f"{parent} history", "GET", path)
        note = {"HistoryRecords": [{"Details": "Checked by the replay"}]}
        r.call(f"{parent} note", "PUT", path, note)
