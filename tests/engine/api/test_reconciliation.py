"""GET /connections/{id}/reconciliation: the report over REST, and the requests it refuses."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import XeroHttp, custom_token
from tests.engine.api.conftest import BOTH_DATABASES, Api
from xero_sandbox.seed import DEMO_TENANT

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _invoice(n: int, status: str, day: str = "2026-03-02") -> dict[str, Any]:
    return {
        "source_id": f"inv-{n}",
        "number": f"RC-{n}",
        "contact": {"key": "c-1", "name": "Bayside Club"},
        "issue_date": day,
        "due_date": "2026-06-30",
        "status": status,
        "lines": [{"description": "Design", "unit_amount": "120.00", "account_code": "200"}],
    }


def _connected(api: Api) -> tuple[str, str]:
    key = api.workspace()
    cid = api.connect(key)[0]["id"]
    api.call(
        "PATCH", f"/connections/{cid}/settings", key, json={"default_sales_tax_type": "OUTPUT"}
    )
    return key, cid


def _requests(api: Api) -> list[dict[str, Any]]:
    reply = httpx2.get(api.sandbox.url + "/_sandbox/requests", timeout=30)
    found: list[dict[str, Any]] = reply.json()["requests"]
    return found


@BOTH_DATABASES
def test_the_report_comes_back_as_json_from_one_read_per_resource(api: Api) -> None:
    key, cid = _connected(api)
    docs = [_invoice(1, "sent"), _invoice(2, "sent"), _invoice(3, "sent", day="2026-04-02")]
    assert api.call("POST", "/documents/invoice/bulk", key, json=docs).status_code == 200
    assert api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid}).status_code == 200
    changed = _invoice(2, "sent")
    changed["lines"][0]["unit_amount"] = "150.00"
    unsent = [changed, _invoice(4, "draft"), _invoice(5, "sent", day="2026-04-03")]
    assert api.call("POST", "/documents/invoice/bulk", key, json=unsent).status_code == 200
    xero = XeroHttp(api.sandbox.url, custom_token(api.sandbox.url), DEMO_TENANT)
    try:
        hand = {
            "Type": "ACCREC",
            "Contact": {"Name": "Walk-in"},
            "Date": "2026-03-15",
            "DueDate": "2026-04-15",
            "Status": "AUTHORISED",
            "LineItems": [
                {"Description": "Sale", "Quantity": 1, "UnitAmount": "40", "AccountCode": "200"}
            ],
        }
        made = xero.put("/Invoices", {"Invoices": [hand]})
        assert made.status == 200, made.text
        hand_id = made.json["Invoices"][0]["InvoiceID"]
    finally:
        xero.close()
    before = len(_requests(api))

    reply = api.call("GET", f"/connections/{cid}/reconciliation", key, params=MARCH)

    assert reply.status_code == 200, reply.text
    report = reply.json()
    # one read per resource: invoices, credit notes, purchase orders, payments, manual journals
    assert (report["from"], report["to"], report["calls"]) == ("2026-03-01", "2026-03-31", 5)
    assert report["counts"]["invoice"] == {
        "missing_in_xero": 1,
        "unknown_to_source": 1,
        "differ": 1,
    }
    shown = {(e["category"], e["source_id"] or e["xero_id"]) for e in report["entries"]}
    assert shown == {
        ("missing_in_xero", "inv-4"),
        ("unknown_to_source", hand_id),
        ("differ", "inv-2"),
    }
    differ = next(e for e in report["entries"] if e["category"] == "differ")
    assert differ["source_amount"] != differ["xero_amount"]
    assert differ["xero_status"] == "AUTHORISED" and differ["source_status"] == "sent"
    assert differ["explanation"].endswith(" in Xero.")
    made_now = _requests(api)[before:]
    assert [r["method"] for r in made_now] == ["GET"] * 5

    one = api.call(
        "GET", f"/connections/{cid}/reconciliation", key, params={**MARCH, "kind": "expense"}
    )
    assert one.status_code == 200, one.text
    assert (one.json()["kinds"], one.json()["entries"], one.json()["calls"]) == (["expense"], [], 1)


def test_bad_dates_and_an_inverted_range_are_refused_naming_the_field(api: Api) -> None:
    key, cid = _connected(api)
    path = f"/connections/{cid}/reconciliation"
    for params, field in (
        ({"from": "2026-13-01", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "31/03/2026"}, "to"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({**MARCH, "kind": "quote"}, "kind"),
    ):
        reply = api.call("GET", path, key, params=params)
        assert reply.status_code == 422, (params, reply.text)
        error = reply.json()["error"]
        assert (error["code"], error["field"]) == ("VALIDATION_FAILED", field), params
        assert field in error["message"]


@BOTH_DATABASES
def test_another_workspaces_connection_is_not_found(api: Api) -> None:
    _, cid = _connected(api)
    other = api.workspace("Other")
    reply = api.call("GET", f"/connections/{cid}/reconciliation", other, params=MARCH)
    assert reply.status_code == 404, reply.text
    assert reply.json()["error"]["code"] == "CONNECTION_NOT_FOUND"
    unknown = api.call("GET", "/connections/no-such-id/reconciliation", other, params=MARCH)
    assert unknown.status_code == 404
