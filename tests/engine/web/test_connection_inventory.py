"""Edit connection, Inventory: the mode as the inventory app's three choices, the valuation
accounts offered from Xero's chart filtered by what a manual journal may post to (never an
INVENTORY, bank or system account), saving through the settings (seen over REST), and
Post valuation entries refused without its accounts, next to the field, with what was chosen
kept."""

from __future__ import annotations

from typing import Any

from tests.engine.web.forms import form, options
from tests.engine.web.test_connection_edit_page import _connected, _edit
from xero_sandbox.seed import DEMO_TENANT


def _add_current_asset(api: Any) -> None:
    """A current asset account of the organisation's own for valuation (as a person adds it)."""
    org = api.sandbox.state.orgs[DEMO_TENANT]
    template = next(a for a in org.accounts.values() if a["Code"] == "620")
    made = {**template, "AccountID": "7b0a4f1e-1111-4c2b-9d7e-6a5b4c3d2e1f"}
    made.update(Code="631", Name="Inventory at cost", Type="CURRENT")
    org.accounts[made["AccountID"]] = made


def test_the_mode_and_accounts_offer_what_a_valuation_journal_may_post_to(
    people: Any, api: Any
) -> None:
    _add_current_asset(api)
    owner, cid = _connected(people, api)
    html, data = _edit(owner, cid)
    action = f"/connections/{cid}/edit"
    assert data["inventory_mode"] == "off"
    for label in ("Do not sync inventory", "Post valuation entries", "Sync inventory"):
        assert label in html
    asset = options(html, action, "inventory_asset_account")
    assert {"620", "631"} <= set(asset)
    # 630 is Xero's INVENTORY account, 610 a system account, 090 a bank account
    assert not {"630", "610", "090", "200", "310"} & set(asset)
    cogs = options(html, action, "inventory_cogs_account")
    assert "310" in cogs and not {"630", "200", "620", "090"} & set(cogs)
    adjustment = options(html, action, "inventory_adjustment_account")
    assert {"310", "429"} <= set(adjustment) and not {"630", "620"} & set(adjustment)


def test_saving_valuation_sets_its_accounts_and_the_page_shows_them(people: Any, api: Any) -> None:
    _add_current_asset(api)
    owner, cid = _connected(people, api)
    _, data = _edit(owner, cid)
    data.update(
        inventory_mode="valuation",
        inventory_asset_account="631",
        inventory_cogs_account="310",
        inventory_allow_backorders="on",
    )
    saved = owner.post(f"/connections/{cid}/edit", data)
    assert saved.status_code == 303, saved.text
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["inventory_mode"] == "valuation"
    assert (settings["inventory_asset_account"], settings["inventory_cogs_account"]) == (
        "631",
        "310",
    )
    assert settings["inventory_adjustment_account"] is None
    assert settings["inventory_allow_backorders"] is True
    _, shown = _edit(owner, cid)
    assert shown["inventory_mode"] == "valuation"
    assert shown["inventory_asset_account"] == "631"
    assert shown["inventory_allow_backorders"] == "on"

    shown.update(inventory_mode="tracked")
    del shown["inventory_allow_backorders"]  # unticked
    assert owner.post(f"/connections/{cid}/edit", shown).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["inventory_mode"] == "tracked"
    assert settings["inventory_allow_backorders"] is False


def test_valuation_without_an_inventory_asset_account_is_refused_next_to_it(
    people: Any, api: Any
) -> None:
    owner, cid = _connected(people, api)
    _, data = _edit(owner, cid)
    data.update(inventory_mode="valuation", inventory_cogs_account="310")
    refused = owner.post(f"/connections/{cid}/edit", data)
    assert refused.status_code == 422, refused.text
    html = refused.text
    assert 'id="inventory_asset_account-error"' in html
    assert "inventory asset account" in html
    kept = form(html, f"/connections/{cid}/edit").data()
    assert (kept["inventory_mode"], kept["inventory_cogs_account"]) == ("valuation", "310")
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["inventory_mode"] == "off"
