"""The ledger posters of bank transactions, transfers and prepayments, called directly."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.test_credits import allocation, invoice
from xero_sandbox.ledger import SOURCES, Posting
from xero_sandbox.state import Org


def _org(sandbox: RunningSandbox) -> Org:
    org = sandbox.state.org_by_key(DEMO_TENANT)
    assert org is not None
    return org


def _postings(sandbox: RunningSandbox, collection: str, record_id: str) -> list[Posting]:
    org = _org(sandbox)
    source = SOURCES[collection]
    record = getattr(org, collection)[record_id]
    postings = source.poster(org, record)
    for posting in postings:
        assert sum((line.gross for line in posting.lines), D(0)) == 0, posting
    return postings


def _by_code(sandbox: RunningSandbox, posting: Posting) -> dict[str, tuple[D, D]]:
    codes = {a["AccountID"]: a["Code"] for a in _org(sandbox).accounts.values()}
    found: dict[str, tuple[D, D]] = {}
    for line in posting.lines:
        net, tax = found.get(codes[line.account_id], (D(0), D(0)))
        found[codes[line.account_id]] = (net + line.net, tax + line.tax)
    return found


def _bank(xero: XeroHttp, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "SPEND",
        "Contact": {"Name": "Bayside Club"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-06-01",
        "LineItems": [{"Description": "Paper", "LineAmount": "100", "AccountCode": "429"}],
    }
    body.update(fields)
    return xero.made("BankTransactions", body)


def test_spend_posts_cashpaid_and_deleted_posts_nothing(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    spend = _bank(xero)
    [posting] = _postings(sandbox, "bank_transactions", spend["BankTransactionID"])
    assert posting.source_type == "CASHPAID"
    assert _by_code(sandbox, posting) == {"090": (D("-110"), D(0)), "429": (D("100"), D("10"))}
    xero.post(f"/BankTransactions/{spend['BankTransactionID']}", {"Status": "DELETED"})
    assert _postings(sandbox, "bank_transactions", spend["BankTransactionID"]) == []


def test_receive_posts_cashrec(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    lines = [
        {"Description": "Sales", "LineAmount": "1100", "AccountCode": "200"},
        {"Description": "Fee", "LineAmount": "-22", "AccountCode": "404"},
    ]
    payout = _bank(xero, Type="RECEIVE", LineItems=lines, LineAmountTypes="Inclusive")
    [posting] = _postings(sandbox, "bank_transactions", payout["BankTransactionID"])
    assert posting.source_type == "CASHREC"
    assert _by_code(sandbox, posting) == {
        "090": (D("1078"), D(0)),
        "200": (D("-1000"), D("-100")),
        "404": (D("22"), D(0)),
    }


def test_transfer_posts_transfer_and_its_sides_nothing(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    body = {"FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"}, "Amount": 75}
    made = xero.put("/BankTransfers", body).json["BankTransfers"][0]
    [posting] = _postings(sandbox, "bank_transfers", made["BankTransferID"])
    assert posting.source_type == "TRANSFER"
    assert _by_code(sandbox, posting) == {"091": (D("75"), D(0)), "090": (D("-75"), D(0))}
    assert _postings(sandbox, "bank_transactions", made["FromBankTransactionID"]) == []
    assert _postings(sandbox, "bank_transactions", made["ToBankTransactionID"]) == []


def test_overpayment_posts_bank_against_receivables(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    tip = _bank(xero, Type="RECEIVE-OVERPAYMENT")
    [posting] = _postings(sandbox, "bank_transactions", tip["BankTransactionID"])
    assert posting.source_type == "AROVERPAYMENT"
    assert _by_code(sandbox, posting) == {"090": (D("100"), D(0)), "610": (D("-100"), D(0))}
    supplier = _bank(xero, Type="SPEND-OVERPAYMENT")
    [spent] = _postings(sandbox, "bank_transactions", supplier["BankTransactionID"])
    assert spent.source_type == "APOVERPAYMENT"
    assert _by_code(sandbox, spent) == {"090": (D("-100"), D(0)), "800": (D("100"), D(0))}


def test_prepayment_receipt_and_its_allocation(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    deposit = _bank(
        xero,
        Type="RECEIVE-PREPAYMENT",
        LineItems=[{"Description": "Deposit", "LineAmount": "300", "AccountCode": "200"}],
    )
    [receipt] = _postings(sandbox, "bank_transactions", deposit["BankTransactionID"])
    assert receipt.source_type == "ARPREPAYMENT"
    assert _by_code(sandbox, receipt) == {"090": (D("330"), D(0)), "200": (D("-300"), D("-30"))}
    prepayment_id = deposit["PrepaymentID"]
    assert _postings(sandbox, "prepayments", prepayment_id) == []
    sale = invoice(
        xero, "500", Date="2026-06-01", DueDate="2026-07-01", LineAmountTypes="Exclusive"
    )
    use = allocation(sale["InvoiceID"], 110, "2026-06-15")
    reply = xero.put(f"/Prepayments/{prepayment_id}/Allocations", use)
    assert reply.status == 200, reply.text
    [used] = _postings(sandbox, "prepayments", prepayment_id)
    assert used.source_type == "ARPREPAYMENT"
    assert str(used.journal_date) == "2026-06-15"
    assert _by_code(sandbox, used) == {"200": (D("100"), D("10")), "610": (D("-110"), D(0))}


def test_prepayment_refund_moves_its_share_off_the_lines(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    lines = [{"Description": "Deposit", "LineAmount": "200", "AccountCode": "429"}]
    deposit = _bank(xero, Type="SPEND-PREPAYMENT", LineItems=lines)
    [paid] = _postings(sandbox, "bank_transactions", deposit["BankTransactionID"])
    assert paid.source_type == "APPREPAYMENT"
    assert _by_code(sandbox, paid) == {"090": (D("-220"), D(0)), "429": (D("200"), D("20"))}
    refund = {
        "Prepayment": {"PrepaymentID": deposit["PrepaymentID"]},
        "Account": {"Code": "090"},
        "Date": "2026-06-20",
        "Amount": "55",
    }
    assert xero.put("/Payments", refund).status == 200
    [back] = _postings(sandbox, "prepayments", deposit["PrepaymentID"])
    assert back.part.startswith("refund:")
    assert _by_code(sandbox, back) == {"429": (D("-50"), D("-5")), "800": (D("55"), D(0))}
