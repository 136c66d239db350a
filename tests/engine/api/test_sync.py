"""End to end over REST: push a workload, sync now, read links and held errors back."""

from __future__ import annotations

from ledgerlink.demo_documents import workload
from tests.engine.api.conftest import Api


def test_sync_now_sends_valid_documents_and_holds_bad_ones_with_codes(api: Api) -> None:
    key = api.workspace()
    cid = api.connect(key)[0]["id"]
    api.call(
        "PATCH",
        f"/connections/{cid}/settings",
        key,
        json={"default_revenue_account": "200", "default_expense_account": "429"},
    )
    work = workload(40)
    for kind, docs in (("invoice", work.invoices), ("expense", work.expenses)):
        reply = api.call("POST", f"/documents/{kind}/bulk", key, json=docs)
        assert reply.status_code == 200, reply.text
    ran = api.call("POST", "/jobs", key, json={"connection_id": cid})
    assert ran.status_code == 200, ran.text
    assert ran.json()["ran"] is True
    assert ran.json()["job"]["counts"]["synced"] == 35, ran.json()
    queue = api.call("GET", "/queue", key).json()
    assert queue["counts"] == {"done": 35, "needs_attention": 4}, queue["counts"]
    held = api.call("GET", "/queue?state=needs_attention", key).json()["items"]
    codes = {item["source_id"]: item["error"]["code"] for item in held}
    expected = {s: c for s, (_, c) in work.expected_errors.items() if c != "VALIDATION_FAILED"}
    assert codes == expected
    doc = api.call("GET", f"/documents/invoice/{work.invoices[0]['source_id']}", key).json()
    assert doc["sync"]["state"] == "done"
    assert doc["link"]["xero_id"] and doc["link"]["url"]
    assert doc["link"]["status"] in ("DRAFT", "AUTHORISED")
    again = api.call("POST", "/jobs", key).json()
    assert again["job"]["counts"]["synced"] == 0
