from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _journal(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Narration": "Accrual",
        "Date": "2026-01-31",
        "JournalLines": [
            {"LineAmount": 100, "AccountCode": "429", "Description": "Expense"},
            {"LineAmount": -100, "AccountCode": "880"},
        ],
    }
    body.update(extra)
    return body


def test_create_draft_and_posted(xero: XeroHttp) -> None:
    reply = xero.put("/ManualJournals", {"ManualJournals": [_journal()]})
    assert reply.status == 200
    journal = reply.json["ManualJournals"][0]
    assert journal["Status"] == "DRAFT"
    assert journal["LineAmountTypes"] == "NoTax"
    assert journal["ShowOnCashBasisReports"] is True
    assert journal["JournalLines"][0]["LineAmount"] == Decimal("100.00")
    assert journal["JournalLines"][1]["AccountCode"] == "880"
    posted = xero.put("/ManualJournals", _journal(Status="POSTED"))
    assert posted.json["ManualJournals"][0]["Status"] == "POSTED"


def test_debits_must_equal_credits(xero: XeroHttp) -> None:
    lines = [{"LineAmount": 100, "AccountCode": "429"}, {"LineAmount": "-10", "AccountCode": "880"}]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines))
    assert reply.status == 400
    assert reply.json["Message"] == "A validation exception occurred"
    assert _messages(reply) == ["The total debits (100.00) must equal total credits (-10.00)"]


def test_narration_and_two_lines_required(xero: XeroHttp) -> None:
    reply = xero.put(
        "/ManualJournals",
        {"Narration": " ", "JournalLines": [{"LineAmount": 0, "AccountCode": "429"}]},
    )
    assert _messages(reply) == [
        "Narration must be specified.",
        "A manual journal must have at least two journal lines.",
    ]


def test_unknown_account_is_removed_with_warning(xero: XeroHttp) -> None:
    lines = [{"LineAmount": 100, "AccountCode": "476"}, {"LineAmount": -100, "AccountCode": "880"}]
    reply = xero.put(
        "/ManualJournals", _journal(JournalLines=lines), params={"summarizeErrors": "false"}
    )
    assert reply.status == 200
    journal = reply.json["ManualJournals"][0]
    assert journal["StatusAttributeString"] == "WARNING"
    assert journal["Warnings"] == [
        {
            "Message": "Account code ''476'' has been removed as it does not match a "
            "recognised account."
        }
    ]
    assert "AccountCode" not in journal["JournalLines"][0]
    posted = xero.put("/ManualJournals", _journal(JournalLines=lines, Status="POSTED"))
    assert posted.status == 400
    element = posted.json["Elements"][0]
    assert [m["Message"] for m in element["ValidationErrors"]] == [
        "Account code must be specified on every line item."
    ]
    assert element["Warnings"][0]["Message"].startswith("Account code ''476'' has been removed")


def test_bank_and_system_accounts_refused(xero: XeroHttp) -> None:
    lines = [{"LineAmount": 100, "AccountCode": "090"}, {"LineAmount": -100, "AccountCode": "610"}]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines))
    assert _messages(reply) == [
        "Account code '090' is not a valid code for this document.",
        "Account code '610' is not a valid code for this document.",
    ]


def test_exclusive_tax_counts_in_balance(xero: XeroHttp) -> None:
    lines = [
        {"LineAmount": 100, "AccountCode": "429", "TaxType": "INPUT"},
        {"LineAmount": -110, "AccountCode": "880"},
    ]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines, LineAmountTypes="Exclusive"))
    assert reply.status == 200, reply.text
    assert reply.json["ManualJournals"][0]["JournalLines"][0]["TaxAmount"] == Decimal("10.00")


def test_status_changes(xero: XeroHttp) -> None:
    draft = xero.put("/ManualJournals", _journal()).json["ManualJournals"][0]
    path = f"/ManualJournals/{draft['ManualJournalID']}"
    voided = xero.post(path, {"Status": "VOIDED"})
    assert _messages(voided) == [
        "The manual journal status cannot be changed from DRAFT to VOIDED."
    ]
    assert xero.post(path, {"Status": "POSTED"}).json["ManualJournals"][0]["Status"] == "POSTED"
    deleted = xero.post(path, {"Status": "DELETED"})
    assert _messages(deleted) == [
        "The manual journal status cannot be changed from POSTED to DELETED."
    ]
    assert xero.post(path, {"Status": "VOIDED"}).json["ManualJournals"][0]["Status"] == "VOIDED"
    again = xero.post(path, {"Narration": "x"})
    assert _messages(again) == ["A manual journal with a status of VOIDED cannot be modified."]


