"""Every dashboard route, found from the app itself (a new page is covered the day it lands):
a form without the CSRF token is refused; a viewer changes nothing; a person of one workspace
reaches nothing of another's, by path, query or form, and the other's rows stay as they were."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from ledgerlink import web
from ledgerlink.store.accounts import find_user, members
from ledgerlink.store.db import transaction
from ledgerlink.store.web_sessions import invite
from ledgerlink.web.guard import now
from tests.engine.api.conftest import Api
from tests.engine.web.conftest import Browser, csrf_of

# What a person of any role may post: their own account, signing out, their workspace switch.
ANYONE = {
    "/signout",
    "/account/two-factor/start",
    "/account/two-factor/confirm",
    "/account/recovery-codes",
    "/account/password",
    "/workspace/switch",
}
# Forms shown before sign-in (their CSRF token is bound to a cookie of their own).
OPEN_FORMS = {"/signin", "/signin/code", "/signup", "/invitations/{token}"}


def _dashboard_routes(api: Api) -> list[tuple[str, str]]:
    """Every page module's routes (``web.PAGES`` is what the app mounts)."""
    found = []
    for module in web.PAGES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods or ()):
                if method in ("GET", "POST"):
                    found.append((method, route.path))
    assert len(found) >= 10, found
    return found


def _fill(path: str, ids: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name in ids:
            return ids[name]
        return "1" if name.endswith("event_id") else "00000000-0000-4000-8000-000000000000"

    return re.sub(r"\{([^}]+)\}", one, path)


def _theirs(api: Api, owner: Browser) -> dict[str, str]:
    """Rows of the other workspace: a connection, a document, a queue item, a job, a key..."""
    key = owner.api_key
    connection = api.custom(key)
    document = {
        "contact": {"key": "c-1", "name": "Secret Client Ltd"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Design", "unit_amount": "150", "account_code": "999"}],
    }
    put = api.call("PUT", "/documents/invoice/SECRET-1", key, json=document)
    assert put.status_code in (200, 201), put.text
    shown = api.call("GET", "/documents/invoice/SECRET-1", key).json()
    job = api.call("POST", "/jobs?wait=true", key, json={"connection_id": connection})
    assert job.status_code in (200, 201, 202), job.text
    keys = api.call("GET", "/api-keys", key)
    assert keys.status_code == 200, keys.text
    hook = api.call("POST", "/endpoints", key, json={"url": "http://127.0.0.1:9/hook"})
    assert hook.status_code == 201, hook.text
    with transaction(api.services.factory) as session:
        token = invite(
            session, owner.workspace_id, "their-invitee@example.com", "viewer", None, now()
        )
        user = find_user(session, owner.email)
        assert user is not None
    return {
        "connection_id": connection,
        "document_id": shown["id"],
        "item_id": shown["sync"]["queue_item_id"] if shown.get("sync") else "0",
        "job_id": job.json().get("id", job.json().get("job_id", "0")),
        "key_id": keys.json()[0]["id"],
        "endpoint_id": hook.json()["id"],
        "user_id": user.id,
        "token": token,
        "usage": "sales",
        "item_code": "SECRET-ITEM",
        "kind": "invoice",
        "source_id": "SECRET-1",
    }


def _snapshot(api: Api, key: str) -> Any:
    connections = api.call("GET", "/connections", key).json()
    queue = api.call("GET", "/queue", key).json()
    keys = api.call("GET", "/api-keys", key).json()
    hooks = api.call("GET", "/endpoints", key).json()
    with api.services.factory() as session:
        workspace = api.call("GET", "/workspace", key).json()["id"]
        seats = sorted((u.email, m.role, u.locked_until) for u, m in members(session, workspace))
    return (
        [(c["id"], c["status"], c["settings"]) for c in connections],
        sorted((i["id"], i["state"]) for i in queue["items"]),
        sorted((k["id"], k["revoked_at"]) for k in keys),
        sorted(str(h) for h in hooks),
        seats,
    )


@pytest.fixture
def two_workspaces(people: Any, api: Api) -> tuple[Browser, Browser, dict[str, str]]:
    mine = people()
    mine.sign_in()
    mine.enable_two_factor()
    other = people(email="other-owner@example.com")
    ids = _theirs(api, other)
    return mine, other, ids


def test_a_person_reaches_nothing_of_another_workspace(
    two_workspaces: tuple[Browser, Browser, dict[str, str]], api: Api
) -> None:
    mine, other, ids = two_workspaces
    before = _snapshot(api, other.api_key)
    # their data, never shown to me (an id I typed may be echoed in "no such ...")
    tenant = api.call("GET", "/connections", other.api_key).json()[0]["tenant_name"]
    secrets = ["Secret Client Ltd", tenant]
    csrf = csrf_of(mine.client.get("/account").text)
    tried = 0
    for method, route in _dashboard_routes(api):
        path = _fill(route, ids)
        query = {"connection": ids["connection_id"], "connection_id": ids["connection_id"]}
        if method == "GET":
            reply = mine.client.get(path, params=query, follow_redirects=False)
        else:
            if route in ("/signout",) or route in OPEN_FORMS:
                continue
            form = {
                "csrf_token": csrf,
                **query,
                "item_id": ids["item_id"],
                "code": "XERO_ACCOUNT_CODE_INVALID",
                "key_id": ids["key_id"],
                "document_id": ids["document_id"],
                "active": "off",
                "workspace_id": other.workspace_id,
            }
            reply = mine.client.post(path, data=form, follow_redirects=False)
        tried += 1
        if "{" in route and route not in OPEN_FORMS:
            assert reply.status_code in (303, 403, 404, 422), (method, route, reply.status_code)
            if reply.status_code == 303:
                assert not reply.headers["location"].startswith("/signin"), (method, route)
        for secret in secrets:
            assert secret not in reply.text, (method, route, secret)
    assert tried >= 10
    assert _snapshot(api, other.api_key) == before


def test_every_form_without_its_csrf_token_is_refused(
    two_workspaces: tuple[Browser, Browser, dict[str, str]], api: Api
) -> None:
    mine, _other, _ids = two_workspaces
    posts = [route for method, route in _dashboard_routes(api) if method == "POST"]
    assert len(posts) >= 8
    for route in posts:
        if route in ("/signup",):
            continue  # off on this server: it sends the visitor to sign in, changing nothing
        reply = mine.client.post(_fill(route, {}), data={"active": "off"}, follow_redirects=False)
        assert reply.status_code == 403, (route, reply.status_code)
        assert "CSRF_FAILED" in reply.text, route


def test_a_viewer_posts_nothing_but_their_own_account(people: Any, api: Api) -> None:
    owner = people()
    connection = api.custom(owner.api_key)
    viewer = people("viewer", workspace=owner.workspace_id, email="viewer@example.com")
    viewer.sign_in()
    before = _snapshot(api, owner.api_key)
    csrf = csrf_of(viewer.client.get("/account").text)
    ids = {"connection_id": connection}
    for method, route in _dashboard_routes(api):
        if method != "POST" or route in ANYONE or route in OPEN_FORMS:
            continue
        reply = viewer.client.post(
            _fill(route, ids),
            data={"csrf_token": csrf, "connection_id": connection},
            follow_redirects=False,
        )
        assert reply.status_code == 403, (route, reply.status_code)
        assert "ROLE_FORBIDDEN" in reply.text, route
    assert _snapshot(api, owner.api_key) == before
