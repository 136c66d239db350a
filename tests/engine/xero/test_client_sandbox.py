"""The client against the sandbox: real HTTP, real faults, Xero's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.calls import api_call_recorder
from ledgerlink.store.models import ApiCall
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import (
    XeroForbidden,
    XeroNotFound,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
)
from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, custom_token


@pytest.fixture
def client(sandbox: RunningSandbox) -> Iterator[XeroClient]:
    token = custom_token(sandbox.url)
    with XeroClient(sandbox.url + "/api.xro/2.0", DEMO_TENANT, lambda: token) as xero:
        yield xero


def fault(sandbox: RunningSandbox, **spec: object) -> None:
    assert httpx2.post(sandbox.url + "/_sandbox/faults", json=spec).status_code == 201


def contacts_named(client: XeroClient, name: str) -> list[dict[str, object]]:
    return client.get("/Contacts", {"where": f'Name=="{name}"'}).items("Contacts")


def test_reads_exact_money_and_organisation(client: XeroClient) -> None:
    org = client.get("/Organisation").items("Organisations")[0]
    assert org["ShortCode"] == "!LLdm1"
    assert org["BaseCurrency"] == "AUD"
    rates = client.get("/TaxRates").items("TaxRates")
    assert all(isinstance(r["EffectiveRate"], Decimal | int) for r in rates)


def test_lost_reply_then_replay_with_the_same_key_creates_one_contact(
    sandbox: RunningSandbox, client: XeroClient
) -> None:
    fault(sandbox, kind="lost_reply", endpoint="contacts", method="PUT", count=1)
    body = {"Contacts": [{"Name": "Lost Reply Pty Ltd"}]}
    with pytest.raises(XeroTransportError) as caught:
        client.put("/Contacts", body, idempotency_key="contact-lost-1")
    assert caught.value.request_sent is True
    assert caught.value.retryable is False
    # Xero applied it; replaying the same key returns the first answer instead of a second one.
    reply = client.put("/Contacts", body, idempotency_key="contact-lost-1")
    assert reply.items("Contacts")[0]["Name"] == "Lost Reply Pty Ltd"
    assert len(contacts_named(client, "Lost Reply Pty Ltd")) == 1


def test_server_errors_and_offline_are_unavailable(
    sandbox: RunningSandbox, client: XeroClient
) -> None:
    fault(sandbox, kind="error", status=502, endpoint="contacts", count=1)
    with pytest.raises(XeroUnavailable) as caught:
        client.put("/Contacts", {"Contacts": [{"Name": "Not Applied Ltd"}]})
    assert caught.value.xero_status == 502 and caught.value.retryable
    assert contacts_named(client, "Not Applied Ltd") == []

    fault(sandbox, kind="offline", endpoint="invoices", count=1)
    with pytest.raises(XeroUnavailable) as offline:
        client.get("/Invoices")
    assert offline.value.organisation_offline


def test_validation_errors_name_what_xero_refused(client: XeroClient) -> None:
    invoice = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-02-01",
        "LineItems": [
            {
                "Description": "Work",
                "Quantity": Decimal("1"),
                "UnitAmount": Decimal("10.00"),
                "AccountCode": "999",
            }
        ],
    }
    with pytest.raises(XeroValidation) as caught:
        client.put("/Invoices", {"Invoices": [invoice]})
    assert any("999" in message for message in caught.value.messages())
    assert caught.value.as_error().code == "XERO_VALIDATION"


def test_per_element_errors_come_back_in_a_200_with_summarize_errors_false(
    client: XeroClient,
) -> None:
    good = {"Name": "Element Good Ltd"}
    bad = {"Name": "Bayside Club", "ContactNumber": "CUST-001", "EmailAddress": "x" * 300}
    reply = client.put("/Contacts", {"Contacts": [good, bad]}, {"summarizeErrors": "false"})
    assert reply.status == 200
    statuses = [c.get("StatusAttributeString") for c in reply.items("Contacts")]
    assert statuses[0] == "OK" and statuses[1] == "ERROR"


def test_not_found_unauthorized_and_forbidden(sandbox: RunningSandbox, client: XeroClient) -> None:
    with pytest.raises(XeroNotFound):
        client.get("/Invoices/00000000-0000-4000-8000-000000000000")
    bad_token = XeroClient(sandbox.url + "/api.xro/2.0", DEMO_TENANT, lambda: "not-a-token")
    with bad_token, pytest.raises(XeroUnauthorized):
        bad_token.get("/Organisation")
    token = custom_token(sandbox.url)
    other_org = XeroClient(sandbox.url + "/api.xro/2.0", UK_TENANT, lambda: token)
    with other_org, pytest.raises(XeroForbidden):
        other_org.get("/Organisation")


def test_connections_lists_the_organisations_the_token_reaches(client: XeroClient) -> None:
    tenants = {c["tenantId"] for c in client.connections()}
    assert DEMO_TENANT in tenants


def test_every_call_can_be_recorded_for_the_calls_used_figure(
    sandbox: RunningSandbox, session_factory: sessionmaker[Session]
) -> None:
    token = custom_token(sandbox.url)
    recorder = api_call_recorder(session_factory, None)
    with XeroClient(
        sandbox.url + "/api.xro/2.0", DEMO_TENANT, lambda: token, on_call=recorder
    ) as xero:
        xero.get("/Currencies")
        with pytest.raises(XeroNotFound):
            xero.get("/Invoices/00000000-0000-4000-8000-000000000000")
    with session_factory() as session:
        rows = session.scalars(select(ApiCall).order_by(ApiCall.id)).all()
        assert [(r.method, r.path, r.status, r.ok) for r in rows] == [
            ("GET", "/Currencies", 200, True),
            ("GET", "/Invoices/00000000-0000-4000-8000-000000000000", 404, False),
        ]
