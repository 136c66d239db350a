"""Signing in to the dashboard, two-factor sign-in and the rules around them, as a browser
meets them: CSRF on every form, sessions that cannot be planted, a TOTP code that works once,
lockout, and no connecting Xero without two-factor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pyotp
from fastapi.testclient import TestClient

from tests.engine.api.conftest import Api
from tests.engine.web.conftest import PASSWORD, csrf_of


def test_a_page_sends_a_stranger_to_sign_in_and_back(people: Any) -> None:
    ana = people()
    first = ana.get("/xero-app?from=tile")
    assert first.status_code == 303
    assert first.headers["location"] == "/signin?next=%2Fxero-app%3Ffrom%3Dtile"
    form = ana.client.get(first.headers["location"])
    reply = ana.client.post(
        "/signin",
        data={
            "email": ana.email,
            "password": PASSWORD,
            "next": "/xero-app?from=tile",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert reply.headers["location"] == "/xero-app?from=tile"


def test_next_never_leads_off_site(people: Any) -> None:
    ana = people()
    form = ana.client.get("/signin")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        reply = ana.client.post(
            "/signin",
            data={
                "email": ana.email,
                "password": PASSWORD,
                "next": target,
                "csrf_token": csrf_of(form.text),
            },
            follow_redirects=False,
        )
        assert reply.headers["location"] == "/", target


def test_a_wrong_password_names_the_field_and_five_lock_the_account(people: Any) -> None:
    ana = people()
    for _ in range(5):
        wrong = ana.sign_in(password="not the password")
        assert wrong.status_code == 401
        assert "SIGNIN_FAILED" in wrong.text and "field password" in wrong.text
    locked = ana.sign_in()
    assert locked.status_code == 429
    assert "SIGNIN_LOCKED" in locked.text and "locked until" in locked.text


def test_forms_without_the_right_csrf_token_are_refused(people: Any) -> None:
    ana = people()
    ana.sign_in()
    for token in ("", "forged-token-forged-token-forged"):
        refused = ana.post("/account/two-factor/start", csrf=token)
        assert refused.status_code == 403
        assert "CSRF_FAILED" in refused.text
    # and the sign-in form itself (login CSRF): its token is bound to the browser's cookie
    other = TestClient(ana.client.app)
    mine = csrf_of(ana.client.get("/signin").text)
    forged = other.post(
        "/signin",
        data={"email": ana.email, "password": PASSWORD, "csrf_token": mine},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    other.close()


def test_a_session_id_planted_before_sign_in_is_worth_nothing(people: Any) -> None:
    ana = people()
    ana.client.cookies.set(
        "ll_session", "planted-by-an-attacker-0123456789", domain="testserver.local"
    )
    reply = ana.sign_in()
    assert reply.status_code == 303
    issued = ana.client.cookies.get("ll_session")
    assert issued and issued != "planted-by-an-attacker-0123456789"
    thief = TestClient(ana.client.app)
    thief.cookies.set("ll_session", "planted-by-an-attacker-0123456789", domain="testserver.local")
    assert thief.get("/", follow_redirects=False).status_code == 303
    thief.close()


def test_the_password_step_session_does_not_survive_the_second_factor(people: Any) -> None:
    ana = people()
    ana.sign_in()
    ana.enable_two_factor()
    ana.post("/signout", from_page="/")
    form = ana.client.get("/signin")
    first = ana.client.post(
        "/signin",
        data={"email": ana.email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert first.headers["location"].startswith("/signin/code")
    half = ana.client.cookies.get("ll_session")
    assert ana.get("/").status_code == 303  # the password alone opens nothing
    code_page = ana.client.get("/signin/code")
    done = ana.client.post(
        "/signin/code",
        data={"code": ana.totp_next(), "csrf_token": csrf_of(code_page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert ana.client.cookies.get("ll_session") != half
    thief = TestClient(ana.client.app)
    thief.cookies.set("ll_session", half, domain="testserver.local")
    assert thief.get("/", follow_redirects=False).status_code == 303
    thief.close()


def _password_then(browser: Any, code: str) -> Any:
    """Sign in through the forms: the password, then ``code`` on the second step's page; the
    answer to the code."""
    form = browser.client.get("/signin")
    browser.client.post(
        "/signin",
        data={"email": browser.email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    page = browser.client.get("/signin/code")
    return browser.client.post(
        "/signin/code",
        data={"code": code, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_a_totp_code_used_once_is_refused_the_second_time(people: Any) -> None:
    ana = people()
    ana.sign_in()
    ana.enable_two_factor()
    secret = ana.secret
    assert secret
    ana.post("/signout", from_page="/")
    code = pyotp.TOTP(secret).at(datetime.now(UTC), counter_offset=1)
    assert _password_then(ana, code).status_code == 303
    ana.post("/signout", from_page="/")
    reply = _password_then(ana, code)
    assert reply.status_code == 401, reply.text
    assert "TOTP_INVALID" in reply.text and "field code" in reply.text


def test_a_recovery_code_signs_in_once(people: Any) -> None:
    ana = people()
    ana.sign_in()
    codes = ana.enable_two_factor()
    assert len(codes) == 10
    ana.post("/signout", from_page="/")
    assert _password_then(ana, codes[0]).status_code == 303
    ana.post("/signout", from_page="/")
    assert _password_then(ana, codes[0]).status_code == 401


def test_without_two_factor_connecting_is_refused_and_the_page_says_how(people: Any) -> None:
    ana = people()
    ana.sign_in()
    home = ana.client.get("/")
    assert "Connecting needs two-factor sign-in" in home.text
    for path, data in (
        ("/connect", {}),
        ("/connect/custom", {"client_id": "x", "client_secret": "y"}),
        ("/xero-app", {"client_id": "my-app"}),
    ):
        refused = ana.post(path, data, from_page="/")
        assert refused.status_code == 403, path
        assert "TWO_FACTOR_REQUIRED" in refused.text
        assert 'href="/account#two-factor"' in refused.text


def test_connect_goes_through_xero_consent_and_lands_on_the_connection_settings(
    people: Any, api: Api
) -> None:
    ana = people()
    ana.sign_in()
    ana.enable_two_factor()
    started = ana.post("/connect", from_page="/")
    assert started.status_code == 303
    consent = httpx2.get(
        started.headers["location"] + "&sandbox_consent=allow&sandbox_tenants=demo", timeout=10
    )
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    landed = ana.client.get(back.path, params=query, follow_redirects=False)
    assert landed.status_code == 303
    assert landed.headers["location"].endswith("/edit?said=connected")
    home = ana.client.get("/")
    assert "Demo Company (Global)" in home.text or "Demo" in home.text
    listed = api.call("GET", "/connections", ana.api_key).json()
    assert len(listed) == 1 and landed.headers["location"].startswith(
        f"/connections/{listed[0]['id']}/"
    )


def test_a_viewer_sees_the_connections_and_changes_nothing(people: Any, api: Api) -> None:
    owner = people()
    api.custom(owner.api_key)
    viewer = people("viewer", workspace=owner.workspace_id, email="vic@example.com")
    viewer.sign_in()
    home = viewer.client.get("/")
    assert home.status_code == 200 and "Edit connection" in home.text
    assert 'action="/connect"' not in home.text
    connection = api.call("GET", "/connections", owner.api_key).json()[0]["id"]
    for path in (
        "/connect",
        f"/connections/{connection}/active",
        f"/connections/{connection}/disconnect",
        f"/connections/{connection}/synchronize",
    ):
        refused = viewer.post(path, {"active": "off"}, from_page="/")
        assert refused.status_code == 403, path
        assert "ROLE_FORBIDDEN" in refused.text
    assert api.call("GET", f"/connections/{connection}", owner.api_key).json()["status"] == "active"


def test_pages_carry_the_security_headers_and_the_cookie_its_flags(people: Any) -> None:
    ana = people()
    reply = ana.sign_in()
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = ana.client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    behind_tls = TestClient(ana.client.app)
    form = behind_tls.get("/signin", headers={"x-forwarded-proto": "https"})
    assert "Secure" in form.headers["set-cookie"]
    behind_tls.close()


def test_open_sign_up_is_off_unless_configured(people: Any, api: Api) -> None:
    browser = people()
    assert browser.get("/signup").headers["location"] == "/signin"
    api.services.open_signup = True
    form = browser.client.get("/signup")
    made = browser.client.post(
        "/signup",
        data={
            "workspace": "Kea Builders",
            "email": "kea@example.com",
            "name": "Kea",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    home = browser.client.get("/")
    assert "Kea Builders" in home.text and "owner" in home.text
