"""Xero's limits from the environment: a higher app tier, or a minute compressed for a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerlink.config import Settings, new_key_text
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits


def test_without_the_environment_the_limits_are_xeros(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MINUTE_LIMIT", "DAY_LIMIT", "APP_MINUTE_LIMIT", "MINUTE_SECONDS"):
        monkeypatch.delenv(f"LEDGERLINK_XERO_{name}", raising=False)
    limits = XeroLimits.from_env()
    assert (limits.per_minute, limits.per_day, limits.concurrent) == (60, 5000, 5)
    assert (limits.app_per_minute, limits.minute_seconds) == (10000, 60.0)


def test_the_environment_changes_only_what_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_APP_MINUTE_LIMIT", "20000")
    monkeypatch.setenv("LEDGERLINK_XERO_MINUTE_SECONDS", "1.5")
    limits = XeroLimits.from_env()
    assert (limits.app_per_minute, limits.minute_seconds, limits.per_minute) == (20000, 1.5, 60)
    assert limits.minute_interval == pytest.approx(1.5 / 58)


@pytest.mark.parametrize("value", ["0", "-3", "sixty", "1.5"])
def test_a_bad_limit_is_refused_at_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_MINUTE_LIMIT", value)
    with pytest.raises(ValueError, match="LEDGERLINK_XERO_MINUTE_LIMIT must be a positive"):
        XeroLimits.from_env()


def test_the_retry_policy_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from ledgerlink.sync.lifecycle import Policy

    for name in ("MAX_ATTEMPTS", "BACKOFF_SECONDS", "BACKOFF_MAX_SECONDS"):
        monkeypatch.delenv(f"LEDGERLINK_{name}", raising=False)
    assert Policy.from_env() == Policy()
    monkeypatch.setenv("LEDGERLINK_BACKOFF_SECONDS", "0.2")
    monkeypatch.setenv("LEDGERLINK_BACKOFF_MAX_SECONDS", "1")
    policy = Policy.from_env()
    assert (policy.backoff(1), policy.backoff(3), policy.backoff(9)) == (0.2, 0.8, 1.0)
    assert policy.max_attempts == 8
    monkeypatch.setenv("LEDGERLINK_MAX_ATTEMPTS", "none")
    with pytest.raises(ValueError, match="LEDGERLINK_MAX_ATTEMPTS"):
        Policy.from_env()


def test_a_killed_workers_calls_stop_holding_places_once_they_must_have_ended(
    tmp_path: Path,
) -> None:
    # A count of calls in flight that no call refreshed for longer than a call can last (the
    # read timeout and a margin) belongs to a killed worker: Xero has finished those calls.
    assert XeroLimits().for_calls_lasting(4.0).slot_ttl_seconds == 9.0
    assert XeroLimits().for_calls_lasting(600.0).slot_ttl_seconds == 90.0  # never longer
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ttl.db'}",
        secret_keys=(new_key_text(),),
        xero_read_timeout=20.0,
    )
    engine = Engine.open(settings, admin_token="")
    try:
        assert engine.limits.slot_ttl_seconds == 25.0
        assert engine.limiter().limits.slot_ttl_seconds == 25.0
    finally:
        engine.close()
