"""A newer version supersedes an older one's queue item: the old item stops showing the error
of its last attempt (Xero was down, a code was wrong), which no longer concerns anything."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ledgerlink.store.models import QueueItem
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.documents.factories import invoice_data


@BOTH_DATABASES
@pytest.mark.parametrize(
    ("state", "code", "field"),
    [
        ("queued", "XERO_UNAVAILABLE", None),
        ("needs_attention", "XERO_ACCOUNT_CODE_INVALID", "lines[0].account_code"),
        ("failed", "XERO_VALIDATION", "lines"),
    ],
)
def test_a_superseded_item_shows_no_error(
    api: Api, state: str, code: str, field: str | None
) -> None:
    key = api.workspace()
    api.custom(key)
    first = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data())
    assert first.json()["version"] == 1
    with api.services.factory.begin() as session:
        session.execute(
            update(QueueItem).values(
                state=state,
                attempts=1,
                error_code=code,
                error_message="What went wrong with version 1.",
                error_field=field,
            )
        )
    held = api.call("GET", "/queue", key).json()["items"][0]
    assert held["error"]["code"] == code and held["error"]["fix"]

    second = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data(reference="v2"))
    assert second.json()["version"] == 2

    old = api.call("GET", "/queue", key, params={"state": "superseded"}).json()["items"]
    assert [(item["version"], item["error"]) for item in old] == [(1, None)]
    new = api.call("GET", "/queue", key, params={"state": "queued"}).json()["items"]
    assert [(item["version"], item["error"]) for item in new] == [(2, None)]
    shown = api.call("GET", "/documents/invoice/inv-1", key).json()["sync"]
    assert shown["version"] == 2 and shown["error"] is None
