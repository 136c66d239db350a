"""Replay steps for users, branding themes (with payment services) and contact groups.

Payment services need the ``paymentservices`` scope, which the demo custom connection's default
token lacks, so those calls go through a second client holding a token that asked for it; its
exchanges are recorded with the rest.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import XeroHttp, custom_token
from tests.sandbox.openapi_replay import Replay, doc_lines, first

MISSING = "8f2a4c44-1b1e-4f57-9d55-222222222222"


def scoped_xero(base: str, tenant: str | None, scope: str) -> XeroHttp:
    """Plain HTTP with a custom-connection token that asked for ``scope`` (space-separated)."""
    return XeroHttp(base, custom_token(base, scope), tenant)


def _scoped(r: Replay, scope: str) -> Replay:
    xero = scoped_xero(r.xero.base, r.xero.tenant, scope)
    r.recorder.attach(xero.client)
    return Replay(xero, r.recorder, r.today, r.surprises)


def users(r: Replay) -> None:
    listed = r.call("users", "GET", "/Users")
    r.call(
        "subscriber",
        "GET",
        "/Users",
        params={"where": "IsSubscriber==true", "order": "LastName ASC"},
    )
    r.call("users since", "GET", "/Users", headers={"If-Modified-Since": "2025-01-01T00:00:00Z"})
    user = first(listed, "Users", "UserID")
    if user:
        r.call("user", "GET", f"/Users/{user}")
    r.call("missing user", "GET", f"/Users/{MISSING}", expect=404)


def _invoice(r: Replay, theme: str) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactNumber": "CUST-001"},
        "Date": r.day(),
        "DueDate": r.day(14),
        "BrandingThemeID": theme,
        "LineItems": [{**doc_lines(("Branded work", "1", "80.00", "200"))[0], "TaxType": "OUTPUT"}],
    }


def branding(r: Replay) -> None:
    listed = r.call("branding themes", "GET", "/BrandingThemes")
    theme = first(listed, "BrandingThemes", "BrandingThemeID", 1)
    if not theme:
        return
    r.call("branding theme", "GET", f"/BrandingThemes/{theme}")
    r.call("branded invoice", "PUT", "/Invoices", {"Invoices": [_invoice(r, theme)]})
    unknown = {"Invoices": [_invoice(r, MISSING)]}
    r.call("invoice, unknown theme", "PUT", "/Invoices", unknown, expect=400)
    pay = _scoped(r, "paymentservices")
    try:
        service = {
            "PaymentServiceName": "Replay Pay",
            "PaymentServiceUrl": "https://pay.replay.example/?invoice=[INVOICENUMBER]",
            "PayNowText": "Pay online",
        }
        made = pay.call("create payment service", "PUT", "/PaymentServices", service)
        pay.call("payment services", "GET", "/PaymentServices")
        service_id = first(made, "PaymentServices", "PaymentServiceID")
        path = f"/BrandingThemes/{theme}/PaymentServices"
        if service_id:
            apply = {"PaymentServices": [{"PaymentServiceID": service_id}]}
            pay.call("apply payment service", "POST", path, apply)
        bad = {"PaymentServices": [{"PaymentServiceID": MISSING}]}
        pay.call("apply unknown service", "POST", path, bad, expect=400)
        pay.call("theme payment services", "GET", path)
    finally:
        pay.xero.close()


def contact_groups(r: Replay) -> None:
    r.call("contact groups", "GET", "/ContactGroups")
    made = r.call("create group", "PUT", "/ContactGroups", {"ContactGroups": [{"Name": "VIPs"}]})
    dup = {"ContactGroups": [{"Name": "vips"}]}
    r.call("duplicate group", "PUT", "/ContactGroups", dup, expect=400)
    group = first(made, "ContactGroups", "ContactGroupID")
    contacts = r.call("contacts for groups", "GET", "/Contacts", params={"order": "Name"})
    ids = [c["ContactID"] for c in (contacts or {}).get("Contacts", [])[:2]]
    if not group or len(ids) < 2:
        return
    base = f"/ContactGroups/{group}"
    r.call("groups where", "GET", "/ContactGroups", params={"where": 'Name=="VIPs"'})
    r.call("rename group", "POST", base, {"ContactGroups": [{"Name": "VIP Customers"}]})
    members = {"Contacts": [{"ContactID": i} for i in ids]}
    r.call("add members", "PUT", f"{base}/Contacts", members)
    r.call("unknown member", "PUT", f"{base}/Contacts", {"ContactID": MISSING}, expect=400)
    r.call("group", "GET", base)
    r.call("member's groups", "GET", f"/Contacts/{ids[0]}")
    r.call("remove member", "DELETE", f"{base}/Contacts/{ids[0]}", expect=204)
    r.call("remove all members", "DELETE", f"{base}/Contacts", expect=204)
    r.call("delete group", "POST", base, {"ContactGroups": [{"Status": "DELETED"}]})
    r.call("deleted group", "GET", base, expect=404)


def users_themes_groups(r: Replay) -> None:
    users(r)
    branding(r)
    contact_groups(r)
