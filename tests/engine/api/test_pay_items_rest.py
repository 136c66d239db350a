"""Payroll over REST: pay-item types set, listed, replaced and removed (refusals name the
field); a pay run pushed through /documents is held for an unmapped pay item until a type maps
it, then generated into bills; "Generate" queues it again; the record lists each generation;
another workspace's connection is not found."""

from __future__ import annotations

from typing import Any

from tests.engine.api.conftest import BOTH_DATABASES, Api
from xero_sandbox.seed import DEMO_TENANT

SETTINGS = {"default_expense_account": "429", "default_purchase_tax_type": "INPUT"}
WAGES = {
    "payee": "employee",
    "items": [
        {"pay_item": "Salary", "account_code": "477", "sign": "+", "description": "Wages"},
        {"pay_item": "Tax", "account_code": "825", "sign": "-"},
    ],
}
TAX = {"payee": "Tax Office", "items": [{"pay_item": "Tax", "account_code": "825", "sign": "+"}]}
RUN: dict[str, Any] = {
    "period_start": "2026-04-01",
    "period_end": "2026-04-14",
    "payment_date": "2026-04-15",
    "employees": [
        {
            "employee": {"key": "e1", "name": "Ann Archer"},
            "items": [
                {"pay_item": "Salary", "amount": "1000.00"},
                {"pay_item": "Tax", "amount": "210.55"},
            ],
        },
        {
            "employee": {"key": "e2", "name": "Bo Baker"},
            "items": [
                {"pay_item": "Salary", "amount": "800.10"},
                {"pay_item": "Tax", "amount": "150.00"},
            ],
        },
    ],
}


def _connected(api: Api) -> tuple[str, str]:
    key = api.workspace()
    cid = api.custom(key)
    assert api.call("PATCH", f"/connections/{cid}/settings", key, json=SETTINGS).status_code == 200
    return key, cid


def _bills(api: Api) -> dict[str, str]:
    org = api.sandbox.state.orgs[DEMO_TENANT]
    return {
        str(org.contacts[b["Contact"]["ContactID"]]["Name"]): str(b["Total"])
        for b in list(org.invoices.values())
        if b.get("Type") == "ACCPAY" and b.get("Status") not in ("DELETED", "VOIDED")
    }


