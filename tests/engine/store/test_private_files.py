"""Files that hold secrets or customers' documents are the user's alone (0600), and the key
file is found in one place per user whatever folder a process starts in."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ledgerlink.config import Settings
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine
from ledgerlink.store.secrets import KeyRing

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which a new file is readable by everyone."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in ("LEDGERLINK_SECRET_KEYS", "LEDGERLINK_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_sqlite_files_are_created_private(tmp_path: Path, open_umask: None) -> None:
    url = f"sqlite:///{tmp_path}/ledgerlink.db"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:  # WAL: the -wal and -shm files exist while open
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        with engine.connect() as connection:
            connection.execute(text("SELECT x FROM probe")).all()
            files = sorted(p.name for p in tmp_path.iterdir())
            assert files == ["ledgerlink.db", "ledgerlink.db-shm", "ledgerlink.db-wal"]
            for name in files:
                assert mode(tmp_path / name) == 0o600, name
    finally:
        engine.dispose()


def test_key_file_beside_sqlite_is_private(tmp_path: Path, open_umask: None) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/db/ledgerlink.db")
    settings.resolved_secret_keys()
    assert settings.key_file.parent == tmp_path / "db"
    assert mode(settings.key_file) == 0o600


def test_postgresql_key_file_is_per_user_not_per_folder(
    tmp_path: Path, user_home: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rings = []
    for folder in ("api", "worker"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        settings = Settings(database_url=PG)
        assert settings.key_file == user_home / ".config" / "ledgerlink" / "secret-key"
        rings.append(settings.resolved_secret_keys())
        assert list((tmp_path / folder).iterdir()) == []  # nothing left in the working folder
    assert rings[0] == rings[1]
    assert mode(user_home / ".config" / "ledgerlink" / "secret-key") == 0o600
    assert mode(user_home / ".config" / "ledgerlink") == 0o700


def test_xdg_config_home_and_the_override_are_followed(
    tmp_path: Path, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env().with_database(PG).key_file == (
        tmp_path / "xdg" / "ledgerlink" / "secret-key"
    )
    chosen = tmp_path / "keys" / "ledgerlink.key"
    monkeypatch.setenv("LEDGERLINK_SECRET_KEY_FILE", str(chosen))
    for url in (PG, f"sqlite:///{tmp_path}/ll.db"):
        settings = Settings.from_env().with_database(url)
        assert settings.key_file == chosen
    settings.resolved_secret_keys()
    assert chosen.exists() and mode(chosen) == 0o600
    assert Settings.from_env().as_env()["LEDGERLINK_SECRET_KEY_FILE"] == str(chosen)


def test_secret_keys_from_the_environment_come_first(
    tmp_path: Path, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "bGVkZ2VybGluay10ZXN0LWtleS0zMi1ieXRlcy1vayE="
    monkeypatch.setenv("LEDGERLINK_SECRET_KEYS", key)
    monkeypatch.setenv("LEDGERLINK_SECRET_KEY_FILE", str(tmp_path / "unused.key"))
    settings = Settings.from_env().with_database(PG)
    assert len(settings.resolved_secret_keys()) == 1
    assert not (tmp_path / "unused.key").exists()
    assert not (user_home / ".config").exists()


def test_a_key_file_left_in_the_working_folder_is_adopted(
    tmp_path: Path, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens sealed under the key an earlier version kept in the working folder still open."""
    monkeypatch.chdir(tmp_path)
    old = "bGVkZ2VybGluay10ZXN0LWtleS0zMi1ieXRlcy1vayE="
    (tmp_path / ".ledgerlink-secret").write_text(old + "\n")
    sealed = KeyRing(Settings(secret_keys=(old,)).resolved_secret_keys()).seal("tok", "t:1:a")
    settings = Settings(database_url=PG)
    assert KeyRing(settings.resolved_secret_keys()).open(sealed, "t:1:a") == "tok"
    assert settings.key_file.read_text().strip() == old
    assert mode(settings.key_file) == 0o600
    # A SQLite database keeps its own key beside it: it adopts nothing from the working folder.
    beside = Settings(database_url=f"sqlite:///{tmp_path}/elsewhere/ll.db")
    beside.resolved_secret_keys()
    assert beside.key_file.read_text().strip() != old
