"""Edit connection, Inventory: the tracked items' accounts (Sync inventory's stocked products),
offered from Xero's chart (an INVENTORY account; direct costs or expense), saved through the
settings (seen over REST) and shown again."""

from __future__ import annotations

from typing import Any

from tests.engine.web.forms import options
from tests.engine.web.test_connection_edit_page import _connected, _edit


def test_the_tracked_items_accounts_are_offered_saved_and_shown(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    html, data = _edit(owner, cid)
    action = f"/connections/{cid}/edit"
    assert options(html, action, "tracked_inventory_asset_account") == ["630"]
    cogs = options(html, action, "tracked_cogs_account")
    assert "310" in cogs and not {"630", "200", "090"} & set(cogs)
    data.update(
        inventory_mode="tracked", tracked_inventory_asset_account="630", tracked_cogs_account="310"
    )
    assert owner.post(action, data).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert (settings["tracked_inventory_asset_account"], settings["tracked_cogs_account"]) == (
        "630",
        "310",
    )
    _, shown = _edit(owner, cid)
    assert (shown["tracked_inventory_asset_account"], shown["tracked_cogs_account"]) == (
        "630",
        "310",
    )
