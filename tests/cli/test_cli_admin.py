"""``ledgerlink admin create-user``: the first owner of a new workspace (its API key shown once),
another person given a seat in an existing one, and mistakes refused with their code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ledgerlink.cli import admin as admin_cli
from ledgerlink.cli import app
from ledgerlink.store import accounts
from ledgerlink.store.db import make_engine, make_session_factory, transaction
from ledgerlink.store.workspaces import verify_api_key

PASSWORD = "twelve or more characters"
runner = CliRunner()


def _create(database: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["admin", "create-user", "--database-url", database, "--password-env", "LL_TEST_PW", *args],
        env={"LL_TEST_PW": PASSWORD},
    )
    return result.exit_code, result.output


def test_the_first_owner_makes_the_workspace_and_can_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a narrow terminal: the workspace id and the key are printed whole, never wrapped
    monkeypatch.setattr(admin_cli, "console", Console(width=50, force_terminal=False))
    database = f"sqlite:///{tmp_path}/admin.db"
    code, out = _create(database, "--email", "Ana@Example.com", "--workspace", "Ana Trades")
    assert code == 0, out
    assert "ana@example.com is owner of Ana Trades" in out
    key = re.search(r"(ll_[A-Za-z0-9_-]+)", out)
    assert key, out
    workspace_id = re.search(r"workspace ([0-9a-f-]{36})", out)
    assert workspace_id, out
    engine = make_engine(database)
    try:
        with transaction(make_session_factory(engine)) as session:
            user = accounts.check_password(session, "ana@example.com", PASSWORD, datetime.now(UTC))
            assert user is not None
            assert accounts.role_in(session, user.id, workspace_id.group(1)) == "owner"
            assert verify_api_key(session, key.group(1)) == workspace_id.group(1)
    finally:
        engine.dispose()

    code, out = _create(
        database,
        "--email",
        "bo@example.com",
        "--workspace",
        workspace_id.group(1),
        "--role",
        "viewer",
    )
    assert code == 0, out
    assert "bo@example.com is viewer of Ana Trades" in out
    assert "API key" not in out  # an existing workspace keeps its keys


def test_a_bad_role_or_a_short_password_is_refused_with_its_code(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/admin.db"
    code, out = _create(database, "--email", "a@example.com", "--workspace", "W", "--role", "boss")
    assert code == 1
    assert "VALIDATION_FAILED" in out and "role must be one of owner, admin, viewer" in out
    result = runner.invoke(
        app,
        [
            "admin",
            "create-user",
            "--database-url",
            database,
            "--email",
            "a@example.com",
            "--workspace",
            "W",
            "--password-env",
            "LL_SHORT",
        ],
        env={"LL_SHORT": "short", "COLUMNS": "200"},
    )
    assert result.exit_code == 1
    assert "PASSWORD_WEAK" in result.output
