"""Edit connection, the default currency: a dropdown of the currencies the organisation holds
(once read), its plan and region shown (there and on the tile), a currency its plan cannot hold
refused next to the field, and what is saved seen over REST."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.engine.web.conftest import Browser
from tests.engine.web.forms import options
from tests.engine.web.test_connection_edit_page import _edit


def _hong_kong(people: Any, api: Any) -> tuple[Browser, str]:
    """An owner connected to a new Hong Kong organisation (plan STANDARD), synchronized."""
    made = httpx2.post(
        api.sandbox.url + "/_sandbox/orgs",
        json={"count": 1, "prefix": "hk", "country": "HK", "class": "STANDARD"},
        timeout=30,
    ).json()["organisations"][0]
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    reply = api.call(
        "POST",
        "/connections/custom",
        owner.api_key,
        json={"client_id": made["client_id"], "client_secret": made["client_secret"]},
    )
    assert reply.status_code == 201, reply.text
    cid = str(reply.json()["id"])
    done = owner.post(f"/connections/{cid}/synchronize", from_page=f"/connections/{cid}/edit")
    assert done.status_code == 303, done.text
    return owner, cid


def test_the_default_currency_is_chosen_from_the_organisations_currencies(
    people: Any, api: Any
) -> None:
    owner, cid = _hong_kong(people, api)
    html, data = _edit(owner, cid)
    assert options(html, f"/connections/{cid}/edit", "default_currency") == ["HKD", "USD"]
    assert "plan STANDARD, region HK: holds HKD and USD only" in html
    assert "None: the organisation&#39;s base currency (HKD)" in html
    home = owner.get("/")
    assert "<dt>Xero plan</dt><dd>STANDARD · HK</dd>" in home.text  # on the tile

    data["default_currency"] = "USD"
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["default_currency"] == "USD"
    _, shown = _edit(owner, cid)
    assert shown["default_currency"] == "USD"


def test_a_currency_the_plan_cannot_hold_is_refused_next_to_the_field(
    people: Any, api: Any
) -> None:
    owner, cid = _hong_kong(people, api)
    _, data = _edit(owner, cid)
    data["default_currency"] = "EUR"  # not offered; posted by hand
    refused = owner.post(f"/connections/{cid}/edit", data)
    assert refused.status_code == 422
    assert 'id="default_currency-error"' in refused.text
    assert "Upgrade the Xero plan, or send the document in HKD or USD" in refused.text
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["default_currency"] is None


def test_before_the_currencies_are_read_the_code_is_typed(people: Any, api: Any) -> None:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    cid = api.custom(owner.api_key)  # the demo organisation, never synchronized
    html, data = _edit(owner, cid)
    assert "type an ISO 4217 code" in html
    data["default_currency"] = "nzd"
    assert owner.post(f"/connections/{cid}/edit", data).status_code == 303
    settings = api.call("GET", f"/connections/{cid}", owner.api_key).json()["settings"]
    assert settings["default_currency"] == "NZD"
    data["default_currency"] = "XYZ"
    refused = owner.post(f"/connections/{cid}/edit", data)
    assert refused.status_code == 422
    assert "&#39;XYZ&#39; is not an ISO 4217 currency code" in refused.text
