"""Plan (dry run) over REST: what a sync would create, update, leave alone or hold in Xero,
with each hold's code, and which contacts it would make, without a write to Xero (the
sandbox's request log is the judge) and without changing the queue."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.engine.api.conftest import BOTH_DATABASES, Api


def invoice(source_id: str, contact: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "source_id": source_id,
        "contact": {"key": contact.lower().replace(" ", "-"), "name": contact},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Work", "unit_amount": "100.00", "account_code": "200"}],
    }
    doc.update(changes)
    return doc


def log(api: Api) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx2.get(
        f"{api.sandbox.url}/_sandbox/requests", timeout=30
    ).json()["requests"]
    return found


@BOTH_DATABASES
def test_a_plan_says_what_a_sync_would_do_and_writes_nothing_to_xero(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    for doc in (invoice("inv-sent", "Bayside Club"), invoice("inv-same", "Bayside Club")):
        api.call("PUT", f"/documents/invoice/{doc['source_id']}", key, json=doc)
    api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})

    changed = invoice("inv-sent", "Bayside Club", reference="changed")
    bad = invoice("inv-bad", "Bayside Club")
    bad["lines"][0]["account_code"] = "9999"
    for doc in (
        changed,
        invoice("inv-new", "A Brand New Client"),
        invoice("inv-known", "Ridgeway University"),
        bad,
    ):
        assert api.call("PUT", f"/documents/invoice/{doc['source_id']}", key, json=doc).status_code
    queue_before = api.call("GET", "/queue", key).json()["counts"]
    httpx2.delete(f"{api.sandbox.url}/_sandbox/requests")

    planned = api.call("POST", f"/connections/{cid}/plan", key)
    assert planned.status_code == 200, planned.text
    report = planned.json()
    by_id = {d["source_id"]: d for d in report["documents"]}
    assert by_id["inv-sent"]["action"] == "update" and by_id["inv-sent"]["xero_id"]
    assert by_id["inv-new"]["action"] == "create" and by_id["inv-new"]["contact"] == "new"
    assert by_id["inv-known"]["action"] == "create"
    assert by_id["inv-known"]["contact"] == "existing"  # found by name, as the worker would
    assert by_id["inv-new"]["status"] == "AUTHORISED"
    assert by_id["inv-bad"]["action"] == "held"
    assert by_id["inv-bad"]["error"]["code"] == "XERO_ACCOUNT_CODE_INVALID"
    assert by_id["inv-bad"]["error"]["fix"]
    assert report["counts"] == {"update": 1, "create": 2, "held": 1}
    assert report["contacts_to_create"] == 1

    given = [
        invoice("inv-same", "Bayside Club"),
        invoice("inv-given", "Bayside Club"),
        {"source_id": "inv-broken", "lines": []},
    ]
    body = {"kind": "invoice", "documents": given}
    planned = api.call("POST", f"/connections/{cid}/plan", key, json=body).json()
    by_id = {d["source_id"]: d for d in planned["documents"]}
    assert by_id["inv-same"]["action"] == "unchanged"
    assert by_id["inv-given"]["action"] == "create"
    assert by_id["inv-broken"]["error"]["code"] == "VALIDATION_FAILED"
    assert api.call("GET", "/documents/invoice/inv-given", key).status_code == 404

    writes = [r for r in log(api) if r["method"] not in ("GET",)]
    assert writes == []  # not a single write reached Xero
    assert api.call("GET", "/queue", key).json()["counts"] == queue_before
    other = api.workspace("Other")
    assert api.call("POST", f"/connections/{cid}/plan", other).status_code == 404
