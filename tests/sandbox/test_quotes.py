"""Quotes over plain HTTP: numbering, pricing, status changes, filters and Xero's refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp
from xero_sandbox.resources import quote_build
from xero_sandbox.resources.rules import CONTACT_ELEMENTS

LINE = {"Description": "Design work", "Quantity": 2, "UnitAmount": "50.00", "AccountCode": "200"}


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _quote(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Contact": {"ContactNumber": "CUST-001"},
        "Date": "2026-03-10",
        "LineItems": [dict(LINE)],
    }
    body.update(extra)
    return body


def _create(xero: XeroHttp, **extra: Any) -> dict[str, Any]:
    return xero.made("Quotes", _quote(**extra))


def _status(xero: XeroHttp, quote: dict[str, Any], status: str) -> Any:
    return xero.post(f"/Quotes/{quote['QuoteID']}", {"Quotes": [{"Status": status}]})


def test_create_numbers_prices_and_shows_xero_fields(xero: XeroHttp) -> None:
    first = _create(xero, Title="Website", Summary="Phase one", Terms="30 days", Reference="R1")
    assert first["QuoteNumber"] == "QU-0001"
    assert first["Status"] == "DRAFT"
    assert first["LineAmountTypes"] == "EXCLUSIVE"
    assert first["Contact"]["Name"] == "Bayside Club"
    assert first["DateString"] == "2026-03-10T00:00:00"
    assert (first["SubTotal"], first["TotalTax"], first["Total"]) == (
        Decimal("100.00"),
        Decimal("10.00"),
        Decimal("110.00"),
    )
    assert (first["Title"], first["Summary"], first["Terms"]) == ("Website", "Phase one", "30 days")
    discounted = {**LINE, "DiscountRate": 10}
    second = _create(xero, LineAmountTypes="INCLUSIVE", LineItems=[discounted])
    assert second["QuoteNumber"] == "QU-0002"
    assert second["LineAmountTypes"] == "INCLUSIVE"
    assert (second["SubTotal"], second["TotalTax"], second["Total"]) == (
        Decimal("81.82"),
        Decimal("8.18"),
        Decimal("90.00"),
    )
    assert second["TotalDiscount"] == Decimal("10.00")


def test_contact_is_required_and_must_exist(xero: XeroHttp) -> None:
    reply = xero.put("/Quotes", {"Quotes": [{"LineItems": [LINE]}]})
    assert reply.status == 400
    assert _messages(reply) == [CONTACT_ELEMENTS]
    unknown = "0d4ab08e-1111-4bd2-9a6c-8e3d3c4e5f60"
    reply = xero.put("/Quotes", _quote(Contact={"ContactID": unknown}))
    assert _messages(reply) == [f"The contact with ContactID '{unknown}' could not be found."]


def test_lines_number_dates_and_lengths_are_checked(xero: XeroHttp) -> None:
    reply = xero.put("/Quotes", _quote(LineItems=[]))
    assert _messages(reply) == [quote_build.NO_LINES]
    _create(xero, QuoteNumber="Q-77")
    reply = xero.put("/Quotes", _quote(QuoteNumber="q-77"))
    assert _messages(reply) == [quote_build.UNIQUE_NUMBER]
    reply = xero.put("/Quotes", _quote(ExpiryDate="2026-03-01"))
    assert _messages(reply) == [quote_build.EXPIRY_BEFORE_DATE]
    reply = xero.put("/Quotes", _quote(Title="x" * 101))
    assert _messages(reply) == ["Title must not be more than 100 characters long."]
    reply = xero.put("/Quotes", _quote(LineItems=[{**LINE, "AccountCode": "9999"}]))
    assert _messages(reply) == ["Account code '9999' is not a valid code for this document."]


def test_status_changes_follow_xero(xero: XeroHttp) -> None:
    reply = xero.put("/Quotes", _quote(Status="ACCEPTED"))
    assert _messages(reply) == ["A quote cannot be created with a status of ACCEPTED."]
    quote = _create(xero)
    reply = _status(xero, quote, "DECLINED")
    assert reply.status == 400
    assert _messages(reply) == ["The quote status cannot be changed from DRAFT to DECLINED."]
    for status in ("SENT", "ACCEPTED"):
        assert _status(xero, quote, status).json["Quotes"][0]["Status"] == status
    assert _messages(_status(xero, quote, "DECLINED")) == [
        "The quote status cannot be changed from ACCEPTED to DECLINED."
    ]
    assert _status(xero, quote, "INVOICED").status == 200
    assert _messages(_status(xero, quote, "DRAFT")) == [
        "The quote status cannot be changed from INVOICED to DRAFT."
    ]
    other = _create(xero)
    assert _status(xero, other, "DELETED").status == 200
    assert _messages(_status(xero, other, "DRAFT")) == [quote_build.DELETED_QUOTE]
    assert _messages(_status(xero, other, "PENDING")) == ["Quote Status 'PENDING' is not valid."]


def test_update_keeps_lines_but_clears_text_left_out(xero: XeroHttp) -> None:
    quote = _create(xero, Title="Website", Terms="30 days")
    reply = xero.post(f"/Quotes/{quote['QuoteID']}", {"Quotes": [{"Summary": "Phase two"}]})
    updated = reply.json["Quotes"][0]
    assert updated["Summary"] == "Phase two"
    assert "Title" not in updated and updated["Terms"] == ""
    assert updated["LineItems"][0]["LineItemID"] == quote["LineItems"][0]["LineItemID"]
    assert updated["Total"] == quote["Total"]


def test_post_matches_by_id_or_number_and_put_refuses_a_known_id(xero: XeroHttp) -> None:
    quote = _create(xero)
    by_number = {"Quotes": [{"QuoteNumber": "QU-0001", "Reference": "By number"}]}
    reply = xero.post("/Quotes", by_number)
    assert reply.json["Quotes"][0]["QuoteID"] == quote["QuoteID"]
    unknown = "7a1c3f00-2222-4bd2-9a6c-8e3d3c4e5f60"
    reply = xero.post("/Quotes", {"Quotes": [{"QuoteID": unknown, "Status": "SENT"}]})
    assert _messages(reply) == [f"Quote with ID '{unknown}' could not be found."]
    reply = xero.put("/Quotes", _quote(QuoteID=quote["QuoteID"]))
    assert _messages(reply) == [
        f"Quote with ID '{quote['QuoteID']}' already exists; use POST to update it."
    ]
    assert xero.get(f"/Quotes/{unknown}").status == 404
    assert xero.post(f"/Quotes/{unknown}", {"Status": "SENT"}).status == 404


def test_summarize_errors_false_reports_each_element(xero: XeroHttp) -> None:
    body = {"Quotes": [_quote(), _quote(LineItems=[])]}
    reply = xero.put("/Quotes", body, params={"summarizeErrors": "false"})
    assert reply.status == 200
    assert [q["StatusAttributeString"] for q in reply.json["Quotes"]] == ["OK", "ERROR"]


def test_list_filters_page_and_order(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    early = _create(xero, Date="2026-01-05", ExpiryDate="2026-01-31")
    _create(xero, Date="2026-02-05", ExpiryDate="2026-02-28", Contact={"ContactNumber": "SUPP-001"})
    late = _create(xero, Date="2026-03-05", ExpiryDate="2026-03-31")
    _status(xero, late, "SENT")

    def numbers(**params: Any) -> list[str]:
        reply = xero.get("/Quotes", params=params)
        assert reply.status == 200, reply.text
        return [q["QuoteNumber"] for q in reply.json["Quotes"]]

    assert numbers(DateFrom="2026-02-01", order="Date") == ["QU-0002", "QU-0003"]
    assert numbers(DateTo="2026-02-05", order="Date DESC") == ["QU-0002", "QU-0001"]
    assert numbers(ExpiryDateFrom="2026-02-01", ExpiryDateTo="2026-02-28") == ["QU-0002"]
    assert numbers(ContactID=early["Contact"]["ContactID"], order="Date") == ["QU-0001", "QU-0003"]
    assert numbers(Status="SENT") == ["QU-0003"]
    assert numbers(QuoteNumber="qu-0001") == ["QU-0001"]
    reply = xero.get("/Quotes", params={"page": 2, "pageSize": 2, "order": "QuoteNumber"})
    assert [q["QuoteNumber"] for q in reply.json["Quotes"]] == ["QU-0003"]
    assert reply.json["pagination"] == {"page": 2, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.clock.advance(5)
    _status(xero, early, "SENT")
    reply = xero.get("/Quotes", headers={"If-Modified-Since": since})
    assert [q["QuoteNumber"] for q in reply.json["Quotes"]] == ["QU-0001"]


def test_bad_filters_are_refused(xero: XeroHttp) -> None:
    reply = xero.get("/Quotes", params={"ContactID": "nope"})
    assert (reply.status, reply.text) == (400, "Supplied parameter 'ContactID' cannot be parsed.")
    reply = xero.get("/Quotes", params={"DateFrom": "soon"})
    assert reply.status == 400
    assert reply.json["Message"] == "The value 'soon' is not valid for DateFrom."


def test_account_on_a_quote_counts_as_used(xero: XeroHttp) -> None:
    made = xero.put("/Accounts", {"Code": "4750", "Name": "Quoted sales", "Type": "REVENUE"})
    account_id = made.json["Accounts"][0]["AccountID"]
    _create(xero, LineItems=[{**LINE, "AccountCode": "4750"}])
    reply = xero.delete(f"/Accounts/{account_id}")
    assert reply.status == 400
    assert _messages(reply) == [
        "This account has been used and cannot be deleted. Archive the account instead."
    ]


def test_a_new_contact_name_makes_the_contact_and_quotes_announce_nothing(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    known = _create(xero)
    before = len(sandbox.state.events)
    _status(xero, known, "SENT")
    assert len(sandbox.state.events) == before, "quotes have no webhooks and post nothing"
    made = _create(xero, Contact={"Name": "Harbour Cafe"})
    assert made["Contact"]["Name"] == "Harbour Cafe"
    found = xero.get("/Contacts", params={"where": 'Name=="Harbour Cafe"'})
    assert [c["ContactID"] for c in found.json["Contacts"]] == [made["Contact"]["ContactID"]]
    refused = xero.put("/Quotes", _quote(Contact={"Name": "Never Made"}, LineItems=[]))
    assert refused.status == 400
    missing = xero.get("/Contacts", params={"where": 'Name=="Never Made"'})
    assert missing.json["Contacts"] == [], "a refused quote leaves no contact behind"
