"""API keys over REST: listed without their plaintext, made with a name (plaintext in that one
answer), revoked (then refused with AUTH_INVALID), rotated (same name, the old one refused);
names checked; another workspace's key ids not found."""

from __future__ import annotations

from typing import Any

from tests.engine.api.conftest import Api


def _error(reply: Any) -> dict[str, Any]:
    found = reply.json()["error"]
    assert isinstance(found, dict)
    return found


def test_list_create_revoke_and_rotate(api: Api) -> None:
    key = api.workspace("Acme")
    listed = api.call("GET", "/api-keys", key)
    assert listed.status_code == 200, listed.text
    [first] = listed.json()
    assert (first["name"], first["prefix"], first["revoked_at"]) == ("default", key[:12], None)
    assert set(first) == {"id", "name", "prefix", "created_at", "revoked_at"}

    made = api.call("POST", "/api-keys", key, json={"name": "  billing app "})
    assert made.status_code == 201, made.text
    billing = made.json()
    assert billing["name"] == "billing app" and billing["api_key"].startswith("ll_")
    assert billing["prefix"] == billing["api_key"][:12]
    assert api.call("GET", "/workspace", billing["api_key"]).status_code == 200
    shown = api.call("GET", "/api-keys", billing["api_key"]).json()
    assert [k["name"] for k in shown] == ["default", "billing app"]
    assert billing["api_key"] not in str(shown)

    revoked = api.call("POST", f"/api-keys/{billing['id']}/revoke", key)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = api.call("GET", "/workspace", billing["api_key"])
    assert refused.status_code == 401 and _error(refused)["code"] == "AUTH_INVALID"
    again = api.call("POST", f"/api-keys/{billing['id']}/revoke", key)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]

    rotated = api.call("POST", f"/api-keys/{first['id']}/rotate", key)
    assert rotated.status_code == 201, rotated.text
    fresh = rotated.json()
    assert fresh["name"] == "default" and fresh["id"] != first["id"]
    assert _error(api.call("GET", "/workspace", key))["code"] == "AUTH_INVALID"
    keys = api.call("GET", "/api-keys", fresh["api_key"]).json()
    assert [(k["name"], k["revoked_at"] is None) for k in keys] == [
        ("default", False),
        ("billing app", False),
        ("default", True),
    ]


def test_names_are_checked(api: Api) -> None:
    key = api.workspace("Acme")
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": "a\nb"}, {}):
        refused = api.call("POST", "/api-keys", key, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert (_error(refused)["code"], _error(refused)["field"]) == ("VALIDATION_FAILED", "name")
    extra = api.call("POST", "/api-keys", key, json={"name": "ok", "scope": "all"})
    assert extra.status_code == 422
    assert len(api.call("GET", "/api-keys", key).json()) == 1


def test_another_workspaces_keys_are_not_found(api: Api) -> None:
    mine, theirs = api.workspace("Acme"), api.workspace("Other")
    [their_key] = api.call("GET", "/api-keys", theirs).json()
    for action in ("revoke", "rotate"):
        refused = api.call("POST", f"/api-keys/{their_key['id']}/{action}", mine)
        assert refused.status_code == 404 and _error(refused)["code"] == "NOT_FOUND"
    assert api.call("GET", "/workspace", theirs).status_code == 200
    assert [k["id"] for k in api.call("GET", "/api-keys", mine).json()] != [their_key["id"]]
    assert api.call("GET", "/api-keys").status_code == 401


def test_the_openapi_lists_the_key_routes(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/api-keys"])
    assert "post" in paths["/api/v1/api-keys/{key_id}/revoke"]
    assert "post" in paths["/api/v1/api-keys/{key_id}/rotate"]
