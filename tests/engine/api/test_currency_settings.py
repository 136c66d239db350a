"""settings.default_currency over REST: an ISO 4217 code, stored upper-case; one that is not
a currency refused with the field named; the organisation's currencies, once read, decide."""

from __future__ import annotations

from tests.engine.api.conftest import Api


def test_the_default_currency_is_checked_and_stored(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    path = f"/connections/{cid}/settings"

    bad = api.call("PATCH", path, key, json={"default_currency": "dollars"})
    assert bad.status_code == 422
    assert (bad.json()["error"]["code"], bad.json()["error"]["field"]) == (
        "VALIDATION_FAILED",
        "settings.default_currency",
    )
    assert api.call("PATCH", path, key, json={"default_currency": "jpy"}).status_code == 200
    shown = api.call("GET", f"/connections/{cid}", key).json()["settings"]
    assert shown["default_currency"] == "JPY"  # the currencies were never read: taken

    assert api.call("POST", f"/connections/{cid}/reference/refresh", key).status_code == 200
    refused = api.call("PATCH", path, key, json={"default_currency": "CAD"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == (
        "XERO_CURRENCY_NOT_ENABLED",
        "settings.default_currency",
    )
    assert error["fix"].startswith("Enable the currency in Xero")
    assert api.call("PATCH", path, key, json={"default_currency": "NZD"}).status_code == 200
    assert api.call("PATCH", path, key, json={"default_currency": None}).status_code == 200
    shown = api.call("GET", f"/connections/{cid}", key).json()["settings"]
    assert shown["default_currency"] is None
