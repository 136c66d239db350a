"""Edit connection: Xero's own lists filtered by what fits, saving through update_settings (seen
over REST), form errors naming the field with what was typed kept, a save without a change
moving nothing (the next invoice number included), viewers refused, other workspaces' ids not
found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, NumberCounter
from tests.engine.web.conftest import Browser
from tests.engine.web.forms import form, options
from xero_sandbox.seed import DEMO_TENANT


def _connected(people: Any, api: Any, *, synchronized: bool = True) -> tuple[Browser, str]:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    cid = api.custom(owner.api_key)
    if synchronized:
        done = owner.post(f"/connections/{cid}/synchronize", from_page=f"/connections/{cid}/edit")
        assert done.status_code == 303, done.text
    return owner, cid


def test_a_tax_rate_deleted_in_xero_is_not_offered(people: Any, api: Any) -> None:
    org = api.sandbox.state.orgs[DEMO_TENANT]
    org.tax_rates["EXEMPTOUTPUT"]["Status"] = "DELETED"
    owner, cid = _connected(people, api)
    html, _ = _edit(owner, cid)
    offered = options(html, f"/connections/{cid}/edit", "default_sales_tax_type")
    assert "OUTPUT" in offered and "EXEMPTOUTPUT" not in offered


def _edit(browser: Browser, cid: str) -> tuple[str, dict[str, Any]]:
    """The page and its settings form's fields (without the CSRF token: ``post`` adds the
    posting browser's own)."""
    page = browser.get(f"/connections/{cid}/edit")
    assert page.status_code == 200, page.text
    data = form(page.text, f"/connections/{cid}/edit").data()
    del data["csrf_token"]
    return page.text, data


def test_the_dropdowns_offer_only_fitting_active_choices_from_xeros_lists(
    people: Any, api: Any
) -> None:
    owner, cid = _connected(people, api)
    html, _ = _edit(owner, cid)
    action = f"/connections/{cid}/edit"
    assert "Ledgerlink Demo Company" in html  # the connection's name
    assert options(html, action, "default_revenue_account") == ["200", "260", "270"]
    expense = options(html, action, "default_expense_account")
    assert {"310", "400", "429", "477"} <= set(expense)
    # archived (499), bank (090), liability (800, 850), asset, system: not offered
    assert not {"499", "090", "800", "850", "610", "630"} & set(expense)
    assert options(html, action, "payment_account_code") == ["090", "091", "850"]
    sales_tax = options(html, action, "default_sales_tax_type")
    assert "OUTPUT" in sales_tax and "INPUT" not in sales_tax and "GSTONIMPORTS" not in sales_tax
    purchase_tax = options(html, action, "default_purchase_tax_type")
    assert "INPUT" in purchase_tax and "OUTPUT" not in purchase_tax
    assert "GST on Income (OUTPUT, 10%)" in html


