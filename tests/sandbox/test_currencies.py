from __future__ import annotations

from tests.conftest import XeroHttp


def test_list_is_ordered_and_filtered(xero: XeroHttp) -> None:
    reply = xero.get("/Currencies")
    assert reply.status == 200
    assert [c["Code"] for c in reply.json["Currencies"]] == ["AUD", "EUR", "GBP", "NZD", "USD"]
    reply = xero.get("/Currencies", params={"where": 'Code=="usd"', "order": "Code DESC"})
    assert reply.json["Currencies"] == [{"Code": "USD", "Description": "United States Dollar"}]


def test_subscribe_adds_a_currency_once(xero: XeroHttp) -> None:
    reply = xero.put("/Currencies", {"Code": "jpy", "Description": "Yen"})
    assert reply.status == 200
    assert reply.json["Currencies"] == [{"Code": "JPY", "Description": "Japanese Yen"}]
    again = xero.put("/Currencies", {"Code": "JPY"})
    assert again.status == 200
    codes = [c["Code"] for c in xero.get("/Currencies").json["Currencies"]]
    assert codes.count("JPY") == 1


def test_unknown_iso_code_is_refused(xero: XeroHttp) -> None:
    reply = xero.put("/Currencies", {"Code": "XYZ", "Description": "Nope"})
    assert reply.status == 400
    assert reply.json["Message"] == "A validation exception occurred"
    assert reply.json["Elements"][0]["ValidationErrors"] == [
        {"Message": "Currency code 'XYZ' is not a valid ISO 4217 code."}
    ]


def test_empty_body_is_no_data_processed(xero: XeroHttp) -> None:
    reply = xero.put("/Currencies", raw=b"")
    assert reply.status == 400
    assert reply.json["Type"] == "NoDataProcessedException"
