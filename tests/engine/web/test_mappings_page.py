"""Mappings: item overrides added, changed and deleted from the page (seen over REST), the
dropdowns from Xero's lists by usage, errors naming the field, viewers refused, another
workspace's connection not found."""

from __future__ import annotations

from typing import Any

from tests.engine.web.conftest import Browser
from tests.engine.web.forms import forms

SAVE = "/mappings/item-overrides"
DELETE = "/mappings/item-overrides/delete"


def _connected(people: Any, api: Any) -> tuple[Browser, str]:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    cid = api.custom(owner.api_key)
    done = owner.post(f"/connections/{cid}/synchronize", from_page="/")
    assert done.status_code == 303, done.text
    return owner, cid


def _overrides(api: Any, key: str, cid: str) -> list[dict[str, Any]]:
    listed = api.call("GET", f"/connections/{cid}/item-overrides", key)
    assert listed.status_code == 200, listed.text
    return list(listed.json())


def _usage_form(html: str, usage: str) -> dict[str, Any]:
    found = [f for f in forms(html) if f.action == SAVE and f.data().get("usage") == usage]
    assert len(found) == 1
    return {
        "form": found[0],
        "data": {k: v for k, v in found[0].data().items() if k != "csrf_token"},
    }


def _put_nut(api: Any, key: str, cid: str) -> None:
    put = {"account_code": "200"}
    made = api.call("PUT", f"/connections/{cid}/item-overrides/sales/NUT", key, json=put)
    assert made.status_code == 200, made.text


def test_add_change_and_delete_an_item_override(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    page = owner.get("/mappings")  # the only connection is chosen
    assert page.status_code == 200 and "Item overrides" in page.text
    assert "No sales item overrides." in page.text
    sales = _usage_form(page.text, "sales")
    assert [v for v, _ in sales["form"].selects["account_code"].options if v] == [
        "200",
        "260",
        "270",
    ]
    purchase = _usage_form(page.text, "purchase")
    accounts = [v for v, _ in purchase["form"].selects["account_code"].options if v]
    assert "429" in accounts and "200" not in accounts and "499" not in accounts
    taxes = [v for v, _ in purchase["form"].selects["tax_type"].options if v]
    assert "INPUT" in taxes and "OUTPUT" not in taxes
    assert 'list="xero-items"' in page.text and '<option value="WIDGET-BLUE">' in page.text

    added = owner.post(
        SAVE,
        {**sales["data"], "item_code": "WIDGET-BLUE", "account_code": "260", "tax_type": "OUTPUT"},
    )
    assert added.status_code == 303 and added.headers["location"].endswith("said=saved")
    assert _overrides(api, owner.api_key, cid) == [
        {"item_code": "WIDGET-BLUE", "usage": "sales", "account_code": "260", "tax_type": "OUTPUT"}
    ]
    shown = owner.get(f"/mappings?connection={cid}")
    assert "WIDGET-BLUE" in shown.text and "260 · Other Revenue" in shown.text

    # Change: the row's link fills the form with what it has
    filled = owner.get(f"/mappings?connection={cid}&usage=sales&item=WIDGET-BLUE")
    data = _usage_form(filled.text, "sales")["data"]
    assert (data["item_code"], data["account_code"], data["tax_type"]) == (
        "WIDGET-BLUE",
        "260",
        "OUTPUT",
    )
    changed = owner.post(SAVE, {**data, "account_code": "200", "tax_type": ""})
    assert changed.status_code == 303
    assert _overrides(api, owner.api_key, cid) == [
        {
            "item_code": "WIDGET-BLUE",
            "usage": "sales",
            "account_code": "200",
            "tax_type": None,
        }
    ]

    gone = owner.post(DELETE, {"connection": cid, "usage": "sales", "item_code": "WIDGET-BLUE"})
    assert gone.status_code == 303 and gone.headers["location"].endswith("said=removed")
    assert _overrides(api, owner.api_key, cid) == []


def test_form_errors_name_the_field(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    page = owner.get(f"/mappings?connection={cid}")
    data = _usage_form(page.text, "purchase")["data"]
    neither = owner.post(SAVE, {**data, "item_code": "BOLT"})
    assert neither.status_code == 422
    assert "field account_code" in neither.text and 'id="account_code-error"' in neither.text
    kept = _usage_form(neither.text, "purchase")["data"]
    assert kept["item_code"] == "BOLT"
    too_long = owner.post(SAVE, {**data, "item_code": "X" * 101, "account_code": "429"})
    assert too_long.status_code == 422 and 'id="item_code-error"' in too_long.text
    kept = _usage_form(too_long.text, "purchase")["data"]
    assert kept["account_code"] == "429"
    assert _overrides(api, owner.api_key, cid) == []


def test_a_viewer_reads_and_is_refused_every_post(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    _put_nut(api, owner.api_key, cid)
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    page = viewer.get(f"/mappings?connection={cid}")
    assert page.status_code == 200 and "NUT" in page.text
    assert not [f for f in forms(page.text) if f.action in (SAVE, DELETE)]
    for path, data in (
        (SAVE, {"connection": cid, "usage": "sales", "item_code": "NUT", "account_code": "260"}),
        (DELETE, {"connection": cid, "usage": "sales", "item_code": "NUT"}),
    ):
        refused = viewer.post(path, data)
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text
    assert _overrides(api, owner.api_key, cid)[0]["account_code"] == "200"


def test_another_workspaces_connection_is_not_found(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    _put_nut(api, owner.api_key, cid)
    stranger = people("owner")
    assert stranger.sign_in().status_code == 303
    assert stranger.get(f"/mappings?connection={cid}").status_code == 404
    own = stranger.get("/mappings")
    assert own.status_code == 200 and "No organisation connected yet" in own.text
    for path, data in (
        (SAVE, {"connection": cid, "usage": "sales", "item_code": "NUT", "account_code": "260"}),
        (DELETE, {"connection": cid, "usage": "sales", "item_code": "NUT"}),
    ):
        refused = stranger.post(path, data)
        assert refused.status_code == 404 and "CONNECTION_NOT_FOUND" in refused.text
    assert _overrides(api, owner.api_key, cid)[0]["account_code"] == "200"
