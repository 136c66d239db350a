"""Documents over REST: upserts by source id, bulk with per-item results, and every kind of
bad input answered with a 4xx, a stable code and the field, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.documents.factories import expense_data, invoice_data, with_line


@pytest.fixture
def key(api: Api) -> str:
    key = api.workspace()
    api.custom(key)
    return key


def error(reply: object) -> dict[str, object]:
    body = reply.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    found = body["error"]
    assert {"code", "message", "field", "fix"} <= set(found)
    return found  # type: ignore[no-any-return]


@BOTH_DATABASES
def test_put_creates_then_unchanged_then_updated(api: Api, key: str) -> None:
    first = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data())
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "created" and first.json()["version"] == 1
    same = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data())
    assert same.json()["status"] == "unchanged" and same.json()["version"] == 1
    changed = api.call(
        "PUT", "/documents/invoice/inv-1", key, json=invoice_data(reference="Job 43")
    )
    assert changed.json()["status"] == "updated" and changed.json()["version"] == 2

    shown = api.call("GET", "/documents/invoice/inv-1", key)
    assert shown.status_code == 200
    doc = shown.json()
    assert doc["version"] == 2 and doc["body"]["reference"] == "Job 43"
    assert doc["sync"]["state"] == "queued" and doc["sync"]["version"] == 2
    assert doc["sync"]["error"] is None and doc["link"] is None


def test_money_stays_exact_through_the_api(api: Api, key: str) -> None:
    raw = json.dumps(with_line(invoice_data(), 0, unit_amount=0.1, quantity=3))
    reply = api.call(
        "PUT",
        "/documents/invoice/inv-1",
        key,
        content=raw.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    body = api.call("GET", "/documents/invoice/inv-1", key).json()["body"]
    assert body["lines"][0]["unit_amount"] == "0.1"


def test_path_and_body_source_ids_must_agree(api: Api, key: str) -> None:
    reply = api.call("PUT", "/documents/invoice/inv-2", key, json=invoice_data())
    assert reply.status_code == 422
    assert error(reply)["field"] == "source_id"


@BOTH_DATABASES
def test_bulk_keeps_the_good_documents_and_names_the_bad_ones(api: Api, key: str) -> None:
    docs = [invoice_data(source_id=f"inv-{n}", number=f"ST-{n}") for n in range(5)]
    docs[1] = with_line(docs[1], 0, quantity="-2")
    docs[3] = invoice_data(source_id="inv-3", currency="XYZ")
    docs.append("not a document")
    reply = api.call("POST", "/documents/invoice/bulk", key, json=docs)
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["counts"] == {"created": 3, "invalid": 3}
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["created", "invalid", "created", "invalid", "created", "invalid"]
    assert result["results"][1]["errors"][0]["field"] == "lines[0].quantity"
    assert result["results"][3]["errors"][0]["field"] == "currency"
    assert result["results"][3]["source_id"] == "inv-3"
    for n in (0, 2, 4):
        assert api.call("GET", f"/documents/invoice/inv-{n}", key).status_code == 200
    missing = api.call("GET", "/documents/invoice/inv-1", key)
    assert missing.status_code == 404 and error(missing)["code"] == "NOT_FOUND"


@BOTH_DATABASES
def test_bulk_accepts_an_object_naming_the_connection(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    body = {"connection_id": cid, "documents": [expense_data()]}
    reply = api.call("POST", "/documents/expense/bulk", key, json=body)
    assert reply.json()["counts"] == {"created": 1}
    assert api.call("GET", "/documents/expense/exp-1", key).json()["connection_id"] == cid


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b'{"source_id": "inv-1", "lines": [', 400, "JSON_MALFORMED", "body"),
        (b"", 400, "JSON_MALFORMED", "body"),
        (b"[1, 2", 400, "JSON_MALFORMED", "body"),
    ],
)
def test_malformed_json(
    api: Api, key: str, body: bytes, status: int, code: str, field: str
) -> None:
    for path in ("/documents/invoice/inv-1", "/documents/invoice/bulk"):
        method = "PUT" if path.endswith("inv-1") else "POST"
        reply = api.call(
            method, path, key, content=body, headers={"Content-Type": "application/json"}
        )
        assert reply.status_code == status, reply.text
        assert error(reply)["code"] == code
        assert error(reply)["field"] == field


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (with_line(invoice_data(), 0, unit_amount="abc"), "lines[0].unit_amount"),
        (with_line(invoice_data(), 0, quantity=[1]), "lines[0].quantity"),
        (with_line(invoice_data(), 0, quantity="-1"), "lines[0].quantity"),
        (with_line(invoice_data(), 0, quantity=-3), "lines[0].quantity"),
        (invoice_data(currency="XYZ"), "currency"),
        (invoice_data(currency=12), "currency"),
        (invoice_data(issue_date=20260101), "issue_date"),
        ({k: v for k, v in invoice_data().items() if k != "contact"}, "contact"),
        (invoice_data(contact={"name": "No key"}), "contact.key"),
        (invoice_data(lines=[]), "lines"),
        (invoice_data(lines="many"), "lines"),
        (invoice_data(quantiy=1), "quantiy"),
        (
            invoice_data(lines=[{"description": "x", "unit_amount": "1"}] * 10_000),
            "lines",
        ),
    ],
)
def test_bad_documents_name_the_field(
    api: Api, key: str, document: dict[str, object], field: str
) -> None:
    reply = api.call("PUT", "/documents/invoice/inv-1", key, json=document)
    assert reply.status_code == 422, reply.text
    found = error(reply)
    assert found["code"] == "VALIDATION_FAILED"
    assert found["field"] == field
    assert found["fix"]
    assert api.call("GET", "/documents/invoice/inv-1", key).status_code == 404


def test_ten_thousand_lines_in_bulk_is_one_item_refused(api: Api, key: str) -> None:
    big = invoice_data(source_id="big", lines=[{"description": "x", "unit_amount": "1"}] * 10_000)
    reply = api.call("POST", "/documents/invoice/bulk", key, json=[big, invoice_data()])
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert results[0]["status"] == "invalid" and results[0]["errors"][0]["field"] == "lines"
    assert results[1]["status"] == "created"


def test_too_big_and_too_many_are_refused_with_413(api: Api, key: str) -> None:
    huge = invoice_data(
        reference="x" * 200, lines=[{"description": "y" * 3000, "unit_amount": "1"}] * 1000
    )
    reply = api.call("PUT", "/documents/invoice/inv-1", key, json=huge)
    assert reply.status_code == 413
    assert error(reply)["code"] == "PAYLOAD_TOO_LARGE"
    many = [invoice_data(source_id=f"i{n}") for n in range(1001)]
    reply = api.call("POST", "/documents/invoice/bulk", key, json=many)
    assert reply.status_code == 413
    assert error(reply)["field"] == "documents"


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b'"text"',
        b"null",
        b"1e999999",
        b"123456789012345678901234567890",
        b'{"source_id": "inv-1", "lines": [{"unit_amount": 1e999, "description": "x"}]}',
        b'{"source_id": "inv-1", "lines": [{"unit_amount": NaN}]}',
        b"[" * 5000 + b"]" * 5000,
        b'{"source_id": "inv-1", "contact": {"key": "\\ud800"}}',
        '{"source_id": "inv-1", "reference": "caf\u00e9"}'.encode("latin-1"),
    ],
)
def test_junk_is_never_a_500(api: Api, key: str, raw: bytes) -> None:
    for method, path in (
        ("PUT", "/documents/invoice/inv-1"),
        ("POST", "/documents/expense/bulk"),
    ):
        reply = api.call(
            method, path, key, content=raw, headers={"Content-Type": "application/json"}
        )
        assert 400 <= reply.status_code < 500, (raw[:40], reply.status_code, reply.text[:300])
        assert error(reply)["code"] in ("JSON_MALFORMED", "VALIDATION_FAILED")


@BOTH_DATABASES
def test_unknown_kind_and_other_workspaces_documents_are_not_found(api: Api, key: str) -> None:
    reply = api.call("PUT", "/documents/payslip/p-1", key, json={})
    assert reply.status_code == 404 and error(reply)["field"] == "kind"
    assert api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data()).status_code == 200
    other = api.workspace("Other")
    api.custom(other)
    assert api.call("GET", "/documents/invoice/inv-1", other).status_code == 404


def test_documents_need_a_connection(api: Api) -> None:
    key = api.workspace()
    reply = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data())
    assert reply.status_code == 404
    assert error(reply)["code"] == "CONNECTION_NOT_FOUND"
    bad = api.call("PUT", "/documents/invoice/inv-1?connection_id=nope", key, json=invoice_data())
    assert bad.status_code == 404
