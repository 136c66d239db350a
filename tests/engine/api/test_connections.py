"""Connecting over REST: the real OAuth flow through the sandbox, custom connections, settings,
Synchronize and disconnect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT


def test_oauth_connect_lists_each_organisation_the_consent_covered(api: Api) -> None:
    key = api.workspace()
    made = api.connect(key, tenants="demo,uk")
    assert {c["tenant_id"] for c in made} == {DEMO_TENANT, UK_TENANT}
    listed = api.call("GET", "/connections", key).json()
    assert len(listed) == 2
    demo = next(c for c in listed if c["tenant_id"] == DEMO_TENANT)
    assert demo["short_code"] and demo["base_currency"] == "AUD"
    assert demo["status"] == "active"


def test_callback_answers_a_browser_with_a_page_and_refuses_a_used_state(api: Api) -> None:
    key = api.workspace()
    url = api.call("POST", "/connections/connect", key).json()["authorize_url"]
    consent = httpx2.get(f"{url}&sandbox_consent=allow&sandbox_tenants=demo", timeout=10)
    back = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers["location"]).query).items()}
    page = api.call("GET", "/connections/callback", params=back, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Connected to Xero" in page.text and "is connected." in page.text
    again = api.call("GET", "/connections/callback", params=back)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "OAUTH_STATE_INVALID"


def test_denied_consent_is_refused_with_its_code(api: Api) -> None:
    key = api.workspace()
    url = api.call("POST", "/connections/connect", key).json()["authorize_url"]
    state = parse_qs(urlsplit(url).query)["state"][0]
    reply = api.call(
        "GET", "/connections/callback", params={"state": state, "error": "access_denied"}
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "OAUTH_DENIED"
    assert api.call("GET", "/connections", key).json() == []


@BOTH_DATABASES
def test_custom_connection_settings_refresh_and_disconnect(api: Api) -> None:
    key = api.workspace()
    made = api.call(
        "POST",
        "/connections/custom",
        key,
        json={"client_id": CUSTOM_CLIENT, "client_secret": CUSTOM_SECRET},
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert made.json()["tenant_id"] == DEMO_TENANT

    changed = api.call(
        "PATCH",
        f"/connections/{cid}/settings",
        key,
        json={"default_revenue_account": "200", "default_sales_tax_type": "OUTPUT"},
    )
    assert changed.status_code == 200, changed.text
    settings = changed.json()["settings"]
    assert settings["default_revenue_account"] == "200" and settings["active"] is True

    typo = api.call("PATCH", f"/connections/{cid}/settings", key, json={"defualt": "1"})
    assert typo.status_code == 422
    assert typo.json()["error"]["code"] == "VALIDATION_FAILED"
    assert typo.json()["error"]["field"] == "settings.defualt"

    refreshed = api.call("POST", f"/connections/{cid}/reference/refresh?full=true", key)
    assert refreshed.status_code == 200, refreshed.text
    counts = refreshed.json()["counts"]
    assert counts["accounts"] > 10 and counts["tax_rates"] > 3
    shown = api.call("GET", f"/connections/{cid}", key).json()
    assert "accounts" in shown["reference_fetched_at"]
    usage = api.call("GET", f"/connections/{cid}/usage", key).json()
    assert usage["calls"] >= 7 and usage["by_status"].get("429") is None

    gone = api.call("DELETE", f"/connections/{cid}", key)
    assert gone.status_code == 200
    assert gone.json()["status"] == "disconnected"
    later = api.call("POST", f"/connections/{cid}/reference/refresh", key)
    assert later.status_code == 409
    assert later.json()["error"]["code"] == "CONNECTION_INACTIVE"


def test_custom_connection_with_a_wrong_secret_is_refused_not_a_500(api: Api) -> None:
    key = api.workspace()
    reply = api.call(
        "POST",
        "/connections/custom",
        key,
        json={"client_id": CUSTOM_CLIENT, "client_secret": "wrong"},
    )
    assert 400 <= reply.status_code < 500, reply.text
    missing = api.call("POST", "/connections/custom", key, json={"client_id": CUSTOM_CLIENT})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "client_secret"
