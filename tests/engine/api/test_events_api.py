"""Endpoints, their delivery log, send-again and the events feed over REST: the secret shown
once, bad input refused with a code naming the field, and nothing of another workspace seen."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ledgerlink.store.db import transaction
from ledgerlink.store.twoway import Endpoint, Event
from ledgerlink.sync import events
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    try:
        yield running
    finally:
        running.close()


def workspace_of(api: Api, key: str) -> str:
    return str(api.call("GET", "/workspace", key).json()["id"])


def write(api: Api, workspace_id: str, type_: str, document: str | None = None) -> int:
    with transaction(api.services.factory) as session:
        events.add(session, workspace_id, type_, datetime.now(UTC), {"n": 1}, document_id=document)
        return int(session.scalars(select(Event.id).order_by(Event.id.desc())).first() or 0)


def error(reply: Any) -> dict[str, Any]:
    found = reply.json()["error"]
    assert isinstance(found, dict)
    return found


@BOTH_DATABASES
def test_secret_shown_once_and_endpoints_kept_to_their_workspace(api: Api) -> None:
    key, other = api.workspace("Acme"), api.workspace("Other")
    made = api.call("POST", "/endpoints", key, json={"url": "https://app.example/hook"})
    assert made.status_code == 201, made.text
    created = made.json()
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) >= 24
    assert (created["types"], created["active"]) == ([], True)
    endpoint_id = created["id"]

    for reply in (
        api.call("GET", "/endpoints", key),
        api.call("GET", f"/endpoints/{endpoint_id}", key),
        api.call("PATCH", f"/endpoints/{endpoint_id}", key, json={"active": False}),
    ):
        assert reply.status_code == 200, reply.text
        assert "secret" not in reply.text and secret.removeprefix("whsec_") not in reply.text
    assert api.call("GET", f"/endpoints/{endpoint_id}", key).json()["active"] is False
    with api.services.factory() as session:
        row = session.get(Endpoint, endpoint_id)
        assert row is not None and secret.encode() not in bytes(row.secret_enc)

    assert api.call("GET", "/endpoints", other).json() == []
    for method in ("GET", "DELETE"):
        reply = api.call(method, f"/endpoints/{endpoint_id}", other)
        assert reply.status_code == 404 and error(reply)["code"] == "NOT_FOUND"
    assert api.call("DELETE", f"/endpoints/{endpoint_id}", key).status_code == 204
    assert api.call("GET", f"/endpoints/{endpoint_id}", key).status_code == 404


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"url": "ftp://app.example/hook"}, "ENDPOINT_URL_INVALID", "url"),
        ({"url": "app.example/hook"}, "ENDPOINT_URL_INVALID", "url"),
        ({"url": "https:///hook"}, "ENDPOINT_URL_INVALID", "url"),
        ({"url": "https://app.example/a b"}, "ENDPOINT_URL_INVALID", "url"),
        (
            {"url": "https://app.example/hook", "types": ["document.paid", "document.lost"]},
            "EVENT_TYPE_UNKNOWN",
            "types[1]",
        ),
        ({"types": []}, "VALIDATION_FAILED", "url"),
    ],
)
def test_bad_endpoint_refused_naming_the_field(
    api: Api, body: dict[str, Any], code: str, field: str
) -> None:
    key = api.workspace()
    reply = api.call("POST", "/endpoints", key, json=body)
    assert reply.status_code == 422, reply.text
    found = error(reply)
    assert (found["code"], found["field"]) == (code, field)
    assert field.split("[")[0] in found["message"] and found["fix"]
    assert api.call("GET", "/endpoints", key).json() == []


@BOTH_DATABASES
def test_feed_pages_by_cursor_and_shows_only_the_workspace_events(api: Api) -> None:
    key, other = api.workspace("Acme"), api.workspace("Other")
    acme, theirs = workspace_of(api, key), workspace_of(api, other)
    ours: list[int] = []
    for n in range(5):
        ours.append(write(api, acme, "document.synced" if n % 2 else "document.paid", f"d{n}"))
        write(api, theirs, "document.paid", "not-yours")

    seen: list[int] = []
    cursor = 0
    while True:
        page = api.call("GET", "/events", key, params={"after": cursor, "limit": 2}).json()
        if not page["events"]:
            assert page["next_cursor"] == cursor
            break
        assert len(page["events"]) <= 2
        seen += [e["id"] for e in page["events"]]
        assert all(e["data"]["workspace_id"] == acme for e in page["events"])
        cursor = page["next_cursor"]
    assert seen == ours

    paid = api.call("GET", "/events", key, params={"type": "document.paid"}).json()["events"]
    assert [e["id"] for e in paid] == ours[0::2]
    assert paid[0]["data"]["document_id"] == "d0" and paid[0]["data"]["event_id"] == ours[0]
    assert [e.id for e in api.services.events(acme, after=ours[2])] == ours[3:]
    bad = api.call("GET", "/events", key, params={"type": "document.lost"})
    assert bad.status_code == 422 and error(bad)["field"] == "type"
    assert api.call("GET", "/events", key, params={"limit": 1001}).status_code == 422


def test_delivery_log_and_send_again(api: Api, receiver: Receiver) -> None:
    key, other = api.workspace("Acme"), api.workspace("Other")
    acme = workspace_of(api, key)
    made = api.call("POST", "/endpoints", key, json={"url": receiver.url()}).json()
    endpoint_id = made["id"]
    first = write(api, acme, "document.synced", "d1")
    second = write(api, acme, "document.paid", "d1")
    assert api.services.deliver_events().delivered == 2

    log = api.call("GET", f"/endpoints/{endpoint_id}/deliveries", key).json()
    assert [(d["event_id"], d["ok"], d["status"]) for d in log] == [
        (second, True, 200),
        (first, True, 200),
    ]
    only = api.call(
        "GET", f"/endpoints/{endpoint_id}/deliveries", key, params={"event_id": first, "limit": 5}
    ).json()
    assert [d["event_id"] for d in only] == [first]

    again = api.call("POST", f"/endpoints/{endpoint_id}/events/{first}/send-again", key)
    assert again.status_code == 200, again.text
    assert (again.json()["note"], again.json()["ok"]) == ("again", True)
    assert [r.id for r in receiver.got()] == [f"evt_{first}", f"evt_{second}", f"evt_{first}"]
    receiver.got()[-1].verify(made["secret"])
    shown = api.call("GET", f"/endpoints/{endpoint_id}", key).json()
    assert shown["delivered_through"] == second

    theirs = write(api, workspace_of(api, other), "document.paid")
    refused = api.call("POST", f"/endpoints/{endpoint_id}/events/{theirs}/send-again", key)
    assert refused.status_code == 404 and error(refused)["field"] == "event_id"
    foreign = api.call("GET", f"/endpoints/{endpoint_id}/deliveries", other)
    assert foreign.status_code == 404
    assert len(receiver.got()) == 3
