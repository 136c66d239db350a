"""Edit connection's tabs (the inventory app's Items, Customers, Invoices, Vendors, Company,
Schedule): each shows its own fields and What syncs rows, a nav marks the current one, a save
changes the tab's own settings only (every other setting, checkboxes and What syncs rows of
other tabs included, stays exactly as it was) and comes back to the tab with the notice; a
refusal is shown next to its field on the tab posted; the CSRF and viewer rules hold for every
tab; All settings (no ``tab``) is still the whole form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ledgerlink import kinds
from tests.engine.web.conftest import Browser
from tests.engine.web.forms import Form, form, options
from tests.engine.web.test_connection_edit_page import _connected

# What each tab's form holds (besides csrf_token and tab), from the brief, spelled out here.
WHAT_SYNCS = {"send", "read", "directions_shown"}
FIELDS = {
    "items": {
        "inventory_mode",
        "inventory_asset_account",
        "inventory_cogs_account",
        "inventory_adjustment_account",
        "tracked_inventory_asset_account",
        "tracked_cogs_account",
        "inventory_allow_backorders",
        *WHAT_SYNCS,
    },
    "customers": {"default_revenue_account", "default_sales_tax_type", *WHAT_SYNCS},
    "invoices": {
        "invoice_number_prefix",
        "invoice_next_number",
        "invoice_number_digits",
        "shown_next_number",
        "payment_account_code",
        *WHAT_SYNCS,
    },
    "vendors": {
        "default_expense_account",
        "default_purchase_tax_type",
        "bill_number_required",
        "approve_bills",
        *WHAT_SYNCS,
    },
    "company": {"name", "active", "branches", "default_currency"},
    "schedule": {"mode", "schedule", "poll_minutes"},
}
ROWS = {
    "items": {"product", "stock_movement"},
    "customers": {"customer"},
    "invoices": {"invoice", "credit_note", "payment", "order"},
    "vendors": {"supplier", "expense", "purchase_order", "pay_run"},
    "company": set(),
    "schedule": set(),
}
LABELS = ["Items", "Customers", "Invoices", "Vendors", "Company", "Schedule", "All settings"]

# Every setting the tabs hold, away from its default, so a save that read a field it does not
# show (an absent checkbox as off, a missing row as unticked) would show as a change.
BEFORE = {
    "name": "Head office",
    "active": True,
    "branches": ["North"],
    "invoice_number_prefix": "INV-",
    "invoice_next_number": 10,
    "invoice_number_digits": 4,
    "default_revenue_account": "200",
    "default_sales_tax_type": "OUTPUT",
    "default_expense_account": "400",
    "default_purchase_tax_type": "INPUT",
    "payment_account_code": "090",
    "bill_number_required": True,
    "approve_bills": False,
    "inventory_mode": "valuation",
    "inventory_asset_account": "620",
    "inventory_cogs_account": "310",
    "inventory_allow_backorders": True,
    "not_sent": ["customer", "supplier", "product", "payment"],
    "not_read": ["invoice", "expense"],
    "mode": "scheduled",
    "schedule": "0 2 * * *",
    "poll_minutes": 30,
}


def _settings(api: Any, owner: Browser, cid: str) -> dict[str, Any]:
    """The stored settings, What syncs lists as sets (their order means nothing)."""
    found: dict[str, Any] = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    return {k: set(v) if k in ("not_sent", "not_read") else v for k, v in found.items()}


@pytest.fixture
def set_up(people: Any, api: Any) -> tuple[Browser, str, dict[str, Any]]:
    owner, cid = _connected(people, api)
    patched = api.call("PATCH", f"/connections/{cid}/settings", owner.api_key, json=BEFORE)
    assert patched.status_code == 200, patched.text
    return owner, cid, _settings(api, owner, cid)


def _tab(browser: Browser, cid: str, tab: str) -> tuple[str, Form]:
    page = browser.get(f"/connections/{cid}/edit?tab={tab}")
    assert page.status_code == 200, page.text
    return page.text, form(page.text, f"/connections/{cid}/edit")


def _rows(html: str) -> set[str]:
    return set(re.findall(r'name="send" value="([a-z_]+)"', html))


def _current(html: str) -> list[str]:
    nav = html.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'aria-current="page">([^<]+)</a>', nav)


def test_each_tab_shows_its_own_fields_and_rows_and_marks_itself(
    set_up: tuple[Browser, str, dict[str, Any]],
) -> None:
    owner, cid, _ = set_up
    for tab, fields in FIELDS.items():
        html, shown = _tab(owner, cid, tab)
        assert set(shown.controls) == {"csrf_token", "tab", *fields}, tab
        assert shown.data()["tab"] == tab
        assert _rows(html) == ROWS[tab], tab
        assert _current(html) == [LABELS[list(FIELDS).index(tab)]], tab
        for label, key in zip(LABELS, [*FIELDS, None], strict=True):
            href = f"/connections/{cid}/edit" + (f"?tab={key}" if key else "")
            assert f'<a href="{href}"' in html and f">{label}</a>" in html
    # no tab: All settings, the whole form, posting no tab
    page = owner.get(f"/connections/{cid}/edit")
    whole = form(page.text, f"/connections/{cid}/edit")
    assert set(whole.controls) == {"csrf_token", *set().union(*FIELDS.values())}
    assert _rows(page.text) == set().union(*ROWS.values()) == set(kinds.names())  # each on one
    assert _current(page.text) == ["All settings"]
    # the tabs' extras: the organisation's facts on Company, the item links on Items
    assert 'id="xero-plan"' in _tab(owner, cid, "company")[0]
    items = _tab(owner, cid, "items")[0]
    assert f'href="/mappings?connection={cid}">Mappings: item overrides' in items
    assert "Add Products to Xero, Create Nonexistent Products" in items
    assert f'href="/connections/{cid}/store">Accounting channel: Add Products' in items
    vendors = _tab(owner, cid, "vendors")[0]
    for words in (
        "Awaiting approval",
        "Awaiting payment (approved)",
        "Awaiting payment only with Sync inventory (default)",
    ):
        assert f"> {words}</label>" in vendors
    assert owner.get(f"/connections/{cid}/edit?tab=bogus").status_code == 404


def _first_other(html: str, cid: str, name: str, than: Any) -> str:
    return next(v for v in options(html, f"/connections/{cid}/edit", name) if v != than)


def _changed(tab: str, html: str, cid: str, data: dict[str, Any]) -> dict[str, Any]:
    """Change every setting of the tab in the posted ``data``; the settings expected after."""
    rows = ROWS[tab]
    send = set(data.get("send") or [])
    read = set(data.get("read") or [])
    if tab == "items":
        data.update(
            inventory_mode="tracked",
            inventory_adjustment_account="310",
            tracked_inventory_asset_account="630",
        )
        del data["inventory_allow_backorders"]  # unticked
        data["send"] = sorted((send | {"product"}) - {"stock_movement"})
        return {
            "inventory_mode": "tracked",
            "inventory_adjustment_account": "310",
            "tracked_inventory_asset_account": "630",
            "inventory_allow_backorders": False,
            "not_sent": ["customer", "supplier", "stock_movement", "payment"],
        }
    if tab == "customers":
        revenue = _first_other(html, cid, "default_revenue_account", "200")
        data.update(default_revenue_account=revenue)
        data["send"] = sorted(send | rows)
        data["read"] = sorted(read - rows)
        return {
            "default_revenue_account": revenue,
            "not_sent": ["supplier", "product", "payment"],
            "not_read": ["customer", "invoice", "expense"],
        }
    if tab == "invoices":
        data.update(invoice_number_prefix="SO-", payment_account_code="091")
        data["send"] = sorted(send | {"payment"})
        data["read"] = sorted(read | {"invoice"})
        return {
            "invoice_number_prefix": "SO-",
            "payment_account_code": "091",
            "not_sent": ["customer", "supplier", "product"],
            "not_read": ["expense"],
        }
    if tab == "vendors":
        data.update(default_expense_account="429", approve_bills="true")
        del data["bill_number_required"]  # unticked
        data["send"] = sorted(send | {"supplier"})
        data["read"] = sorted(read - {"purchase_order"})
        return {
            "default_expense_account": "429",
            "approve_bills": True,
            "bill_number_required": False,
            "not_sent": ["customer", "product", "payment"],
            "not_read": ["invoice", "expense", "purchase_order"],
        }
    if tab == "company":
        currency = options(html, f"/connections/{cid}/edit", "default_currency")[0]
        data.update(name="Branch office", branches="North\nSouth", default_currency=currency)
        del data["active"]  # unticked
        return {
            "name": "Branch office",
            "branches": ["North", "South"],
            "default_currency": currency,
            "active": False,
        }
    data.update(mode="immediate", poll_minutes="60")
    return {"mode": "immediate", "poll_minutes": 60.0}


@pytest.mark.parametrize("tab", list(FIELDS))
def test_saving_a_tab_changes_its_own_settings_only_and_comes_back_to_it(
    set_up: tuple[Browser, str, dict[str, Any]], api: Any, tab: str
) -> None:
    owner, cid, before = set_up
    html, shown = _tab(owner, cid, tab)
    data = shown.data()
    del data["csrf_token"]
    for name in ("send", "read"):  # one box ticked is one value: always a list here
        if name in data:
            data[name] = shown.many(name)

    # posted unchanged, nothing changes (no absent checkbox read as off)
    same = owner.post(f"/connections/{cid}/edit", data)
    assert same.status_code == 303, same.text
    assert _settings(api, owner, cid) == before

    expected = _changed(tab, html, cid, data)
    saved = owner.post(f"/connections/{cid}/edit", data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/connections/{cid}/edit?tab={tab}&said=saved"
    lists = {k: set(v) for k, v in expected.items() if k in ("not_sent", "not_read")}
    assert _settings(api, owner, cid) == {**before, **expected, **lists}

    back = owner.get(saved.headers["location"])
    assert "Saved." in back.text and _current(back.text) == [LABELS[list(FIELDS).index(tab)]]


def test_approve_bills_is_a_choice_of_three_stored_as_true_false_or_absent(
    set_up: tuple[Browser, str, dict[str, Any]], api: Any
) -> None:
    owner, cid, before = set_up
    _, shown = _tab(owner, cid, "vendors")
    assert shown.data()["approve_bills"] == "false"  # Awaiting approval
    approved, awaiting = "Awaiting payment (AUTHORISED)", "Awaiting approval (SUBMITTED)"
    for chosen, stored, now in (
        ("true", True, approved),
        ("default", None, awaiting),  # the inventory mode is Post valuation entries
        ("false", False, awaiting),
    ):
        data = {**shown.data(), "approve_bills": chosen}
        del data["csrf_token"]
        assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
        assert _settings(api, owner, cid) == {**before, "approve_bills": stored}
        html, again = _tab(owner, cid, "vendors")
        assert again.data()["approve_bills"] == chosen
        assert f"approved expenses go to Xero as {now}." in html
    # the default follows the Items tab's inventory mode: Sync inventory approves them
    data = {**shown.data(), "approve_bills": "default"}
    del data["csrf_token"]
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    items = {**_tab(owner, cid, "items")[1].data(), "inventory_mode": "tracked"}
    del items["csrf_token"]
    assert owner.post(f"/connections/{cid}/edit", items).status_code == 303
    assert f"approved expenses go to Xero as {approved}." in _tab(owner, cid, "vendors")[0]
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303  # unchanged
    patched = {"approve_bills": False, "inventory_mode": "valuation"}
    restored = api.call("PATCH", f"/connections/{cid}/settings", owner.api_key, json=patched)
    assert restored.status_code == 200, restored.text
    refused = owner.post(f"/connections/{cid}/edit", {**data, "approve_bills": "maybe"})
    assert refused.status_code == 422
    assert 'id="approve_bills-error"' in refused.text and "three choices" in refused.text
    assert _settings(api, owner, cid) == before


@pytest.mark.parametrize(
    ("tab", "change", "field"),
    [
        ("items", {"inventory_asset_account": ""}, "inventory_asset_account"),
        ("schedule", {"poll_minutes": "2"}, "poll_minutes"),
        ("schedule", {"schedule": "every tuesday"}, "schedule"),
        ("invoices", {"invoice_next_number": "forty"}, "invoice_next_number"),
        ("company", {"name": "N" * 101}, "name"),
    ],
)
def test_a_refusal_is_shown_next_to_its_field_on_the_tab_posted(
    set_up: tuple[Browser, str, dict[str, Any]],
    api: Any,
    tab: str,
    change: dict[str, str],
    field: str,
) -> None:
    owner, cid, before = set_up
    _, shown = _tab(owner, cid, tab)
    data = {**shown.data(), **change}
    del data["csrf_token"]
    refused = owner.post(f"/connections/{cid}/edit", data)
    assert refused.status_code == 422, refused.text
    html = refused.text
    assert f'id="{field}-error"' in html and f'aria-describedby="{field}-error"' in html
    assert _current(html) == [LABELS[list(FIELDS).index(tab)]]
    kept = form(html, f"/connections/{cid}/edit")
    assert set(kept.controls) == {"csrf_token", "tab", *FIELDS[tab]}  # still this tab
    assert kept.data()[field] == change[field] and kept.data()["tab"] == tab
    assert _settings(api, owner, cid) == before


def test_every_tab_refuses_a_post_without_csrf_and_any_post_of_a_viewer(
    set_up: tuple[Browser, str, dict[str, Any]], people: Any, api: Any
) -> None:
    owner, cid, before = set_up
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    for tab in FIELDS:
        html, shown = _tab(owner, cid, tab)
        data = shown.data()
        del data["csrf_token"]
        _changed(tab, html, cid, data)  # what a save would change
        forged = owner.client.post(f"/connections/{cid}/edit", data=data, follow_redirects=False)
        assert forged.status_code == 403 and "CSRF_FAILED" in forged.text, tab

        html, seen = _tab(viewer, cid, tab)
        hidden = {"csrf_token", "tab", "shown_next_number", "directions_shown"}
        assert seen.data().keys() <= hidden, tab  # every field disabled
        assert "Save</button>" not in html
        refused = viewer.post(
            f"/connections/{cid}/edit", data, from_page=f"/connections/{cid}/edit"
        )
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text, tab
    bogus = owner.post(f"/connections/{cid}/edit", {"tab": "bogus", "active": "on"})
    assert bogus.status_code == 404
    assert _settings(api, owner, cid) == before
