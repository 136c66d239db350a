"""Developers: API keys created (plaintext shown once), revoked and rotated from the page and
refused over REST afterwards; notification endpoints (whsec_ secret shown once), their delivery
log and send-again; the feed and docs linked; viewers refused; other workspaces not found."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ledgerlink.store.db import transaction
from ledgerlink.store.twoway import Event
from ledgerlink.sync import events
from tests.engine.receiver import Receiver
from tests.engine.web.forms import forms

SHOWN = re.compile(r'<code id="shown-once">([^<]+)</code>')


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    try:
        yield running
    finally:
        running.close()


def _shown_once(html: str) -> str:
    found = SHOWN.search(html)
    assert found, "the page shows no secret"
    return found.group(1)


def _keys(api: Any, key: str) -> list[dict[str, Any]]:
    listed = api.call("GET", "/api-keys", key)
    assert listed.status_code == 200, listed.text
    return list(listed.json())


def _event(api: Any, workspace_id: str, type_: str = "document.synced") -> int:
    with transaction(api.services.factory) as session:
        events.add(session, workspace_id, type_, datetime.now(UTC), {"n": 1})
        return int(session.scalars(select(Event.id).order_by(Event.id.desc())).first() or 0)


def test_create_revoke_and_rotate_api_keys(people: Any, api: Any) -> None:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    page = owner.get("/developers")
    assert page.status_code == 200
    assert 'href="/api/v1/events"' in page.text and 'href="/api/v1/docs"' in page.text
    assert owner.api_key[:12] in page.text and owner.api_key not in page.text

    made = owner.post("/developers/api-keys", {"name": "billing app"})
    assert made.status_code == 200 and "shown only now" in made.text
    plaintext = _shown_once(made.text)
    assert api.call("GET", "/workspace", plaintext).status_code == 200
    listed = owner.get("/developers").text
    assert "billing app" in listed and plaintext[:12] in listed and plaintext not in listed
    billing = next(k for k in _keys(api, owner.api_key) if k["name"] == "billing app")

    revoked = owner.post(f"/developers/api-keys/{billing['id']}/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/developers?said=key_revoked"
    refused = api.call("GET", "/workspace", plaintext)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "AUTH_INVALID"
    after = owner.get("/developers?said=key_revoked").text
    assert "The API key is revoked" in after
    assert f"/developers/api-keys/{billing['id']}/revoke" not in after  # no buttons on it

    default = next(k for k in _keys(api, owner.api_key) if k["name"] == "default")
    rotated = owner.post(f"/developers/api-keys/{default['id']}/rotate")
    assert rotated.status_code == 200 and "The old key is revoked" in rotated.text
    fresh = _shown_once(rotated.text)
    old = api.call("GET", "/workspace", owner.api_key)
    assert old.status_code == 401 and old.json()["error"]["code"] == "AUTH_INVALID"
    names = [(k["name"], k["revoked_at"] is None) for k in _keys(api, fresh)]
    assert names == [("default", False), ("billing app", False), ("default", True)]


def test_a_key_name_error_names_the_field(people: Any, api: Any) -> None:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    refused = owner.post("/developers/api-keys", {"name": "x" * 101})
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text and "field name" in refused.text
    assert 'value="' + "x" * 101 + '"' in refused.text
    assert len(_keys(api, owner.api_key)) == 1


def test_endpoints_secret_log_and_send_again(people: Any, api: Any, receiver: Receiver) -> None:
    owner = people("owner")
    assert owner.sign_in().status_code == 303
    bad = owner.post("/developers/endpoints", {"url": "ftp://example.com/hook"})
    assert bad.status_code == 422 and 'id="url-error"' in bad.text
    assert "ENDPOINT_URL_INVALID" in bad.text and 'value="ftp://example.com/hook"' in bad.text

    made = owner.client.post(
        "/developers/endpoints",
        data={
            "url": receiver.url(),
            "types": ["document.synced", "document.paid"],
            "csrf_token": owner.csrf(),
        },
        follow_redirects=False,
    )
    assert made.status_code == 200, made.text
    secret = _shown_once(made.text)
    assert secret.startswith("whsec_")
    [endpoint] = api.call("GET", "/endpoints", owner.api_key).json()
    assert endpoint["types"] == ["document.synced", "document.paid"]
    listed = owner.get("/developers").text
    assert receiver.url() in listed and secret not in listed

    first = _event(api, owner.workspace_id)
    assert api.services.deliver_events().delivered == 1
    log = owner.get(f"/developers/endpoints/{endpoint['id']}")
    assert log.status_code == 200 and f"<td>{first}</td>" in log.text
    again = f"/developers/endpoints/{endpoint['id']}/events/{first}/send-again"
    sent = owner.post(again)
    assert sent.status_code == 303 and sent.headers["location"].endswith("said=sent_again")
    assert [r.id for r in receiver.got()] == [f"evt_{first}", f"evt_{first}"]
    receiver.got()[-1].verify(secret)
    assert "sent again" in owner.get(f"/developers/endpoints/{endpoint['id']}").text

    paused = owner.post(f"/developers/endpoints/{endpoint['id']}/active", {"active": "off"})
    assert paused.status_code == 303
    assert api.call("GET", "/endpoints", owner.api_key).json()[0]["active"] is False
    gone = owner.post(f"/developers/endpoints/{endpoint['id']}/delete")
    assert gone.status_code == 303
    assert api.call("GET", "/endpoints", owner.api_key).json() == []


def test_a_viewer_reads_and_is_refused_every_post(people: Any, api: Any) -> None:
    owner = people("owner")
    made = api.call("POST", "/endpoints", owner.api_key, json={"url": "https://a.example/h"})
    endpoint_id = made.json()["id"]
    event_id = _event(api, owner.workspace_id)
    [key] = _keys(api, owner.api_key)
    viewer = people("viewer", workspace=owner.workspace_id)
    assert viewer.sign_in().status_code == 303
    page = viewer.get("/developers")
    assert page.status_code == 200 and "https://a.example/h" in page.text
    assert [f.action for f in forms(page.text)] == ["/signout"]
    assert viewer.get(f"/developers/endpoints/{endpoint_id}").status_code == 200
    for path in (
        "/developers/api-keys",
        f"/developers/api-keys/{key['id']}/revoke",
        f"/developers/api-keys/{key['id']}/rotate",
        "/developers/endpoints",
        f"/developers/endpoints/{endpoint_id}/active",
        f"/developers/endpoints/{endpoint_id}/delete",
        f"/developers/endpoints/{endpoint_id}/events/{event_id}/send-again",
    ):
        refused = viewer.post(path, {"name": "x", "url": "https://b.example/h"})
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text, path
    assert api.call("GET", "/workspace", owner.api_key).status_code == 200
    assert len(_keys(api, owner.api_key)) == 1
    assert len(api.call("GET", "/endpoints", owner.api_key).json()) == 1


def test_another_workspaces_keys_and_endpoints_are_not_found(people: Any, api: Any) -> None:
    owner = people("owner")
    made = api.call("POST", "/endpoints", owner.api_key, json={"url": "https://a.example/h"})
    endpoint_id = made.json()["id"]
    event_id = _event(api, owner.workspace_id)
    [key] = _keys(api, owner.api_key)
    stranger = people("owner")
    assert stranger.sign_in().status_code == 303
    page = stranger.get("/developers").text
    assert "https://a.example/h" not in page and owner.api_key[:12] not in page
    assert stranger.get(f"/developers/endpoints/{endpoint_id}").status_code == 404
    for path in (
        f"/developers/api-keys/{key['id']}/revoke",
        f"/developers/api-keys/{key['id']}/rotate",
        f"/developers/endpoints/{endpoint_id}/active",
        f"/developers/endpoints/{endpoint_id}/delete",
        f"/developers/endpoints/{endpoint_id}/events/{event_id}/send-again",
    ):
        refused = stranger.post(path)
        assert refused.status_code == 404 and "NOT_FOUND" in refused.text, path
    # their own endpoint cannot send another workspace's event either
    mine = api.call("POST", "/endpoints", stranger.api_key, json={"url": "https://c.example/h"})
    theirs = f"/developers/endpoints/{mine.json()['id']}/events/{event_id}/send-again"
    assert stranger.post(theirs).status_code == 404
    assert api.call("GET", "/workspace", owner.api_key).status_code == 200
    assert len(api.call("GET", "/endpoints", owner.api_key).json()) == 1
