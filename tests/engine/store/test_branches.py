"""Branches: a document naming its branch goes to the one connection of its workspace serving it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import create_workspace


def workspace_with(factory: sessionmaker[Session], tenants: int, name: str = "Acme") -> list[str]:
    """A workspace with ``tenants`` connections: [workspace id, connection ids...]."""
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, name)
        ids = [workspace.id]
        for n in range(tenants):
            row = conns.upsert_connection(
                session, workspace.id, f"tenant-{n}", tenant_name=f"Org {n}", token_set_id=None
            )
            ids.append(row.id)
        return ids


def set_branches(
    factory: sessionmaker[Session], workspace_id: str, connection_id: str, branches: list[str]
) -> conns.ConnectionSettings:
    with transaction(factory) as session:
        return conns.update_settings(session, workspace_id, connection_id, {"branches": branches})


def serving(factory: sessionmaker[Session], workspace_id: str, branch: str) -> str:
    with factory() as session:
        return conns.connection_for_branch(session, workspace_id, branch).id


def test_a_branch_finds_its_connection_trimmed_and_whatever_its_case(
    session_factory: sessionmaker[Session],
) -> None:
    wid, north, south = workspace_with(session_factory, 2)
    saved = set_branches(session_factory, wid, north, [" North ", "Head office"])
    assert saved.branches == ["North", "Head office"]
    set_branches(session_factory, wid, south, ["South"])
    assert serving(session_factory, wid, "north") == north
    assert serving(session_factory, wid, "  HEAD OFFICE") == north
    assert serving(session_factory, wid, "South") == south


def test_an_unknown_branch_is_named_with_the_branches_served(
    session_factory: sessionmaker[Session],
) -> None:
    wid, north, _ = workspace_with(session_factory, 2)
    with pytest.raises(LedgerlinkError) as none_yet:
        serving(session_factory, wid, "North")
    assert (none_yet.value.code, none_yet.value.field) == ("BRANCH_UNKNOWN", "branch")
    assert '"North"' in none_yet.value.message and "settings.branches" in none_yet.value.message

    set_branches(session_factory, wid, north, ["North", "East"])
    with pytest.raises(LedgerlinkError) as unknown:
        serving(session_factory, wid, "West")
    error = unknown.value
    assert (error.code, error.field, error.http_status) == ("BRANCH_UNKNOWN", "branch", 422)
    assert '"West"' in error.message
    assert '"North"' in error.message and '"East"' in error.message


def test_a_branch_goes_to_one_connection_of_a_workspace(
    session_factory: sessionmaker[Session],
) -> None:
    wid, north, south = workspace_with(session_factory, 2)
    set_branches(session_factory, wid, north, ["North"])
    for taken in (["north "], ["South", "NORTH"]):
        with pytest.raises(LedgerlinkError) as refused:
            set_branches(session_factory, wid, south, taken)
        error = refused.value
        assert (error.code, error.field) == ("VALIDATION_FAILED", "settings.branches")
        assert '"' in error.message and "Org 0" in error.message
    assert serving(session_factory, wid, "North") == north
    with session_factory() as session:
        assert conns.connection_settings(conns.get_connection(session, wid, south)).branches == []

    # Taken off the first connection, it may go to the second; the same connection may keep it.
    set_branches(session_factory, wid, north, ["North"])
    set_branches(session_factory, wid, north, [])
    set_branches(session_factory, wid, south, ["North"])
    assert serving(session_factory, wid, "NORTH") == south


def test_a_branch_listed_twice_or_blank_is_refused(session_factory: sessionmaker[Session]) -> None:
    wid, north = workspace_with(session_factory, 1)
    for branches in (["North", "north"], ["  "], ["x" * 101]):
        with pytest.raises(LedgerlinkError) as refused:
            set_branches(session_factory, wid, north, branches)
        assert refused.value.code == "VALIDATION_FAILED"
        assert refused.value.field == "settings.branches"


def test_workspaces_do_not_share_branches(session_factory: sessionmaker[Session]) -> None:
    a, a_conn = workspace_with(session_factory, 1, "A")
    b, b_conn = workspace_with(session_factory, 1, "B")
    set_branches(session_factory, a, a_conn, ["North"])
    set_branches(session_factory, b, b_conn, ["North"])
    assert serving(session_factory, a, "North") == a_conn
    assert serving(session_factory, b, "North") == b_conn
    with transaction(session_factory) as session:
        workspace_c, _ = create_workspace(session, "C")
    with pytest.raises(LedgerlinkError) as unknown:
        serving(session_factory, workspace_c.id, "North")
    assert unknown.value.code == "BRANCH_UNKNOWN"
    assert "Org" not in unknown.value.message
