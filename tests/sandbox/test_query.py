"""The query options every GET shares: where, order, paging, If-Modified-Since."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RunningSandbox, XeroHttp


def _codes(xero: XeroHttp, where: str, **params: Any) -> list[str]:
    reply = xero.get("/Accounts", params={"where": where, **params})
    assert reply.status == 200, reply.text
    return [a["Code"] for a in reply.json["Accounts"]]


def _parse_error(xero: XeroHttp, where: str) -> str:
    reply = xero.get("/Accounts", params={"where": where})
    assert reply.status == 400
    body = reply.json
    assert (body["ErrorNumber"], body["Type"]) == (16, "QueryParseException")
    return str(body["Message"])


def test_equality_is_case_insensitive_and_single_equals_works(xero: XeroHttp) -> None:
    assert _codes(xero, 'Name=="sales"') == ["200"]
    assert _codes(xero, 'Name="SALES"') == ["200"]
    assert "200" not in _codes(xero, 'Name!="Sales"')


def test_and_or_parentheses_and_not(xero: XeroHttp) -> None:
    assert _codes(xero, 'Type=="BANK" AND Code=="091"') == ["091"]
    assert _codes(xero, 'Code=="200" || Code=="260"') == ["200", "260"]
    assert _codes(xero, '(Code=="200" OR Code=="260") && Type=="REVENUE"') == ["200", "260"]
    assert _codes(xero, 'Type=="BANK" and not (Code=="090")') == ["091"]
    assert _codes(xero, 'Type=="BANK" && !(Code=="090")') == ["091"]


def test_string_methods(xero: XeroHttp) -> None:
    assert _codes(xero, 'Name.Contains("payable")') == ["800", "804", "825", "826"]
    assert _codes(xero, 'Name.StartsWith("travel")') == ["493", "494"]
    assert _codes(xero, 'Name.EndsWith("FEES")') == ["404"]
    assert _codes(xero, 'Name.ToLower()=="sales"') == ["200"]
    assert _codes(xero, 'Name.ToUpper()=="SALES"') == ["200"]


def test_booleans_null_and_comparisons(xero: XeroHttp) -> None:
    assert _codes(xero, 'EnablePaymentsToAccount==true && Type!="BANK"') == ["850"]
    assert _codes(xero, 'SystemAccount!=null && Code>="900"') == ["960"]
    assert _codes(xero, 'Code<"091"') == ["090"]


def test_guid_and_dotted_paths(xero: XeroHttp) -> None:
    contacts = xero.get("/Contacts").json["Contacts"]
    bayside = next(c for c in contacts if c["Name"] == "Bayside Club")
    reply = xero.get(
        "/Contacts", params={"where": f'ContactID==Guid("{bayside["ContactID"].upper()}")'}
    )
    assert [c["Name"] for c in reply.json["Contacts"]] == ["Bayside Club"]
    items = xero.get("/Items", params={"where": "SalesDetails.UnitPrice>50"}).json["Items"]
    assert [i["Code"] for i in items] == ["CONSULT", "INSTALL"]
    items = xero.get("/Items", params={"where": "PurchaseDetails.UnitPrice<=12.5"}).json["Items"]
    assert [i["Code"] for i in items] == ["WIDGET-BLUE"]


def test_dates_with_datetime(xero: XeroHttp) -> None:
    for narration, day in (("Old", "2026-01-05"), ("New", "2026-03-05")):
        body = {
            "Narration": narration,
            "Date": day,
            "JournalLines": [
                {"LineAmount": 1, "AccountCode": "429"},
                {"LineAmount": -1, "AccountCode": "880"},
            ],
        }
        assert xero.put("/ManualJournals", body).status == 200
    for where, expected in (
        ("Date>=DateTime(2026,02,01)", ["New"]),
        ("Date<DateTime(2026,01,05,00,00,01)", ["Old"]),
        ("Date==DateTime(2026,03,05)", ["New"]),
    ):
        reply = xero.get("/ManualJournals", params={"where": where})
        assert [j["Narration"] for j in reply.json["ManualJournals"]] == expected


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("Code==", "Expression expected"),
        ('Code=="200', "Unterminated string literal"),
        ('(Code=="200"', "')' expected"),
        ('Code=="200" Name', "Syntax error"),
        ("Code==200", "Operator '==' incompatible with operand types 'String' and 'Int32'"),
        (
            'AccountID=="x"',
            "Operator '==' incompatible with operand types 'Guid' and 'String'",
        ),
        ('Name.Frobnicate("x")', "No applicable method 'Frobnicate' exists in type 'String'"),
        ('Guid("nope")==AccountID', "Guid should contain 32 digits with 4 dashes"),
        ("Code", "Expression of type 'Boolean' expected"),
        ("Code == @", "Syntax error '@'"),
        (
            "DateTime(2026,13,1)==UpdatedDateUTC",
            ("Year, Month, and Day parameters describe an un-representable DateTime."),
        ),
    ],
)
def test_parse_errors(xero: XeroHttp, where: str, message: str) -> None:
    assert _parse_error(xero, where) == message


def test_blank_where_is_no_filter(xero: XeroHttp) -> None:
    assert len(_codes(xero, " ")) == len(xero.get("/Accounts").json["Accounts"])


def test_order_by_several_fields(xero: XeroHttp) -> None:
    reply = xero.get(
        "/Accounts", params={"where": 'Type=="BANK" || Type=="EQUITY"', "order": "Type DESC, Code"}
    )
    assert [a["Code"] for a in reply.json["Accounts"]] == ["880", "960", "970", "090", "091"]
    bad = xero.get("/Accounts", params={"order": "Code SIDEWAYS"})
    assert bad.status == 400
    assert bad.json["Type"] == "QueryParseException"


def test_paging_clamps_page_size_to_1000(xero: XeroHttp) -> None:
    reply = xero.get("/Contacts", params={"page": 1, "pageSize": 5000})
    assert reply.json["pagination"] == {
        "page": 1,
        "pageSize": 1000,
        "pageCount": 1,
        "itemCount": 5,
    }
    beyond = xero.get("/Contacts", params={"page": 9})
    assert beyond.json["Contacts"] == []
    assert "pagination" not in xero.get("/Contacts").json
    bad = xero.get("/Contacts", params={"page": "two"})
    assert bad.status == 400


def test_if_modified_since_formats(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    sandbox.state.clock.advance(5)
    moment = sandbox.state.clock.now()
    sandbox.state.clock.advance(2)
    assert xero.put("/Contacts", {"Name": "Fresh Co"}).status == 200
    for header in (
        moment.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        moment.strftime("%Y-%m-%dT%H:%M:%S"),
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ):
        reply = xero.get("/Contacts", headers={"If-Modified-Since": header})
        assert [c["Name"] for c in reply.json["Contacts"]] == ["Fresh Co"], header
    ignored = xero.get("/Contacts", headers={"If-Modified-Since": "yesterday-ish"})
    assert len(ignored.json["Contacts"]) == 6


def test_deep_nesting_and_huge_dates_are_parse_errors(xero: XeroHttp) -> None:
    deep = "(" * 500 + 'Code=="200"' + ")" * 500
    assert _parse_error(xero, deep) == "Expression is too complex"
    huge = "DateTime(99999999999999999999,1,1)==UpdatedDateUTC"
    assert _parse_error(xero, huge) == (
        "Year, Month, and Day parameters describe an un-representable DateTime."
    )
