"""Tokens sealed with a key this process does not have (a worker that made its own key file,
a key dropped from LEDGERLINK_SECRET_KEYS too early): every place that needs them answers
with SECRETS_UNREADABLE naming LEDGERLINK_SECRET_KEYS, never a traceback or a bare 500."""

from __future__ import annotations

import secrets

from ledgerlink.store.models import Connection, TokenSet
from ledgerlink.store.secrets import KeyRing
from tests.engine.api.conftest import Api
from tests.engine.documents.factories import invoice_data


def reseal_with_another_key(api: Api, connection_id: str) -> None:
    other = KeyRing([secrets.token_bytes(32)])
    with api.services.factory.begin() as session:
        connection = session.get(Connection, connection_id)
        assert connection is not None
        row = session.get(TokenSet, connection.token_set_id)
        assert row is not None
        for column in ("access_token_enc", "refresh_token_enc", "client_secret_enc"):
            if getattr(row, column) is not None:
                other.seal_field(row, column, "a value this process cannot open")


def test_unreadable_tokens_are_named_not_a_traceback(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    put = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data())
    assert put.status_code == 200, put.text
    reseal_with_another_key(api, cid)

    refresh = api.call("POST", f"/connections/{cid}/reference/refresh", key)
    error = refresh.json()["error"]
    assert error["code"] == "SECRETS_UNREADABLE", refresh.text
    assert "LEDGERLINK_SECRET_KEYS" in error["message"]
    assert "LEDGERLINK_SECRET_KEYS" in error["fix"]

    ran = api.call("POST", "/jobs?wait=true", key)
    assert ran.status_code == 200, ran.text
    assert ran.json()["job"]["state"] == "finished"
    item = api.call("GET", "/queue", key).json()["items"][0]
    assert item["state"] == "needs_attention"
    assert item["error"]["code"] == "SECRETS_UNREADABLE"
    assert "LEDGERLINK_SECRET_KEYS" in item["error"]["message"]
    assert "LEDGERLINK_SECRET_KEYS" in item["error"]["fix"]
