"""Settings from the environment, and the sandbox switch that moves every Xero address."""

from __future__ import annotations

import pytest

from ledgerlink.config import DEFAULT_SCOPES, Settings


def test_defaults_run_the_embedded_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEDGERLINK_DATABASE_URL", "LEDGERLINK_SECRET_KEYS", "LEDGERLINK_XERO_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url == "sqlite:///ledgerlink.db"
    assert settings.secret_keys == ()
    assert settings.xero_token_url == "https://identity.xero.com/connect/token"
    assert settings.xero_api_url == "https://api.xero.com"
    assert settings.redirect_uri == "http://127.0.0.1:8000/api/v1/connections/callback"
    assert settings.scopes == DEFAULT_SCOPES and "offline_access" in settings.scopes


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERLINK_DATABASE_URL", "postgresql+psycopg://db/ll")
    monkeypatch.setenv("LEDGERLINK_SECRET_KEYS", " new , old ")
    monkeypatch.setenv("LEDGERLINK_XERO_CLIENT_ID", "APP")
    monkeypatch.setenv("LEDGERLINK_XERO_CLIENT_SECRET", "shh")
    monkeypatch.setenv("LEDGERLINK_XERO_API_URL", "https://api.example/")
    settings = Settings.from_env()
    assert settings.database_url == "postgresql+psycopg://db/ll"
    assert settings.secret_keys == ("new", "old")
    assert (settings.xero_client_id, settings.xero_client_secret) == ("APP", "shh")
    assert settings.xero_api_url == "https://api.example"
    assert "shh" not in repr(settings)


def test_for_sandbox_points_every_xero_address_at_the_sandbox() -> None:
    settings = Settings(xero_client_id="APP").for_sandbox("http://127.0.0.1:9999/")
    assert settings.xero_authorize_url == "http://127.0.0.1:9999/identity/connect/authorize"
    assert settings.xero_token_url == "http://127.0.0.1:9999/connect/token"
    assert settings.xero_revocation_url == "http://127.0.0.1:9999/connect/revocation"
    assert settings.xero_api_url == "http://127.0.0.1:9999"
    assert settings.xero_deeplink_url == "http://127.0.0.1:9999"
    assert settings.xero_client_id == "APP"


def test_as_env_is_what_from_env_reads_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child process (a worker started by a test or a supervisor) gets the same settings."""
    settings = Settings(
        database_url="postgresql+psycopg://127.0.0.1/test",
        secret_keys=("a" * 43, "b" * 43),
        xero_client_id="APP",
        xero_client_secret="secret",
        redirect_uri="https://example.test/callback",
    ).for_sandbox("http://127.0.0.1:8765")
    for name, value in settings.as_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == settings
