"""Egress: the call log keeps the bytes of every reply Xero sent, and adds them up by method and
collection over a connection and a time span, as the egress metric counts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.metrics import REGISTRY
from ledgerlink.store.calls import Egress, api_call_recorder, by_purpose, egress
from ledgerlink.store.models import ApiCall
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import XeroNotFound
from tests.conftest import DEMO_TENANT, RunningSandbox, custom_token

MISSING = "/Invoices/00000000-0000-4000-8000-000000000000"


def egress_metric(purpose: str) -> float:
    found = REGISTRY.get_sample_value("ledgerlink_xero_egress_bytes_total", {"purpose": purpose})
    return found or 0.0


def test_each_reply_s_bytes_are_kept_and_summed_by_method_and_collection(
    sandbox: RunningSandbox, session_factory: sessionmaker[Session]
) -> None:
    token = custom_token(sandbox.url)
    started = datetime.now(UTC) - timedelta(seconds=1)
    read_before, write_before = egress_metric("read"), egress_metric("write")
    url = sandbox.url + "/api.xro/2.0"
    with XeroClient(
        url, DEMO_TENANT, lambda: token, on_call=api_call_recorder(session_factory, "conn-a")
    ) as xero:
        currencies = xero.get("/Currencies")
        accounts = xero.get("/Accounts")
        with pytest.raises(XeroNotFound):
            xero.get(MISSING)
        made = xero.put("/Contacts", {"Contacts": [{"Name": "Egress Pty Ltd"}]})
    other = api_call_recorder(session_factory, "conn-b")
    with XeroClient(url, DEMO_TENANT, lambda: token, on_call=other) as xero:
        xero.get("/Currencies")

    with session_factory() as session:
        rows = session.scalars(
            select(ApiCall).where(ApiCall.connection_id == "conn-a").order_by(ApiCall.id)
        ).all()
        sizes = {(r.method, r.path): r.response_bytes for r in rows}
        assert sizes[("GET", "/Currencies")] == len(currencies.content)
        assert sizes[("GET", "/Accounts")] == len(accounts.content)
        assert sizes[("PUT", "/Contacts")] == len(made.content)
        assert sizes[("GET", MISSING)] > 0  # Xero's 404 has a body too: it counts

        found = egress(session, connection_id="conn-a", since=started)
        reads = sizes[("GET", "/Currencies")] + sizes[("GET", "/Accounts")]
        assert found == {
            ("GET", "Currencies"): Egress(1, sizes[("GET", "/Currencies")]),
            ("GET", "Accounts"): Egress(1, sizes[("GET", "/Accounts")]),
            ("GET", "Invoices"): Egress(1, sizes[("GET", MISSING)]),
            ("PUT", "Contacts"): Egress(1, len(made.content)),
        }
        assert by_purpose(found) == {
            "read": Egress(3, reads + sizes[("GET", MISSING)]),
            "write": Egress(1, len(made.content)),
        }
        everyone = by_purpose(egress(session, since=started))
        assert everyone["read"].calls == 4  # the other connection's read is counted too
        assert egress(session, connection_id="conn-a", until=started) == {}

    assert egress_metric("write") - write_before == len(made.content)
    assert egress_metric("read") - read_before == everyone["read"].bytes
