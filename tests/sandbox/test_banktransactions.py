"""Bank transactions over HTTP: spend and receive money, their rules, deleting, reconciled ones."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def bank_tx(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "SPEND",
        "Contact": {"Name": "Office Supplies Co"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-03-02",
        "LineItems": [
            {"Description": "Paper", "Quantity": 2, "UnitAmount": "50", "AccountCode": "429"}
        ],
    }
    body.update(fields)
    return body


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def made(xero: XeroHttp, **fields: Any) -> dict[str, Any]:
    return xero.made("BankTransactions", bank_tx(**fields))


def test_spend_money_is_priced_like_an_invoice(xero: XeroHttp) -> None:
    spend = made(xero, Reference="Stationery")
    assert spend["Type"] == "SPEND"
    assert spend["Status"] == "AUTHORISED"
    assert (spend["SubTotal"], spend["TotalTax"], spend["Total"]) == (D("100"), D("10"), D("110"))
    assert spend["LineAmountTypes"] == "Exclusive"
    assert spend["BankAccount"]["Code"] == "090"
    assert spend["CurrencyCode"] == "AUD"
    assert spend["IsReconciled"] is False
    assert spend["Reference"] == "Stationery"
    assert spend["HasAttachments"] is False
    assert spend["Contact"]["Name"] == "Office Supplies Co"
    line = spend["LineItems"][0]
    assert (line["AccountCode"], line["TaxType"], line["TaxAmount"]) == ("429", "INPUT", D("10"))


def test_store_payout_recorded_as_receive_money(xero: XeroHttp) -> None:
    """A store's card payout: sales received into the bank, less the processor's fee."""
    lines = [
        {"Description": "Store sales 1-7 March", "LineAmount": "1100", "AccountCode": "200"},
        {"Description": "Processor fee", "LineAmount": "-22", "AccountCode": "404"},
    ]
    payout = made(
        xero,
        Type="RECEIVE",
        Contact={"Name": "Card Processor"},
        LineAmountTypes="Inclusive",
        LineItems=lines,
        Reference="Payout 0042",
        Url="https://shop.example.com/payouts/42",
    )
    assert payout["Total"] == D("1078.00")
    assert payout["TotalTax"] == D("100.00")
    assert payout["Url"] == "https://shop.example.com/payouts/42"
    listed = xero.get("/BankTransactions", params={"where": 'Type=="RECEIVE"'}).json
    assert [t["Reference"] for t in listed["BankTransactions"]] == ["Payout 0042"]
    assert len(listed["BankTransactions"][0]["LineItems"]) == 2
    paged = xero.get("/BankTransactions", params={"page": 1}).json
    assert paged["pagination"]["itemCount"] == 1
    assert len(paged["BankTransactions"][0]["LineItems"]) == 2


def test_required_elements(xero: XeroHttp) -> None:
    body = bank_tx()
    for name in ("Contact", "BankAccount", "LineItems", "Type"):
        body.pop(name)
    assert messages(xero.put("/BankTransactions", body)) == [
        "Bank Transaction Type must be specified."
    ]
    body["Type"] = "SPEND"
    assert messages(xero.put("/BankTransactions", body)) == [
        "A BankAccount with an AccountID or a Code is required.",
        "The Contact must contain at least 1 of the following elements to identify the "
        "contact: Name, ContactID, ContactNumber",
        "A Bank Transaction must have at least one line item.",
    ]


def test_bank_account_must_be_a_bank_account(xero: XeroHttp) -> None:
    assert messages(xero.put("/BankTransactions", bank_tx(BankAccount={"Code": "200"}))) == [
        "Account code '200' is not a bank account."
    ]
    assert messages(xero.put("/BankTransactions", bank_tx(BankAccount={"Code": "999"}))) == [
        "The BankAccount '999' could not be found."
    ]
    accounts = xero.get("/Accounts", params={"where": 'Code=="091"'}).json["Accounts"]
    by_id = made(xero, BankAccount={"AccountID": accounts[0]["AccountID"]})
    assert by_id["BankAccount"]["Code"] == "091"


def test_line_rules_come_from_invoices(xero: XeroHttp) -> None:
    lines = [{"Description": "x", "Quantity": 1, "UnitAmount": "5", "AccountCode": "090"}]
    assert messages(xero.put("/BankTransactions", bank_tx(LineItems=lines))) == [
        "Account code '090' is not a valid code for this document."
    ]
    lines = [{"Description": "x", "Quantity": 1, "UnitAmount": "5"}]
    assert messages(xero.put("/BankTransactions", bank_tx(LineItems=lines))) == [
        "Account code must be specified on every line item."
    ]
    lines = [{"Description": "x", "UnitAmount": "5", "AccountCode": "429", "TaxType": "NOPE"}]
    assert messages(xero.put("/BankTransactions", bank_tx(LineItems=lines))) == [
        "The TaxType code 'NOPE' does not exist or cannot be used for this type of transaction."
    ]
    lines = [{"Description": "x", "LineAmount": "-5", "AccountCode": "429"}]
    assert messages(xero.put("/BankTransactions", bank_tx(LineItems=lines))) == [
        "Bank Transaction total cannot be negative."
    ]


def test_transfer_types_and_unknown_types_are_refused(xero: XeroHttp) -> None:
    assert messages(xero.put("/BankTransactions", bank_tx(Type="SPEND-TRANSFER"))) == [
        "Bank transactions of type SPEND-TRANSFER can only be created by a bank transfer."
    ]
    reply = xero.put("/BankTransactions", bank_tx(Type="GIFT"))
    assert reply.status == 400
    assert reply.json["Type"] == "PostDataInvalidException"
    assert "'BankTransactionType'" in reply.json["Message"]


def test_status_and_currency_rules(xero: XeroHttp) -> None:
    assert messages(xero.put("/BankTransactions", bank_tx(Status="DELETED"))) == [
        "Bank Transaction not of valid status for creation"
    ]
    assert messages(xero.put("/BankTransactions", bank_tx(CurrencyCode="USD"))) == [
        "The currency USD does not match the currency of the bank account (AUD)."
    ]


def test_reference_kept_except_on_prepayments(xero: XeroHttp) -> None:
    over = made(xero, Type="RECEIVE-OVERPAYMENT", Reference="Tip", Contact={"Name": "Jo"})
    assert over["Reference"] == "Tip"
    prepay = made(xero, Type="RECEIVE-PREPAYMENT", Reference="Deposit", Contact={"Name": "Jo"})
    assert "Reference" not in prepay


def test_update_and_delete(xero: XeroHttp) -> None:
    spend = made(xero)
    tx_id = spend["BankTransactionID"]
    change = {"Reference": "Changed", "LineItems": [{"LineAmount": "20", "AccountCode": "429"}]}
    reply = xero.post(f"/BankTransactions/{tx_id}", {"BankTransactions": [change]})
    assert reply.status == 200, reply.text
    assert reply.json["BankTransactions"][0]["Total"] == D("22.00")
    gone = xero.post("/BankTransactions", {"BankTransactionID": tx_id, "Status": "DELETED"})
    assert gone.json["BankTransactions"][0]["Status"] == "DELETED"
    again = xero.post(f"/BankTransactions/{tx_id}", {"Reference": "x"})
    assert messages(again) == ["Bank Transaction not of valid status for modification"]
    unknown = xero.post("/BankTransactions", {"BankTransactionID": "0" * 32, **bank_tx()})
    assert messages(unknown) == [f"Bank Transaction with ID '{'0' * 32}' could not be found."]
    assert xero.get("/BankTransactions/00000000-0000-0000-0000-000000000000").status == 404


def test_reconciled_transaction_cannot_be_changed_or_deleted(xero: XeroHttp) -> None:
    spend = made(xero, IsReconciled=True)
    tx_id = spend["BankTransactionID"]
    assert spend["IsReconciled"] is True
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Reference": "x"})) == [
        "This bank transaction has been reconciled and cannot be edited"
    ]
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Status": "DELETED"})) == [
        "This bank transaction has been reconciled and cannot be deleted"
    ]
    unreconciled = xero.post(f"/BankTransactions/{tx_id}", {"IsReconciled": False})
    assert unreconciled.json["BankTransactions"][0]["IsReconciled"] is False


def test_summarize_errors_false_reports_each_element(xero: XeroHttp) -> None:
    batch = {"BankTransactions": [bank_tx(), bank_tx(BankAccount={"Code": "200"})]}
    reply = xero.put("/BankTransactions", batch, params={"summarizeErrors": "false"})
    assert reply.status == 200
    first, second = reply.json["BankTransactions"]
    assert first["StatusAttributeString"] == "OK"
    assert second["StatusAttributeString"] == "ERROR"
    assert second["ValidationErrors"] == [{"Message": "Account code '200' is not a bank account."}]


def test_if_modified_since_order_and_unitdp(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    lines = [{"Description": "Bolt", "Quantity": 3, "UnitAmount": "1.2345", "AccountCode": "429"}]
    first = made(xero, LineItems=lines)
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    second = made(xero, Date="2026-03-01")
    newer = xero.get("/BankTransactions", headers={"If-Modified-Since": since}).json
    assert [t["BankTransactionID"] for t in newer["BankTransactions"]] == [
        second["BankTransactionID"]
    ]
    ordered = xero.get("/BankTransactions", params={"order": "Date"}).json["BankTransactions"]
    assert [t["BankTransactionID"] for t in ordered] == [
        second["BankTransactionID"],
        first["BankTransactionID"],
    ]
    path = f"/BankTransactions/{first['BankTransactionID']}"
    assert xero.get(path).json["BankTransactions"][0]["LineItems"][0]["UnitAmount"] == D("1.23")
    four = xero.get(path, params={"unitdp": 4}).json["BankTransactions"][0]
    assert four["LineItems"][0]["UnitAmount"] == D("1.23")  # stored at 2 dp: sent without unitdp
    made4 = xero.put("/BankTransactions", bank_tx(LineItems=lines), params={"unitdp": 4}).json[
        "BankTransactions"
    ][0]
    assert made4["LineItems"][0]["UnitAmount"] == D("1.2345")


def test_accounts_used_by_bank_transactions_cannot_be_deleted(xero: XeroHttp) -> None:
    expense = {"Code": "4790", "Name": "Bank Spend Expense", "Type": "EXPENSE"}
    bank = {"Code": "0950", "Name": "Bank Spend Account", "Type": "BANK", "BankAccountNumber": "1"}
    expense_id = xero.put("/Accounts", expense).json["Accounts"][0]["AccountID"]
    bank_id = xero.put("/Accounts", bank).json["Accounts"][0]["AccountID"]
    lines = [{"Description": "x", "LineAmount": "5", "AccountCode": "4790"}]
    made(xero, BankAccount={"Code": "0950"}, LineItems=lines)
    for account_id in (expense_id, bank_id):
        reply = xero.delete(f"/Accounts/{account_id}")
        assert reply.status == 400, reply.text
        assert reply.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
            "This account has been used and cannot be deleted. Archive the account instead."
        )
