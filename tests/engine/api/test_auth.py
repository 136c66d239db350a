"""API keys scope every call to one workspace; another workspace's ids are simply not found."""

from __future__ import annotations

from tests.engine.api.conftest import API, BOTH_DATABASES, Api


def test_openapi_lists_the_routes_and_the_document_schemas(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        f"{API}/workspaces",
        f"{API}/connections/connect",
        f"{API}/connections/callback",
        f"{API}/connections/{{connection_id}}/settings",
        f"{API}/connections/{{connection_id}}/reference/refresh",
        f"{API}/documents/{{kind}}/{{source_id}}",
        f"{API}/documents/{{kind}}/bulk",
        f"{API}/queue",
        f"{API}/queue/{{item_id}}/retry",
        f"{API}/jobs",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    assert "quantity" in schemas["Line"]["properties"]
    assert {"SalesInvoice", "Expense", "ContactRef"} <= set(schemas)


def test_workspace_key_is_shown_once_and_works(api: Api) -> None:
    key = api.workspace("Acme Plumbing")
    me = api.call("GET", "/workspace", key)
    assert me.status_code == 200
    assert me.json()["name"] == "Acme Plumbing"


def test_missing_and_wrong_keys_are_refused_with_codes(api: Api) -> None:
    missing = api.call("GET", "/connections")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "AUTH_MISSING"
    assert missing.json()["error"]["fix"].startswith("Send the workspace API key")
    wrong = api.call("GET", "/connections", "ll_not-a-real-key-at-all")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "AUTH_INVALID"
    scheme = api.call("GET", "/connections", headers={"Authorization": "Basic abc"})
    assert scheme.status_code == 401


def test_admin_token_guards_workspace_creation_when_set(api: Api) -> None:
    api.services.admin_token = "s3cret-admin"
    refused = api.call("POST", "/workspaces", json={"name": "X"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "AUTH_MISSING"
    wrong = api.call("POST", "/workspaces", "nope", json={"name": "X"})
    assert wrong.json()["error"]["code"] == "AUTH_INVALID"
    made = api.call("POST", "/workspaces", "s3cret-admin", json={"name": "X"})
    assert made.status_code == 201
    assert made.json()["api_key"].startswith("ll_")


def test_without_an_admin_token_no_one_creates_a_workspace_over_rest(api: Api) -> None:
    """The default of a server started without LEDGERLINK_ADMIN_TOKEN: closed, and the answer
    says how to open it or how to make the first owner instead."""
    api.services.admin_token = None
    refused = api.call("POST", "/workspaces", "anything", json={"name": "X"})
    assert refused.status_code == 401
    error = refused.json()["error"]
    assert error["code"] == "AUTH_INVALID"
    assert "LEDGERLINK_ADMIN_TOKEN" in error["message"]
    assert "ledgerlink admin create-user" in error["message"]


def test_an_empty_admin_token_in_the_environment_is_no_token(monkeypatch) -> None:
    from ledgerlink.sync.engine import Engine

    monkeypatch.setenv("LEDGERLINK_ADMIN_TOKEN", "  ")
    with Engine.open("sqlite://") as engine:
        assert engine.admin_token is None
    monkeypatch.setenv("LEDGERLINK_ADMIN_TOKEN", "tok")
    with Engine.open("sqlite://") as engine:
        assert engine.admin_token == "tok"


@BOTH_DATABASES
def test_another_workspaces_connection_is_not_found(api: Api) -> None:
    mine, theirs = api.workspace("Mine"), api.workspace("Theirs")
    connection = api.connect(theirs)[0]
    cid = connection["id"]
    assert api.call("GET", f"/connections/{cid}", theirs).status_code == 200
    for method, path, body in (
        ("GET", f"/connections/{cid}", None),
        ("PATCH", f"/connections/{cid}/settings", {"active": False}),
        ("DELETE", f"/connections/{cid}", None),
        ("POST", f"/connections/{cid}/reference/refresh", None),
        ("GET", f"/connections/{cid}/usage", None),
        ("GET", f"/queue?connection_id={cid}", None),
    ):
        reply = api.call(method, path, mine, json=body)
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "CONNECTION_NOT_FOUND"
    assert api.call("GET", "/connections", mine).json() == []
    still = api.call("GET", f"/connections/{cid}", theirs).json()
    assert still["status"] == "active" and still["settings"]["active"] is True
