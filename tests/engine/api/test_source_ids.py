"""Source ids as source apps write them (``INV/2026/001``): whatever PUT or bulk accepts, GET
reads back, with the slashes written plainly or percent-encoded; an id no URL can carry is
refused at intake with the field and what to do."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.documents.factories import expense_data, invoice_data

ODD_IDS = ["INV/2026/001", "a/b/", "/leading", "x//y", "bulk", "Q?1#2 50%", "ünïcode/№7"]


@pytest.fixture
def key(api: Api) -> str:
    key = api.workspace()
    api.custom(key)
    return key


def encoded(source_id: str) -> str:
    return quote(source_id, safe="")


def plain(source_id: str) -> str:
    """Slashes left as they are; only what a path cannot hold literally is encoded."""
    return quote(source_id, safe="/")


@BOTH_DATABASES
@pytest.mark.parametrize("write", [plain, encoded], ids=["plain", "encoded"])
def test_put_then_get_round_trips_ids_with_slashes(api: Api, key: str, write: object) -> None:
    assert callable(write)
    for source_id in ODD_IDS:
        body = invoice_data(source_id=source_id, number=None)
        put = api.call("PUT", f"/documents/invoice/{write(source_id)}", key, json=body)
        assert put.status_code == 200, (source_id, put.text)
        assert put.json()["source_id"] == source_id and put.json()["status"] == "created"
        for read in (plain, encoded):
            got = api.call("GET", f"/documents/invoice/{read(source_id)}", key)
            assert got.status_code == 200, (source_id, got.text)
            assert got.json()["source_id"] == source_id
            assert got.json()["body"]["source_id"] == source_id
        again = api.call("PUT", f"/documents/invoice/{write(source_id)}", key, json=body)
        assert again.json()["status"] == "unchanged", source_id


@BOTH_DATABASES
def test_bulk_then_get_round_trips_ids_with_slashes(api: Api, key: str) -> None:
    docs = [expense_data(source_id=source_id) for source_id in ODD_IDS]
    reply = api.call("POST", "/documents/expense/bulk", key, json=docs)
    assert reply.status_code == 200, reply.text
    assert reply.json()["counts"] == {"created": len(ODD_IDS)}
    for source_id in ODD_IDS:
        for read in (plain, encoded):
            got = api.call("GET", f"/documents/expense/{read(source_id)}", key)
            assert got.status_code == 200, (source_id, got.text)
            assert got.json()["source_id"] == source_id


def test_an_id_put_under_a_path_without_body_id_keeps_its_slashes(api: Api, key: str) -> None:
    body = invoice_data()
    del body["source_id"]
    put = api.call("PUT", "/documents/invoice/INV/2026/002", key, json=body)
    assert put.status_code == 200, put.text
    assert put.json()["source_id"] == "INV/2026/002"
    missing = api.call("GET", "/documents/invoice/INV/2026", key)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "source_id"


@pytest.mark.parametrize("source_id", ["..", ".", "INV/../001", "a/./b", "../x"])
def test_ids_with_dot_segments_are_refused_at_intake(api: Api, key: str, source_id: str) -> None:
    """HTTP clients remove '.' and '..' path segments before sending, so no GET could read
    such an id back: it is refused in bulk as at PUT, naming source_id and the fix."""
    reply = api.call(
        "POST", "/documents/invoice/bulk", key, json=[invoice_data(source_id=source_id)]
    )
    assert reply.status_code == 200, reply.text
    result = reply.json()["results"][0]
    assert result["status"] == "invalid"
    error = result["errors"][0]
    assert error["code"] == "VALIDATION_FAILED" and error["field"] == "source_id"
    assert "'.' or '..'" in error["message"]
    assert "source_id" in error["fix"] and error["fix"] != error["message"]
    if "/" in source_id:  # a bare '.' or '..' never even reaches the server as a path
        put = api.call(
            "PUT",
            f"/documents/invoice/{encoded(source_id)}",
            key,
            json=invoice_data(source_id=None),
        )
        assert put.status_code == 422, put.text
        assert put.json()["error"]["field"] == "source_id"


@BOTH_DATABASES
def test_a_nul_character_is_refused_at_intake_not_a_500(api: Api, key: str) -> None:
    """PostgreSQL cannot store a NUL in text (nor Xero take one): refused, naming the field."""
    bad = invoice_data(source_id="INV\x00/1")
    bad["contact"]["key"] = "client\x00-7"
    reply = api.call("POST", "/documents/invoice/bulk", key, json=[bad])
    assert reply.status_code == 200, reply.text
    result = reply.json()["results"][0]
    assert result["status"] == "invalid"
    fields = {error["field"] for error in result["errors"]}
    assert fields == {"source_id", "contact.key"}
    assert all("NUL" in error["message"] for error in result["errors"])
    assert api.call("GET", "/queue", key).json()["counts"] == {}
