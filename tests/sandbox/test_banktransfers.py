"""Bank transfers over HTTP: the two bank transactions they make, their rules, deleting them."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import XeroHttp


def transfer(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "FromBankAccount": {"Code": "090"},
        "ToBankAccount": {"Code": "091"},
        "Amount": "250.00",
        "Date": "2026-04-01",
        "Reference": "To savings",
    }
    body.update(fields)
    return body


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def test_transfer_makes_spend_and_receive_transactions(xero: XeroHttp) -> None:
    reply = xero.put("/BankTransfers", {"BankTransfers": [transfer(FromIsReconciled=True)]})
    assert reply.status == 200, reply.text
    made = reply.json["BankTransfers"][0]
    assert made["Status"] == "AUTHORISED"
    assert made["Amount"] == D("250.00")
    assert made["CurrencyRate"] == D("1")
    assert (made["FromIsReconciled"], made["ToIsReconciled"]) == (True, False)
    assert made["HasAttachments"] is False
    assert made["FromBankAccount"]["Code"] == "090"
    spend = xero.get(f"/BankTransactions/{made['FromBankTransactionID']}").json
    receive = xero.get(f"/BankTransactions/{made['ToBankTransactionID']}").json
    out, into = spend["BankTransactions"][0], receive["BankTransactions"][0]
    assert (out["Type"], out["BankAccount"]["Code"], out["Total"]) == (
        "SPEND-TRANSFER",
        "090",
        D("250.00"),
    )
    assert (into["Type"], into["BankAccount"]["Code"], into["Total"]) == (
        "RECEIVE-TRANSFER",
        "091",
        D("250.00"),
    )
    assert out["IsReconciled"] is True
    listed = xero.get("/BankTransfers").json["BankTransfers"]
    assert [t["BankTransferID"] for t in listed] == [made["BankTransferID"]]
    one = xero.get(f"/BankTransfers/{made['BankTransferID']}").json["BankTransfers"][0]
    assert one["Reference"] == "To savings"


def test_transfer_sides_cannot_be_edited_as_bank_transactions(xero: XeroHttp) -> None:
    made = xero.put("/BankTransfers", transfer()).json["BankTransfers"][0]
    side = made["FromBankTransactionID"]
    assert messages(xero.post(f"/BankTransactions/{side}", {"Reference": "x"})) == [
        "A bank transaction created by a bank transfer can only be changed through it."
    ]


def test_transfer_rules(xero: XeroHttp) -> None:
    same = transfer(ToBankAccount={"Code": "090"})
    assert messages(xero.put("/BankTransfers", same)) == [
        "The From and To bank accounts must be different."
    ]
    not_bank = transfer(ToBankAccount={"Code": "200"})
    assert messages(xero.put("/BankTransfers", not_bank)) == [
        "Account code '200' is not a bank account."
    ]
    missing = transfer()
    missing.pop("FromBankAccount")
    missing.pop("Amount")
    assert messages(xero.put("/BankTransfers", missing)) == [
        "A FromBankAccount with an AccountID or a Code is required.",
        "Amount must be specified.",
    ]
    assert messages(xero.put("/BankTransfers", transfer(Amount=0))) == [
        "Amount must be greater than zero."
    ]


def add_usd_bank_account(xero: XeroHttp) -> None:
    """A US dollar bank account, code 095."""
    account = {
        "Code": "095",
        "Name": "USD Account",
        "Type": "BANK",
        "BankAccountNumber": "111-222",
        "CurrencyCode": "USD",
    }
    assert xero.put("/Accounts", account).status == 200


def test_foreign_currency_transfer_uses_the_rate(xero: XeroHttp) -> None:
    add_usd_bank_account(xero)
    out = xero.put("/BankTransfers", transfer(ToBankAccount={"Code": "095"}, CurrencyRate="0.65"))
    made = out.json["BankTransfers"][0]
    assert made["CurrencyRate"] == D("0.65")
    into = xero.get(f"/BankTransactions/{made['ToBankTransactionID']}").json["BankTransactions"]
    assert (into[0]["CurrencyCode"], into[0]["Total"]) == ("USD", D("162.50"))


def test_delete_transfer_and_its_transactions(xero: XeroHttp) -> None:
    made = xero.put("/BankTransfers", transfer()).json["BankTransfers"][0]
    transfer_id = made["BankTransferID"]
    reply = xero.post(f"/BankTransfers/{transfer_id}", {"Status": "DELETED"})
    assert reply.status == 200, reply.text
    assert reply.json["BankTransfers"][0]["Status"] == "DELETED"
    side = xero.get(f"/BankTransactions/{made['ToBankTransactionID']}").json
    assert side["BankTransactions"][0]["Status"] == "DELETED"
    assert xero.get("/BankTransfers").json["BankTransfers"] == []
    shown = xero.get("/BankTransfers", params={"includeDeleted": "true"}).json["BankTransfers"]
    assert [t["Status"] for t in shown] == ["DELETED"]
    again = xero.post(
        "/BankTransfers", {"BankTransfers": [{"BankTransferID": transfer_id, "Status": "DELETED"}]}
    )
    assert messages(again) == ["This bank transfer has already been deleted."]


def test_reconciled_transfer_cannot_be_deleted(xero: XeroHttp) -> None:
    made = xero.put("/BankTransfers", transfer(ToIsReconciled=True)).json["BankTransfers"][0]
    reply = xero.post(
        "/BankTransfers",
        {"BankTransfers": [{"BankTransferID": made["BankTransferID"], "Status": "DELETED"}]},
    )
    assert messages(reply) == ["This bank transfer has been reconciled and cannot be deleted"]
    assert xero.get("/BankTransfers/00000000-0000-0000-0000-000000000000").status == 404


def test_transfer_tracking_per_account(xero: XeroHttp) -> None:
    tracked = transfer(
        FromTracking=[{"Name": "Region", "Option": "North"}],
        ToTracking=[{"Name": "Region", "Option": "South"}],
    )
    made = xero.put("/BankTransfers", tracked).json["BankTransfers"][0]
    assert made["FromTracking"][0]["Option"] == "North"
    assert made["ToTracking"][0]["Option"] == "South"
    wrong = transfer(FromTracking=[{"Name": "Region", "Option": "Mars"}])
    assert messages(xero.put("/BankTransfers", wrong)) == [
        "The tracking option 'Mars' does not exist or is not active in the tracking category "
        "'Region'."
    ]
