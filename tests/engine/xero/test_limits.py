"""The shared limiter with an injected clock: budgets, slots, 429s and Xero's headers.

No test here waits on wall time: ``sleep`` advances a fake clock.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.sync.limiter import Limiter, Slot, XeroLimits
from ledgerlink.xero.errors import XeroBudgetExhausted

TENANT = "tenant-a"


class FakeTime:
    """A clock that only moves when someone sleeps (or a test advances it)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(session_factory: sessionmaker[Session], time: FakeTime, **limits: float) -> Limiter:
    budget = XeroLimits(**limits)  # type: ignore[arg-type]
    return Limiter(session_factory, "client-1", budget, clock=time.clock, sleep=time.sleep)


def most_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, sum(1 for t in ordered[i:] if t < start + window))
    return best


def test_minute_budget_spaces_calls_below_the_limit(session_factory: sessionmaker[Session]) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=10, minute_margin=2)
    started: list[float] = []
    for _ in range(24):
        slot = lim.acquire(TENANT)
        started.append(time.now)
        slot.release()
    # Xero's window may start anywhere: no 60-second stretch holds more than 10 - 2 calls.
    assert most_in_any_window(started, 60.0) == 8
    assert len({int((t - started[0]) // 60) for t in started}) == 3


def test_try_acquire_says_how_long_to_wait_and_takes_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=10, minute_margin=2)
    first = lim.try_acquire(TENANT)
    assert isinstance(first, Slot)
    first.release()
    wait = lim.try_acquire(TENANT)
    assert isinstance(wait, float) and wait == pytest.approx(60 / 8)
    time.now += wait
    assert isinstance(lim.try_acquire(TENANT), Slot)


def test_tenants_have_their_own_minute_but_share_the_app_budget(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=10, app_per_minute=12, app_margin_ratio=0.0)
    for tenant in ("t1", "t2", "t3"):
        slot = lim.try_acquire(tenant)
        assert isinstance(slot, Slot), tenant
        slot.release()
        time.now += 6.0  # one app interval (60 / (12 - 2))
    started: list[float] = []
    for n in range(30):
        slot = lim.acquire(f"t{n % 3}")
        started.append(time.now)
        slot.release()
    assert most_in_any_window(started, 60.0) <= 10


def test_day_budget_stops_before_xeros_and_max_wait_gives_up(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(
        session_factory, time, per_day=12, day_margin=2, per_minute=1000, day_seconds=86400
    )
    for _ in range(10):
        lim.acquire(TENANT).release()
    with pytest.raises(XeroBudgetExhausted) as caught:
        lim.acquire(TENANT, max_wait=60)
    assert caught.value.delay > 80000
    assert caught.value.as_error().code == "XERO_RATE_LIMITED"
    time.now += 86400
    assert isinstance(lim.try_acquire(TENANT), Slot)


def test_concurrent_slots_and_a_killed_workers_slot_comes_back(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(
        session_factory,
        time,
        concurrent=2,
        per_minute=6000,
        slot_ttl_seconds=90,
        slot_poll_seconds=0.05,
    )
    held = [lim.acquire(TENANT), lim.acquire(TENANT)]
    time.now += 1
    assert isinstance(lim.try_acquire(TENANT), float)
    held[0].release()
    third = lim.try_acquire(TENANT)
    assert isinstance(third, Slot)
    # held[1]'s worker dies without releasing: after the slot's lifetime it is free again.
    time.now += 91
    fourth = lim.try_acquire(TENANT)
    assert isinstance(fourth, Slot)
    # The dead worker's late release must not free the slot now held by someone else.
    held[1].release()
    assert isinstance(lim.try_acquire(TENANT), float)
    third.release()
    fourth.release()
    fourth.release()  # twice is harmless
    time.now += 1
    assert isinstance(lim.try_acquire(TENANT), Slot)


def test_penalise_honours_retry_after_for_the_tenant_only(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=6000)
    lim.penalise(TENANT, 42.0, "minute")
    wait = lim.try_acquire(TENANT)
    assert isinstance(wait, float) and wait == pytest.approx(42.0)
    other = lim.try_acquire("tenant-b")
    assert isinstance(other, Slot)
    other.release()
    lim.acquire(TENANT).release()
    assert sum(time.slept) >= 42.0


def test_appminute_429_blocks_every_tenant(session_factory: sessionmaker[Session]) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=6000)
    lim.penalise(TENANT, 7.0, "appminute")
    assert isinstance(lim.try_acquire("tenant-b"), float)


def test_day_429_without_retry_after_still_backs_off(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=6000)
    lim.penalise(TENANT, None, "day")
    wait = lim.try_acquire(TENANT)
    assert isinstance(wait, float) and wait > 0


def test_xeros_remaining_headers_tighten_our_view(session_factory: sessionmaker[Session]) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=60, per_day=5000, day_margin=10)
    slot = lim.acquire(TENANT)
    # Someone else spent this organisation's day: Xero says only 5 calls remain.
    slot.release({"X-DayLimit-Remaining": "5", "X-MinLimit-Remaining": "50"})
    assert isinstance(lim.try_acquire(TENANT), float)

    other = lim.acquire("tenant-b")
    other.release({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
    time.now += 2
    wait = lim.try_acquire("tenant-b")
    assert isinstance(wait, float) and wait > 50


def test_headers_our_own_calls_explain_change_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    time = FakeTime()
    lim = limiter(session_factory, time, per_minute=60)
    slot = lim.acquire(TENANT)
    slot.release({"X-MinLimit-Remaining": "59", "X-DayLimit-Remaining": "4999"})
    time.now += 60 / 58
    assert isinstance(lim.try_acquire(TENANT), Slot)
    lim.observe(TENANT, {"X-AppMinLimit-Remaining": "9999"})