def test_lock_date_applies_to_posting(xero: XeroHttp) -> None:
    locked = xero.put("/ManualJournals", _journal(Date="2025-06-30", Status="POSTED"))
    assert locked.status == 400
    assert _messages(locked) == [
        "The document date cannot be before the period lock date of 30 Jun 2025. Please update "
        "the date on the document."
    ]
    draft = xero.put("/ManualJournals", _journal(Date="2025-06-30"))
    assert draft.status == 200


def test_get_list_paging_where_and_modified_since(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    first = xero.put("/ManualJournals", _journal(Narration="One")).json["ManualJournals"][0]
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.clock.advance(2)
    xero.put("/ManualJournals", _journal(Narration="Two", Date="2026-02-01"))
    got = xero.get(f"/ManualJournals/{first['ManualJournalID']}")
    assert got.json["ManualJournals"][0]["Narration"] == "One"
    assert xero.get("/ManualJournals/00000000-0000-0000-0000-000000000000").status == 404
    recent = xero.get("/ManualJournals", headers={"If-Modified-Since": since})
    assert [j["Narration"] for j in recent.json["ManualJournals"]] == ["Two"]
    filtered = xero.get("/ManualJournals", params={"where": 'Narration=="one"'})
    assert [j["Narration"] for j in filtered.json["ManualJournals"]] == ["One"]
    paged = xero.get("/ManualJournals", params={"page": 1, "pageSize": 1, "order": "Date DESC"})
    assert paged.json["pagination"]["itemCount"] == 2
    assert [j["Narration"] for j in paged.json["ManualJournals"]] == ["Two"]


def test_missing_line_amount_and_wrong_type(xero: XeroHttp) -> None:
    lines = [{"AccountCode": "429"}, {"LineAmount": 0, "AccountCode": "880"}]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines))
    assert _messages(reply) == ["LineAmount must be specified on every journal line."]
    bad = xero.put("/ManualJournals", _journal(JournalLines=[{"LineAmount": "ten"}]))
    assert bad.json["Type"] == "PostDataInvalidException"


def test_huge_line_amount_is_refused(xero: XeroHttp) -> None:
    lines = [
        {"LineAmount": "1e25", "AccountCode": "429"},
        {"LineAmount": -1, "AccountCode": "880"},
    ]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines))
    assert reply.status == 400
    assert _messages(reply)[0] == "LineAmount must be less than 1,000,000,000,000."


def test_inventory_accounts_refused(xero: XeroHttp) -> None:
    """Xero keeps INVENTORY accounts for tracked items (fact sheet 5.5, UNCONFIRMED detail)."""
    lines = [{"LineAmount": 40, "AccountCode": "630"}, {"LineAmount": -40, "AccountCode": "310"}]
    reply = xero.put("/ManualJournals", _journal(JournalLines=lines))
    assert _messages(reply) == ["Account code '630' is not a valid code for this document."]


def test_url_kept_and_found_by_date_and_a_posted_journal_edited_by_id(xero: XeroHttp) -> None:
    """What ledgerlink's lost-reply lookup relies on: the Url comes back, and ``where`` on Date
    lists the journals of a day; a POSTED journal takes new lines by its id."""
    url = "https://app.example.com/moves/7"
    made = xero.put("/ManualJournals", _journal(Status="POSTED", Url=url, Date="2026-03-10"))
    journal_id = made.json["ManualJournals"][0]["ManualJournalID"]
    xero.put("/ManualJournals", _journal(Status="POSTED", Date="2026-03-11"))
    where = "Date == DateTime(2026,03,10) OR Date == DateTime(2026,03,12)"
    found = xero.get("/ManualJournals", params={"where": where}).json["ManualJournals"]
    assert [(j["ManualJournalID"], j["Url"]) for j in found] == [(journal_id, url)]
    lines = [{"LineAmount": 55, "AccountCode": "429"}, {"LineAmount": -55, "AccountCode": "880"}]
    edited = xero.post(
        "/ManualJournals",
        {"ManualJournals": [{"ManualJournalID": journal_id, "JournalLines": lines}]},
    )
    assert edited.status == 200, edited.text
    [after] = xero.get(f"/ManualJournals/{journal_id}").json["ManualJournals"]
    assert (after["Status"], after["JournalLines"][0]["LineAmount"]) == ("POSTED", Decimal("55.00"))
