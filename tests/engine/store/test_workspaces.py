"""Workspaces, API keys and connections: nothing crosses from one workspace to another."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ApiKey, Connection
from ledgerlink.store.workspaces import (
    create_api_key,
    create_workspace,
    revoke_api_key,
    verify_api_key,
)


def two_workspaces(factory: sessionmaker[Session]) -> tuple[str, str, str, str]:
    """Workspaces A and B, each with a connection to an organisation: (a, b, conn a, conn b)."""
    with transaction(factory) as session:
        a, _ = create_workspace(session, "A")
        b, _ = create_workspace(session, "B")
        ca = conns.upsert_connection(
            session, a.id, "tenant-1", tenant_name="Org", token_set_id=None
        )
        cb = conns.upsert_connection(
            session, b.id, "tenant-1", tenant_name="Org", token_set_id=None
        )
        return a.id, b.id, ca.id, cb.id


def test_api_key_is_shown_once_and_verifies(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        workspace, key = create_workspace(session, "Acme Plumbing")
    assert key.startswith("ll_") and len(key) > 40
    with transaction(session_factory) as session:
        stored = session.scalars(select(ApiKey)).one()
        assert key not in (stored.key_hash, stored.prefix) and stored.prefix == key[:12]
        assert verify_api_key(session, key) == workspace.id
        assert verify_api_key(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert verify_api_key(session, "not-a-key") is None
        assert verify_api_key(session, "") is None


def test_revoked_key_stops_working_and_others_keep_going(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        workspace, first = create_workspace(session, "Acme")
        second_row, second = create_api_key(session, workspace.id, "ci")
        first_id = session.scalars(select(ApiKey.id).where(ApiKey.id != second_row.id)).one()
    with transaction(session_factory) as session:
        revoke_api_key(session, workspace.id, first_id)
    with transaction(session_factory) as session:
        assert verify_api_key(session, first) is None
        assert verify_api_key(session, second) == workspace.id


def test_a_workspace_cannot_revoke_another_workspaces_key(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        a, _ = create_workspace(session, "A")
        b, b_key = create_workspace(session, "B")
        b_key_id = session.scalars(select(ApiKey.id).where(ApiKey.workspace_id == b.id)).one()
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
        revoke_api_key(session, a.id, b_key_id)
    assert refused.value.code == "NOT_FOUND"
    with transaction(session_factory) as session:
        assert verify_api_key(session, b_key) == b.id


def test_workspace_a_cannot_read_or_change_bs_connection(
    session_factory: sessionmaker[Session],
) -> None:
    a, b, conn_a, conn_b = two_workspaces(session_factory)
    attempts = [
        lambda s: conns.get_connection(s, a, conn_b),
        lambda s: conns.update_settings(s, a, conn_b, {"default_revenue_account": "200"}),
        lambda s: conns.mark_disconnected(s, a, conn_b),
        lambda s: conns.set_organisation(s, a, conn_b, short_code="x", base_currency="AUD"),
    ]
    for attempt in attempts:
        with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
            attempt(session)
        assert refused.value.code == "CONNECTION_NOT_FOUND"
        assert refused.value.http_status == 404
    with transaction(session_factory) as session:
        assert conns.find_connection(session, a, conn_b) is None
        assert [c.id for c in conns.list_connections(session, a)] == [conn_a]
        theirs = conns.get_connection(session, b, conn_b)
        assert theirs.status == "active" and theirs.short_code is None
        assert conns.connection_settings(theirs).default_revenue_account is None


def test_reconnecting_an_organisation_updates_its_row(
    session_factory: sessionmaker[Session],
) -> None:
    a, _, conn_a, _ = two_workspaces(session_factory)
    with transaction(session_factory) as session:
        conns.update_settings(session, a, conn_a, {"default_revenue_account": "200"})
        conns.mark_disconnected(session, a, conn_a)
    with transaction(session_factory) as session:
        again = conns.upsert_connection(
            session, a, "tenant-1", tenant_name="Org renamed", token_set_id=None
        )
        assert again.id == conn_a
    with transaction(session_factory) as session:
        count = session.scalar(
            select(func.count()).select_from(Connection).where(Connection.workspace_id == a)
        )
        row = conns.get_connection(session, a, conn_a)
        assert count == 1
        assert (row.status, row.tenant_name) == ("active", "Org renamed")
        assert conns.connection_settings(row).default_revenue_account == "200"


def test_settings_are_checked_field_by_field(session_factory: sessionmaker[Session]) -> None:
    a, _, conn_a, _ = two_workspaces(session_factory)
    with transaction(session_factory) as session:
        saved = conns.update_settings(
            session,
            a,
            conn_a,
            {
                "default_expense_account": "400",
                "default_purchase_tax_type": "INPUT",
                "invoice_number_prefix": "INV-",
                "invoice_next_number": 1001,
                "branches": ["north"],
                "active": False,
            },
        )
    assert saved.invoice_next_number == 1001 and saved.active is False
    bad = [
        ({"invoice_next_number": 0}, "settings.invoice_next_number"),
        ({"default_revenue_account": "X" * 11}, "settings.default_revenue_account"),
        ({"no_such_setting": 1}, "settings.no_such_setting"),
    ]
    for change, field in bad:
        with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
            conns.update_settings(session, a, conn_a, change)
        assert (refused.value.code, refused.value.field) == ("VALIDATION_FAILED", field)
    with transaction(session_factory) as session:
        row = conns.get_connection(session, a, conn_a)
        assert conns.connection_settings(row).invoice_next_number == 1001
        with pytest.raises(LedgerlinkError) as inactive:
            conns.require_usable(row)
        assert inactive.value.code == "CONNECTION_SWITCHED_OFF"