def test_saving_sets_the_settings_rest_then_shows(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    _, data = _edit(owner, cid)
    data.update(
        branches="North\n  South \n",
        invoice_number_prefix="INV-",
        invoice_next_number="0042",
        default_revenue_account="260",
        default_sales_tax_type="OUTPUT",
        default_expense_account="429",
        default_purchase_tax_type="INPUT",
        payment_account_code="090",
        mode="scheduled",
        schedule="0 2 * * *",
    )
    saved = owner.post(f"/connections/{cid}/edit", data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/connections/{cid}/edit?said=saved"

    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["branches"] == ["North", "South"]
    assert settings["invoice_number_prefix"] == "INV-"
    assert (settings["invoice_next_number"], settings["invoice_number_digits"]) == (42, 4)
    assert settings["default_revenue_account"] == "260"
    assert settings["default_sales_tax_type"] == "OUTPUT"
    assert settings["default_expense_account"] == "429"
    assert settings["default_purchase_tax_type"] == "INPUT"
    assert settings["payment_account_code"] == "090"
    assert (settings["mode"], settings["schedule"]) == ("scheduled", "0 2 * * *")
    assert settings["active"] is True

    page = owner.get(f"/connections/{cid}/edit?said=saved")
    assert "Saved." in page.text
    shown = form(page.text, f"/connections/{cid}/edit")
    assert shown.data()["default_revenue_account"] == "260"
    assert shown.data()["branches"] == "North\nSouth"

    # the active switch: unticked is off
    data = shown.data()
    del data["active"]
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["active"] is False


def test_a_save_without_a_change_moves_nothing(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    key = owner.api_key
    sequence = {"invoice_number_prefix": "INV-", "invoice_next_number": 10}
    assert api.call("PATCH", f"/connections/{cid}/settings", key, json=sequence).status_code == 200
    factory = api.services.factory
    with transaction(factory) as session:  # numbers given out since: the sequence stands at 15
        session.add(NumberCounter(connection_id=cid, kind="invoice", next_number=15))
    before = api.call("GET", f"/connections/{cid}", key).json()["settings"]
    assert before["invoice_next_number"] == 15

    _, data = _edit(owner, cid)
    assert data["invoice_next_number"] == "15" and data["shown_next_number"] == "15"
    with transaction(factory) as session:  # two more numbers given while the page was open
        session.execute(update(NumberCounter).values(next_number=17))
        stamp = session.get(Connection, cid).updated_at  # type: ignore[union-attr]
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    with factory() as session:
        assert session.get(NumberCounter, (cid, "invoice")).next_number == 17  # type: ignore[union-attr]
        assert session.get(Connection, cid).updated_at == stamp  # type: ignore[union-attr]
    assert api.call("GET", f"/connections/{cid}", key).json()["settings"] == {
        **before,
        "invoice_next_number": 17,
    }

    # a number the person typed moves the sequence there
    _, data = _edit(owner, cid)
    data["invoice_next_number"] = "30"
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    with factory() as session:
        assert session.get(NumberCounter, (cid, "invoice")).next_number == 30  # type: ignore[union-attr]


def test_form_errors_name_the_field_and_keep_what_was_typed(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    _, data = _edit(owner, cid)
    for name, value, code in (
        ("schedule", "every tuesday", "VALIDATION_FAILED"),
        ("invoice_next_number", "forty", "VALIDATION_FAILED"),
        ("poll_minutes", "2", "VALIDATION_FAILED"),
        ("invoice_number_prefix", "X" * 51, "VALIDATION_FAILED"),
    ):
        sent = {**data, "branches": "Typed branch", name: value}
        if name == "schedule":
            sent["mode"] = "scheduled"
        refused = owner.post(f"/connections/{cid}/edit", sent)
        assert refused.status_code == 422, (name, refused.text)
        html = refused.text
        assert code in html and f"field {name}" in html
        assert f'id="{name}-error"' in html
        assert f'aria-describedby="{name}-error"' in html
        kept = form(html, f"/connections/{cid}/edit").data()
        assert kept[name] == value and kept["branches"] == "Typed branch"
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["branches"] == [] and settings["schedule"] is None


def test_before_the_first_synchronize_codes_are_typed(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api, synchronized=False)
    landed = owner.get(f"/connections/{cid}/edit?said=connected")  # where Connect comes back
    assert "Connected to Xero. Check the settings below, then save." in landed.text
    html, data = _edit(owner, cid)
    assert "never: press Synchronize" in html
    assert "default_revenue_account" not in form(html, f"/connections/{cid}/edit").selects
    data["default_revenue_account"] = "200"
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["default_revenue_account"] == "200"


def test_a_code_set_over_rest_stays_offered_and_selected(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    change = {"default_revenue_account": "499"}  # archived in Xero: not among the choices
    patched = api.call("PATCH", f"/connections/{cid}/settings", owner.api_key, json=change)
    assert patched.status_code == 200
    html, data = _edit(owner, cid)
    assert data["default_revenue_account"] == "499"
    assert "499 (not among Xero's fitting active ones)" in html


def test_a_viewer_reads_but_every_post_is_refused(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    page = viewer.get(f"/connections/{cid}/edit")
    assert page.status_code == 200
    shown = form(page.text, f"/connections/{cid}/edit")
    assert shown.selects["default_revenue_account"].disabled
    assert ">Save<" not in page.text and "Synchronize</button>" not in page.text
    _, data = _edit(owner, cid)
    for path in (f"/connections/{cid}/edit", f"/connections/{cid}/synchronize"):
        refused = viewer.post(path, data, from_page="/account")
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text


def test_another_workspaces_connection_is_not_found(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    stranger = people("owner")
    assert stranger.sign_in().status_code == 303
    assert stranger.get(f"/connections/{cid}/edit").status_code == 404
    _, data = _edit(owner, cid)
    data["default_revenue_account"] = "260"
    refused = stranger.post(f"/connections/{cid}/edit", data, from_page="/account")
    assert refused.status_code == 404 and "CONNECTION_NOT_FOUND" in refused.text
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["default_revenue_account"] is None


def test_a_missing_or_wrong_csrf_token_is_refused(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    _, data = _edit(owner, cid)
    for token in ("", "not-the-token"):
        refused = owner.post(f"/connections/{cid}/edit", {**data, "csrf_token": token})
        assert refused.status_code == 403 and "CSRF_FAILED" in refused.text


def test_a_connection_is_named_on_the_page_and_its_tile_keeps_the_organisation(
    people: Any, api: Any
) -> None:
    owner, cid = _connected(people, api, synchronized=False)
    _, data = _edit(owner, cid)
    saved = owner.post(f"/connections/{cid}/edit", {**data, "name": "Head office"}, from_page="/")
    assert saved.status_code == 303, saved.text
    shown = api.call("GET", f"/connections/{cid}", owner.api_key).json()
    assert shown["settings"]["name"] == "Head office"
    home = owner.get("/").text
    assert "Head office" in home and "Ledgerlink Demo Company (AU) in Xero" in home
    cleared = owner.post(f"/connections/{cid}/edit", {**data, "name": ""}, from_page="/")
    assert cleared.status_code == 303
    assert api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]["name"] is None


def test_what_syncs_per_kind_is_set_on_the_page_and_holds_then_releases(
    people: Any, api: Any
) -> None:
    owner, cid = _connected(people, api, synchronized=False)
    action = f"/connections/{cid}/edit"
    page = owner.get(action).text
    shown = form(page, action)
    assert "invoice" in shown.many("send") and "invoice" in shown.many("read")
    data: dict[str, Any] = {k: v for k, v in shown.fields if k not in ("send", "read")}
    del data["csrf_token"]
    data["send"] = [k for k in shown.many("send") if k != "invoice"]
    data["read"] = [k for k in shown.many("read") if k != "payment"]
    saved = owner.post(action, data, from_page=action)
    assert saved.status_code == 303, saved.text
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert (settings["not_sent"], settings["not_read"]) == (["invoice"], ["payment"])
    again = form(owner.get(action).text, action)
    assert "invoice" not in again.many("send") and "payment" not in again.many("read")

    document = {
        "contact": {"key": "c-1", "name": "Bayside Club"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Design", "unit_amount": "150", "account_code": "200"}],
    }
    assert (
        api.call("PUT", "/documents/invoice/W-1", owner.api_key, json=document).status_code == 200
    )
    api.services.sync()
    held = api.call("GET", "/documents/invoice/W-1", owner.api_key).json()["sync"]
    assert held["state"] == "needs_attention" and held["error"]["code"] == "KIND_NOT_SENT"

    data["send"] = shown.many("send")  # invoices sent again: the held one goes back
    assert owner.post(action, data, from_page=action).status_code == 303
    api.services.sync()
    sent = api.call("GET", "/documents/invoice/W-1", owner.api_key).json()
    assert sent["sync"]["state"] == "done" and sent["link"] is not None
