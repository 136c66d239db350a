"""Payroll page: pay-item types added with Xero's accounts in the dropdown and the sign (seen
over REST), refusals naming the field, a pay run generated from the chooser with the record
listing each generation, viewers refused, another workspace's connection not found."""

from __future__ import annotations

import re
from typing import Any

from tests.engine.web.conftest import Browser
from tests.engine.web.forms import forms
from tests.engine.web.test_mappings_page import _connected

TYPES = "/payroll/types"
ITEMS = "/payroll/pay-items"
RUN: dict[str, Any] = {
    "period_start": "2026-05-01",
    "period_end": "2026-05-14",
    "payment_date": "2026-05-15",
    "employees": [
        {
            "employee": {"key": "e1", "name": "Cy Carter"},
            "items": [
                {"pay_item": "Salary", "amount": "900.00"},
                {"pay_item": "Tax", "amount": "99.99"},
            ],
        }
    ],
}


def _types(api: Any, key: str, cid: str) -> list[dict[str, Any]]:
    listed = api.call("GET", f"/connections/{cid}/pay-item-types", key)
    assert listed.status_code == 200, listed.text
    return list(listed.json())


def _item_form(html: str, type_name: str) -> dict[str, Any]:
    found = [f for f in forms(html) if f.action == ITEMS and f.data().get("type") == type_name]
    assert len(found) == 1
    return {
        "form": found[0],
        "data": {k: v for k, v in found[0].data().items() if k != "csrf_token"},
    }


def _add_type(owner: Browser, cid: str, name: str, payee: str | None = None) -> Any:
    data = {"connection": cid, "name": name, "payee_kind": "contact" if payee else "employee"}
    return owner.post(TYPES, {**data, "payee_name": payee or ""}, from_page="/payroll")


def test_add_types_and_pay_items_then_generate_and_read_the_record(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    page = owner.get("/payroll")
    assert page.status_code == 200 and "No pay-item types yet" in page.text
    assert _add_type(owner, cid, "Employees").status_code == 303
    assert _add_type(owner, cid, "Tax office", "Tax Office").status_code == 303
    page = owner.get(f"/payroll?connection={cid}")
    employees = _item_form(page.text, "Employees")
    accounts = [v for v, _ in employees["form"].selects["account_code"].options if v]
    assert {"477", "825"} <= set(accounts) and "200" not in accounts and "499" not in accounts
    assert [v for v, _ in employees["form"].selects["sign"].options] == ["+", "-"]
    for type_name, item, account, sign in (
        ("Employees", "Salary", "477", "+"),
        ("Employees", "Tax", "825", "-"),
        ("Tax office", "Tax", "825", "+"),
    ):
        data = _item_form(page.text, type_name)["data"]
        added = owner.post(ITEMS, {**data, "pay_item": item, "account_code": account, "sign": sign})
        assert added.status_code == 303 and added.headers["location"].endswith("said=saved")
    assert _types(api, owner.api_key, cid) == [
        {
            "name": "Employees",
            "payee": "employee",
            "items": [
                {"pay_item": "Salary", "account_code": "477", "sign": "+", "description": None},
                {"pay_item": "Tax", "account_code": "825", "sign": "-", "description": None},
            ],
        },
        {
            "name": "Tax office",
            "payee": "Tax Office",
            "items": [{"pay_item": "Tax", "account_code": "825", "sign": "+", "description": None}],
        },
    ]
    shown = owner.get(f"/payroll?connection={cid}")
    assert "477 · Wages and Salaries" in shown.text and "payee: each employee" in shown.text

    pushed = api.call(
        "PUT", "/documents/pay_run/PR-W1", owner.api_key, json={"source_id": "PR-W1", **RUN}
    )
    assert pushed.status_code in (200, 201), pushed.text
    api.services.sync()
    page = owner.get(f"/payroll?connection={cid}")
    [chooser] = [f for f in forms(page.text) if f.action == "/payroll/generate"]
    assert [v for v, _ in chooser.selects["pay_run"].options] == ["PR-W1"]
    generated = owner.post("/payroll/generate", {"connection": cid, "pay_run": "PR-W1"})
    assert generated.status_code == 303 and "said=generating" in generated.headers["location"]
    api.services.sync()
    record = owner.get(f"/payroll?connection={cid}&said=generating")
    assert "Data is being generated" in record.text
    assert record.text.count("<td>PR-W1</td>") + record.text.count(">PR-W1</a>") == 2
    assert "unchanged" in record.text and "generated" in record.text
    assert "Cy Carter: 800.01</a>" in record.text and "Tax Office: 99.99</a>" in record.text
    bill = re.search(r'<a href="(/documents/[^"]+)">Cy Carter: 800.01</a>', record.text)
    assert bill is not None
    shown = owner.get(bill.group(1))
    assert shown.status_code == 200 and "expense" in shown.text

    gone = owner.post(
        "/payroll/pay-items/delete", {"connection": cid, "type": "Tax office", "pay_item": "Tax"}
    )
    assert gone.status_code == 303 and gone.headers["location"].endswith("said=removed")
    removed = owner.post("/payroll/types/delete", {"connection": cid, "type": "Tax office"})
    assert removed.status_code == 303
    assert [t["name"] for t in _types(api, owner.api_key, cid)] == ["Employees"]


def test_form_errors_name_the_field(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    assert _add_type(owner, cid, "Employees").status_code == 303
    twice = _add_type(owner, cid, "Employees")
    assert twice.status_code == 422 and 'id="name-error"' in twice.text
    no_payee = _add_type(owner, cid, "Fund", payee=" ")
    assert no_payee.status_code == 422 and "field payee" in no_payee.text
    page = owner.get(f"/payroll?connection={cid}")
    data = _item_form(page.text, "Employees")["data"]
    no_account = owner.post(ITEMS, {**data, "pay_item": "Salary", "account_code": ""})
    assert no_account.status_code == 422 and "field account_code" in no_account.text
    assert _item_form(no_account.text, "Employees")["data"]["pay_item"] == "Salary"
    bad_sign = owner.post(ITEMS, {**data, "pay_item": "Salary", "account_code": "477", "sign": "x"})
    assert bad_sign.status_code == 422 and "field sign" in bad_sign.text
    assert _types(api, owner.api_key, cid) == [
        {"name": "Employees", "payee": "employee", "items": []}
    ]


def test_a_viewer_reads_and_is_refused_every_post(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    assert _add_type(owner, cid, "Employees").status_code == 303
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    page = viewer.get(f"/payroll?connection={cid}")
    assert page.status_code == 200 and "Employees" in page.text
    assert not [f for f in forms(page.text) if f.action.startswith("/payroll/")]
    refused = viewer.post(TYPES, {"connection": cid, "name": "X", "payee_kind": "employee"})
    assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text


def test_another_workspaces_connection_is_not_found(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    stranger = people("owner")
    assert stranger.sign_in().status_code == 303
    assert stranger.get(f"/payroll?connection={cid}").status_code == 404
    own = stranger.get("/payroll")
    assert own.status_code == 200 and "No organisation connected yet" in own.text
    for path, data in (
        (TYPES, {"connection": cid, "name": "X", "payee_kind": "employee"}),
        ("/payroll/generate", {"connection": cid, "pay_run": "PR-1"}),
    ):
        reply = stranger.post(path, data, from_page="/payroll")
        assert reply.status_code == 404, (path, reply.status_code)