@BOTH_DATABASES
def test_pay_item_types_are_set_listed_replaced_and_removed(api: Api) -> None:
    key, cid = _connected(api)
    base = f"/connections/{cid}/pay-item-types"
    assert api.call("GET", base, key).json() == []
    made = api.call("PUT", f"{base}/Employees", key, json=WAGES)
    assert made.status_code == 200, made.text
    assert made.json()["name"] == "Employees"
    assert made.json()["items"][0] == {
        "pay_item": "Salary",
        "account_code": "477",
        "sign": "+",
        "description": "Wages",
    }
    assert api.call("PUT", f"{base}/Tax office", key, json=TAX).status_code == 200
    replaced = api.call("PUT", f"{base}/Tax office", key, json={**TAX, "payee": "ATO"})
    assert replaced.json()["payee"] == "ATO"
    listed = api.call("GET", base, key).json()
    assert [(t["name"], t["payee"], len(t["items"])) for t in listed] == [
        ("Employees", "employee", 2),
        ("Tax office", "ATO", 1),
    ]
    for body, field in (
        (
            {"payee": "employee", "items": [{"pay_item": "X", "account_code": "477", "sign": "*"}]},
            "items[0].sign",
        ),
        ({"payee": "", "items": []}, "payee"),
        (
            {"payee": "employee", "items": [WAGES["items"][0], WAGES["items"][0]]},
            "items[1].pay_item",
        ),
        ({"payee": "employee", "items": [{"pay_item": "X"}]}, "items[0].account_code"),
    ):
        refused = api.call("PUT", f"{base}/Bad", key, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"]["code"] == "VALIDATION_FAILED"
        assert refused.json()["error"]["field"] == field, refused.json()
    assert api.call("DELETE", f"{base}/Tax office", key).status_code == 204
    again = api.call("DELETE", f"{base}/Tax office", key)
    assert again.status_code == 404 and again.json()["error"]["code"] == "NOT_FOUND"
    assert [t["name"] for t in api.call("GET", base, key).json()] == ["Employees"]


@BOTH_DATABASES
def test_a_pay_run_over_rest_is_held_then_generated_and_recorded(api: Api) -> None:
    key, cid = _connected(api)
    base = f"/connections/{cid}"
    salary_only = {**WAGES, "items": WAGES["items"][:1]}
    put = api.call("PUT", f"{base}/pay-item-types/Employees", key, json=salary_only)
    assert put.status_code == 200
    pushed = api.call("PUT", "/documents/pay_run/PR-7", key, json={"source_id": "PR-7", **RUN})
    assert pushed.status_code in (200, 201), pushed.text
    api.services.sync()
    shown = api.call("GET", "/documents/pay_run/PR-7", key).json()
    assert "PAY_ITEM_UNMAPPED" in str(shown), shown
    assert _bills(api) == {}
    # the types now map what was missing: the held run goes back to the queue
    assert api.call("PUT", f"{base}/pay-item-types/Employees", key, json=WAGES).status_code == 200
    assert api.call("PUT", f"{base}/pay-item-types/Tax office", key, json=TAX).status_code == 200
    api.services.sync()
    # by hand: Ann 1000.00 - 210.55, Bo 800.10 - 150.00, the tax office 210.55 + 150.00
    assert _bills(api) == {"Ann Archer": "789.45", "Bo Baker": "650.10", "Tax Office": "360.55"}
    generated = api.call("POST", f"{base}/pay-runs/PR-7/generate", key)
    assert generated.status_code == 200 and generated.json() == {"outcome": "queued"}
    api.services.sync()
    records = api.call("GET", f"{base}/pay-run-generations", key).json()
    assert [(r["pay_run"], r["outcome"]) for r in records] == [
        ("PR-7", "unchanged"),
        ("PR-7", "generated"),
        ("PR-7", "held"),
    ]
    assert sorted(b["payee"] for b in records[1]["bills"]) == [
        "Ann Archer",
        "Bo Baker",
        "Tax Office",
    ]
    assert records[2]["error_code"] == "PAY_ITEM_UNMAPPED"
    missing = api.call("POST", f"{base}/pay-runs/PR-8/generate", key)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "source_id"


@BOTH_DATABASES
def test_another_workspaces_pay_item_types_are_not_found(api: Api) -> None:
    mine = api.workspace("Mine")
    theirs, cid = _connected(api)
    assert (
        api.call("PUT", f"/connections/{cid}/pay-item-types/W", theirs, json=WAGES).status_code
        == 200
    )
    for method, path, body in (
        ("GET", f"/connections/{cid}/pay-item-types", None),
        ("PUT", f"/connections/{cid}/pay-item-types/W", WAGES),
        ("DELETE", f"/connections/{cid}/pay-item-types/W", None),
        ("GET", f"/connections/{cid}/pay-run-generations", None),
        ("POST", f"/connections/{cid}/pay-runs/PR-1/generate", None),
    ):
        reply = api.call(method, path, mine, json=body)
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "CONNECTION_NOT_FOUND", reply.json()


def test_a_plan_says_what_generating_a_pay_run_would_do(api: Api) -> None:
    key, cid = _connected(api)
    base = f"/connections/{cid}"
    salary_only = {**WAGES, "items": WAGES["items"][:1]}  # Tax is in no type
    assert (
        api.call("PUT", f"{base}/pay-item-types/Employees", key, json=salary_only).status_code
        == 200
    )
    for source_id in ("PR-held", "PR-ok"):
        pushed = api.call(
            "PUT", f"/documents/pay_run/{source_id}", key, json={"source_id": source_id, **RUN}
        )
        assert pushed.status_code in (200, 201), pushed.text
    planned = api.call("POST", f"{base}/plan", key)
    assert planned.status_code == 200, planned.text
    by_id = {d["source_id"]: d for d in planned.json()["documents"]}
    assert by_id["PR-held"]["action"] == "held"
    assert by_id["PR-held"]["error"]["code"] == "PAY_ITEM_UNMAPPED"
    assert api.call("PUT", f"{base}/pay-item-types/Employees", key, json=WAGES).status_code == 200
    assert api.call("PUT", f"{base}/pay-item-types/Tax office", key, json=TAX).status_code == 200
    planned = api.call("POST", f"{base}/plan", key)
    by_id = {d["source_id"]: d for d in planned.json()["documents"]}
    assert by_id["PR-ok"]["action"] == "generate"
    assert (
        by_id["PR-ok"]["note"] == "3 bills: Ann Archer 789.45, Bo Baker 650.10, Tax Office 360.55"
    )
    assert _bills(api) == {}  # a plan writes nothing
