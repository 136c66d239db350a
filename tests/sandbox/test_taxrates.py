from __future__ import annotations

from decimal import Decimal

from tests.conftest import XeroHttp


def _messages(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["Message"] for m in reply.json["Elements"][0]["ValidationErrors"]]


def test_list_where_and_type_filter(xero: XeroHttp) -> None:
    reply = xero.get("/TaxRates")
    assert reply.status == 200
    names = [r["Name"] for r in reply.json["TaxRates"]]
    assert names == sorted(names, key=str.lower)
    reply = xero.get("/TaxRates", params={"where": 'Name.Contains("gst on")'})
    assert {r["TaxType"] for r in reply.json["TaxRates"]} == {"OUTPUT", "INPUT", "GSTONIMPORTS"}
    reply = xero.get("/TaxRates", params={"TaxType": "INPUT"})
    assert [r["TaxType"] for r in reply.json["TaxRates"]] == ["INPUT"]


def test_get_by_tax_type(xero: XeroHttp) -> None:
    reply = xero.get("/TaxRates/OUTPUT")
    assert reply.status == 200
    assert reply.json["TaxRates"][0]["EffectiveRate"] == Decimal("10.0000")
    assert xero.get("/TaxRates/NOPE").status == 404


def test_create_numbers_tax_types_and_computes_compound_rate(xero: XeroHttp) -> None:
    body = {
        "TaxRates": [
            {
                "Name": "Luxury Tax",
                "ReportTaxType": "OUTPUT",
                "TaxComponents": [
                    {"Name": "GST", "Rate": 10},
                    {"Name": "Luxury", "Rate": "5", "IsCompound": True},
                ],
            }
        ]
    }
    reply = xero.put("/TaxRates", body)
    assert reply.status == 200
    rate = reply.json["TaxRates"][0]
    assert rate["TaxType"] == "TAX001"
    assert rate["EffectiveRate"] == Decimal("15.5000")
    assert rate["CanApplyToRevenue"] is True and rate["CanApplyToExpenses"] is False
    second = xero.put(
        "/TaxRates",
        {"Name": "Other", "ReportTaxType": "INPUT", "TaxComponents": [{"Name": "X", "Rate": 1}]},
    )
    assert second.json["TaxRates"][0]["TaxType"] == "TAX002"


def test_create_refuses_duplicate_name_missing_components_and_report_type(
    xero: XeroHttp,
) -> None:
    reply = xero.put("/TaxRates", {"Name": "GST on Income"})
    assert reply.status == 400
    assert reply.json["Type"] == "ValidationException"
    assert _messages(reply) == [
        "At least one tax component is required.",
        "The tax rate name 'GST on Income' is already in use.",
        "ReportTaxType is required for this organisation.",
    ]


def test_update_name_components_and_status(xero: XeroHttp) -> None:
    xero.put(
        "/TaxRates",
        {"Name": "Mine", "ReportTaxType": "INPUT", "TaxComponents": [{"Name": "A", "Rate": 2}]},
    )
    reply = xero.post(
        "/TaxRates",
        {"TaxType": "TAX001", "Name": "Mine v2", "TaxComponents": [{"Name": "A", "Rate": 3}]},
    )
    assert reply.status == 200
    rate = reply.json["TaxRates"][0]
    assert (rate["Name"], rate["EffectiveRate"]) == ("Mine v2", Decimal("3.0000"))
    reply = xero.post("/TaxRates", {"TaxType": "TAX001", "Status": "DELETED"})
    assert reply.json["TaxRates"][0]["Status"] == "DELETED"


def test_system_rate_cannot_be_deleted_or_recomponented(xero: XeroHttp) -> None:
    reply = xero.post(
        "/TaxRates",
        {"TaxType": "OUTPUT", "Status": "DELETED", "TaxComponents": [{"Name": "G", "Rate": 12}]},
    )
    assert reply.status == 400
    assert _messages(reply) == [
        "The tax components of a system tax rate cannot be changed.",
        "System tax rates cannot be deleted.",
    ]


def test_update_unknown_tax_type(xero: XeroHttp) -> None:
    reply = xero.post("/TaxRates", {"TaxType": "TAX999", "Name": "x"})
    assert reply.status == 400
    assert _messages(reply) == ["The TaxType code 'TAX999' does not exist."]


def test_bad_rate_type_is_post_data_invalid(xero: XeroHttp) -> None:
    reply = xero.put(
        "/TaxRates",
        {"Name": "Bad", "ReportTaxType": "INPUT", "TaxComponents": [{"Name": "A", "Rate": "x"}]},
    )
    assert reply.status == 400
    assert reply.json["ErrorNumber"] == 14


def test_rate_out_of_range(xero: XeroHttp) -> None:
    reply = xero.put(
        "/TaxRates",
        {
            "Name": "Huge",
            "ReportTaxType": "INPUT",
            "TaxComponents": [{"Name": "A", "Rate": "1e20"}],
        },
    )
    assert reply.status == 400
    assert _messages(reply) == ["Tax component rate must be between 0 and 100."]
