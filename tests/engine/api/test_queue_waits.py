"""The queue says what an unfinished item waits for: a stopped worker, a back-off, a send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from ledgerlink.store.db import transaction
from ledgerlink.store.models import Lease, QueueItem
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.sync.conftest import invoice


def _items(api: Api, key: str) -> dict[str, dict[str, object]]:
    reply = api.call("GET", "/queue", key)
    assert reply.status_code == 200, reply.text
    return {str(i["source_id"]): i for i in reply.json()["items"]}


@BOTH_DATABASES
def test_the_queue_shows_items_waiting_for_a_dead_workers_lease(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    docs = [invoice(n) for n in range(3)]
    assert api.call("POST", "/documents/invoice/bulk", key, json=docs).status_code == 200
    now = datetime.now(UTC)
    with transaction(api.services.factory) as session:
        session.execute(
            update(QueueItem)
            .where(QueueItem.connection_id == cid)
            .values(state="in_flight")
            .execution_options(synchronize_session=False)
        )
        session.add(
            Lease(connection_id=cid, owner="host:4242:dead", expires_at=now + timedelta(seconds=20))
        )

    held = _items(api, key)
    sentence = str(held["inv-1"]["waiting_for"])
    assert "host:4242:dead" in sentence and "lease ends at" in sentence

    with transaction(api.services.factory) as session:
        lease = session.get(Lease, cid)
        assert lease is not None
        lease.expires_at = now - timedelta(seconds=1)
    sentence = str(_items(api, key)["inv-1"]["waiting_for"])
    assert sentence.startswith("Its worker stopped")


def test_a_done_item_waits_for_nothing_and_a_due_one_for_a_worker(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    api.call(
        "PATCH",
        f"/connections/{cid}/settings",
        key,
        json={"default_revenue_account": "200", "default_sales_tax_type": "OUTPUT"},
    )
    api.call("PUT", "/documents/invoice/inv-1", key, json=invoice(1))
    assert _items(api, key)["inv-1"]["waiting_for"] == "Due now: the next worker to look sends it."
    assert api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid}).status_code == 200
    item = _items(api, key)["inv-1"]
    assert item["state"] == "done" and item["waiting_for"] is None
