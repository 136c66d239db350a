"""An organisation's plan (Class) and region (CountryCode) decide which currencies it may hold:
over plain HTTP, as a client meets them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp
from tests.sandbox.test_admin_orgs import make, token


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30) as client:
        yield client


@contextmanager
def org(sandbox: RunningSandbox, admin: httpx2.Client, **body: Any) -> Iterator[XeroHttp]:
    """A new organisation through the admin API, reached through its own custom connection."""
    (made,) = make(admin, count=1, prefix="plan", **body)
    http = XeroHttp(sandbox.url, token(sandbox, made["client_id"], made["client_secret"]), None)
    try:
        yield http
    finally:
        http.close()


def currencies(http: XeroHttp) -> list[str]:
    return [c["Code"] for c in http.get("/Currencies").json["Currencies"]]


def multicurrency(http: XeroHttp) -> str:
    actions = http.get("/Organisation/Actions").json["Actions"]
    return next(a["Status"] for a in actions if a["Name"] == "UseMulticurrency")


def refused(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    assert reply.json["Type"] == "ValidationException"
    return [e["Message"] for e in reply.json["Elements"][0]["ValidationErrors"]]


def test_the_demo_organisation_stays_premium_and_multicurrency(xero: XeroHttp) -> None:
    organisation = xero.get("/Organisation").json["Organisations"][0]
    assert (organisation["Class"], organisation["Edition"]) == ("PREMIUM", "BUSINESS")
    assert multicurrency(xero) == "ALLOWED"
    assert xero.put("/Currencies", {"Code": "SGD"}).status == 200


def test_a_hong_kong_organisation_holds_usd_and_hkd_only(
    sandbox: RunningSandbox, admin: httpx2.Client
) -> None:
    with org(sandbox, admin, country="HK", **{"class": "STANDARD"}) as hk:
        organisation = hk.get("/Organisation").json["Organisations"][0]
        assert (organisation["CountryCode"], organisation["BaseCurrency"]) == ("HK", "HKD")
        assert (organisation["Class"], organisation["Version"]) == ("STANDARD", "GLOBAL")
        assert currencies(hk) == ["HKD", "USD"]
        assert multicurrency(hk) == "ALLOWED"
        assert refused(hk.put("/Currencies", {"Code": "EUR"})) == [
            "Currency EUR cannot be added. Your Xero plan supports only HKD and USD; upgrade "
            "your plan to add more currencies."
        ]
        assert currencies(hk) == ["HKD", "USD"]
        # what is held is there already (no change); a document in it is taken
        assert hk.put("/Currencies", {"Code": "USD"}).status == 200
        invoice = {
            "Type": "ACCREC",
            "Contact": {"Name": "Kowloon Traders"},
            "CurrencyCode": "EUR",
            "LineItems": [
                {
                    "Description": "x",
                    "Quantity": 1,
                    "UnitAmount": 10,
                    "AccountCode": "200",
                    "TaxType": "OUTPUT",
                }
            ],
        }
        assert refused(hk.put("/Invoices", {"Invoices": [invoice]})) == [
            "Organisation is not subscribed to currency EUR"
        ]
        reply = hk.put("/Invoices", {"Invoices": [{**invoice, "CurrencyCode": "USD"}]})
        assert reply.status == 200, reply.text
        assert reply.json["Invoices"][0]["CurrencyCode"] == "USD"


def test_upgrading_is_what_lifts_the_hong_kong_limit(
    sandbox: RunningSandbox, admin: httpx2.Client
) -> None:
    with org(sandbox, admin, country="HK", **{"class": "PREMIUM"}) as hk:
        assert currencies(hk) == ["EUR", "GBP", "HKD", "USD"]
        assert hk.put("/Currencies", {"Code": "JPY"}).status == 200
        assert "JPY" in currencies(hk)


def test_a_plan_without_multicurrency_holds_its_base_currency_alone(
    sandbox: RunningSandbox, admin: httpx2.Client
) -> None:
    with org(sandbox, admin, **{"class": "STARTER"}) as starter:
        assert currencies(starter) == ["AUD"]
        assert multicurrency(starter) == "NOT-ALLOWED"
        assert refused(starter.put("/Currencies", {"Code": "USD"})) == [
            "Currency USD cannot be added. Your Xero plan does not include multicurrency; "
            "upgrade your plan to add currencies."
        ]


def test_plan_and_region_survive_a_reset_and_are_listed(
    sandbox: RunningSandbox, admin: httpx2.Client
) -> None:
    with org(sandbox, admin, country="HK", **{"class": "STANDARD"}):
        pass
    assert admin.post("/reset").status_code == 200
    listed = {o["key"]: o for o in admin.get("/orgs").json()["orgs"]}
    assert (listed["plan-0001"]["country_code"], listed["plan-0001"]["class"]) == ("HK", "STANDARD")
    assert (listed["demo"]["country_code"], listed["demo"]["class"]) == ("AU", "PREMIUM")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"country": "XX"}, "country must be one of AU, HK (the organisation's region)"),
        ({"class": "GOLD"}, "class must be one of Xero's plans (Organisation.Class): DEMO,"),
    ],
)
def test_an_unknown_region_or_plan_is_refused(
    admin: httpx2.Client, body: dict[str, Any], message: str
) -> None:
    reply = admin.post("/orgs", json={"count": 1, **body})
    assert reply.status_code == 400
    assert reply.json()["error"].startswith(message)
    assert [o["key"] for o in admin.get("/orgs").json()["orgs"]] == ["demo", "uk"]
