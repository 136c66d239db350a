"""Accounting channel (the store's form): each field is a setting that already exists (name,
payment_account_code, product in not_sent, active) or the workspace's own Xero app, saved
through the same paths and seen over REST; Create Nonexistent Products releases the orders it
held; the secret is never shown and an unchanged Client ID keeps it; viewers are refused."""

from __future__ import annotations

from typing import Any

from ledgerlink.store.workspaces import workspace_app
from ledgerlink.sync.refresh import ring_for
from tests.engine.web.conftest import Browser
from tests.engine.web.forms import form, options


def _connected(people: Any, api: Any) -> tuple[Browser, str]:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    cid = api.custom(owner.api_key)
    done = owner.post(f"/connections/{cid}/synchronize", from_page=f"/connections/{cid}/edit")
    assert done.status_code == 303, done.text
    return owner, cid


def _fields(browser: Browser, cid: str) -> tuple[str, dict[str, Any]]:
    page = browser.get(f"/connections/{cid}/store")
    assert page.status_code == 200, page.text
    data = form(page.text, f"/connections/{cid}/store").data()
    del data["csrf_token"]
    return page.text, data


def _settings(api: Any, owner: Browser, cid: str) -> dict[str, Any]:
    return dict(api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"])


def test_the_store_form_saves_into_the_settings_there_are(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    html, data = _fields(owner, cid)
    action = f"/connections/{cid}/store"
    assert options(html, action, "payment_account_code") == ["090", "091", "850"]
    assert options(html, action, "shipping_account_code") == ["200", "260", "270"]
    assert data["add_products"] == "on" and "create_nonexistent_products" not in data
    data.update(
        name="Web shop",
        payment_account_code="091",
        shipping_account_code="260",
        create_nonexistent_products="on",
    )
    del data["add_products"]
    saved = owner.post(action, data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{action}?said=saved"
    settings = _settings(api, owner, cid)
    assert settings["name"] == "Web shop"
    assert settings["payment_account_code"] == "091"
    assert settings["shipping_account_code"] == "260"
    assert settings["create_nonexistent_products"] is True
    assert settings["not_sent"] == ["product"]
    assert settings["active"] is True

    page = owner.get(f"{action}?said=saved")
    assert "Saved." in page.text and "Web shop" in page.text
    shown = form(page.text, action).data()
    assert "add_products" not in shown and shown["create_nonexistent_products"] == "on"
    # the same settings on Edit connection: one setting, two forms
    edit = form(owner.get(f"/connections/{cid}/edit").text, f"/connections/{cid}/edit")
    assert edit.data()["name"] == "Web shop"
    assert "product" not in edit.many("send")

    del shown["active"], shown["csrf_token"]
    assert owner.post(action, shown).status_code == 303
    assert _settings(api, owner, cid)["active"] is False


def test_the_client_id_and_secret_are_the_workspaces_own_xero_app(people: Any, api: Any) -> None:
    owner, cid = _connected(people, api)
    owner.enable_two_factor()
    _, data = _fields(owner, cid)
    data.update(client_id="APP-CLIENT-1", client_secret="s3cret-value")
    assert owner.post(f"/connections/{cid}/store", data).status_code == 303
    ring = ring_for(api.services.settings)
    with api.services.factory() as session:
        app = workspace_app(session, ring, owner.workspace_id)
    assert app is not None and (app.client_id, app.client_secret) == (
        "APP-CLIENT-1",
        "s3cret-value",
    )
    page, data = _fields(owner, cid)
    assert "s3cret-value" not in page and data["client_secret"] == ""
    assert "stored: empty keeps it" in page
    data["name"] = "Renamed"  # a save without a secret keeps it
    assert owner.post(f"/connections/{cid}/store", data).status_code == 303
    with api.services.factory() as session:
        app = workspace_app(session, ring, owner.workspace_id)
    assert app is not None and app.client_secret == "s3cret-value"
    xero_app = owner.get("/xero-app").text
    assert 'value="APP-CLIENT-1"' in xero_app  # the same storage as Use your own Xero app


def test_a_bad_account_is_refused_naming_the_field_and_viewers_cannot_save(
    people: Any, api: Any
) -> None:
    owner, cid = _connected(people, api)
    _, data = _fields(owner, cid)
    data["discount_account_code"] = "X" * 11
    refused = owner.post(f"/connections/{cid}/store", data)
    assert refused.status_code == 422, refused.text
    assert 'id="discount_account_code-error"' in refused.text
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    assert viewer.post(f"/connections/{cid}/store", data).status_code == 403
