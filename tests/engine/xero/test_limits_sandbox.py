"""The limiter against the sandbox's own limit counting, across threads and processes.

The sandbox runs a compressed minute (10 calls per 2 seconds per organisation) and counts every
429 it answers; the limiter must cause none. Assertions are on counts, never on durations.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime

import httpx2
import pytest
from sqlalchemy import Engine

from ledgerlink.store.db import make_engine, make_session_factory
from ledgerlink.sync.limiter import Limiter, XeroLimits
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import XeroRateLimited
from tests.conftest import DEMO_TENANT, RunningSandbox, custom_token
from tests.engine.xero.test_limits import FakeTime, most_in_any_window
from xero_sandbox import SandboxConfig

pytestmark = pytest.mark.slow

MINUTE = 2.0
PER_MINUTE = 10
CALLS_EACH = 10
COMPRESSED = XeroLimits(per_minute=PER_MINUTE, minute_seconds=MINUTE, minute_margin=2)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    config = SandboxConfig()
    config.limits.minute_seconds = MINUTE
    config.limits.tenant_per_minute = PER_MINUTE
    return config


def hammer(db_url: str, api_url: str, token: str, calls: int) -> int:
    """One worker: ``calls`` GETs to the demo organisation through its own limiter."""
    engine = make_engine(db_url)
    limiter = Limiter(make_session_factory(engine), "LEDGERLINK-CUSTOM-CONNECTION", COMPRESSED)
    done = 0
    with XeroClient(api_url, DEMO_TENANT, lambda: token, limiter) as client:
        for _ in range(calls):
            client.get("/Currencies")
            done += 1
    engine.dispose()
    return done


def _process_main(db_url: str, api_url: str, token: str, calls: int) -> None:
    raise SystemExit(0 if hammer(db_url, api_url, token, calls) == calls else 1)


def sandbox_figures(sandbox: RunningSandbox) -> tuple[int, int, list[float]]:
    stats = httpx2.get(sandbox.url + "/_sandbox/stats").json()
    log = httpx2.get(sandbox.url + "/_sandbox/requests", params={"tenant": "demo"}).json()
    times = [datetime.fromisoformat(e["at"]).timestamp() for e in log["requests"]]
    calls = stats["api_calls"]["by_org"]["demo"]
    return stats["rate_limits"]["refused_total"], calls, times


def test_two_threads_never_meet_a_429(sandbox: RunningSandbox, db_url: str, engine: Engine) -> None:
    api_url = sandbox.url + "/api.xro/2.0"
    token = custom_token(sandbox.url)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(hammer(db_url, api_url, token, CALLS_EACH))
        except BaseException as exc:  # reported below, never lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    refused, calls, times = sandbox_figures(sandbox)
    assert refused == 0
    assert calls == results[0] + results[1] == 2 * CALLS_EACH
    assert most_in_any_window(times, MINUTE) <= PER_MINUTE
    assert len({int((t - min(times)) // MINUTE) for t in times}) >= 3


def test_two_processes_never_meet_a_429(
    sandbox: RunningSandbox, db_url: str, engine: Engine
) -> None:
    api_url = sandbox.url + "/api.xro/2.0"
    token = custom_token(sandbox.url)
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_process_main, args=(db_url, api_url, token, CALLS_EACH))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    assert [w.exitcode for w in workers] == [0, 0]
    refused, calls, times = sandbox_figures(sandbox)
    assert refused == 0
    assert calls == 2 * CALLS_EACH
    assert most_in_any_window(times, MINUTE) <= PER_MINUTE


def test_a_429_is_honoured_with_its_retry_after(
    sandbox: RunningSandbox, db_url: str, engine: Engine
) -> None:
    """A minute 429 (the sandbox's rate_limit fault): the next call waits out Retry-After."""
    fault = {"kind": "rate_limit", "problem": "minute", "endpoint": "currencies", "count": 1}
    assert httpx2.post(sandbox.url + "/_sandbox/faults", json=fault).status_code == 201
    time = FakeTime()
    limiter = Limiter(
        make_session_factory(engine),
        "LEDGERLINK-CUSTOM-CONNECTION",
        COMPRESSED,
        clock=time.clock,
        sleep=time.sleep,
    )
    token = custom_token(sandbox.url)
    with XeroClient(sandbox.url + "/api.xro/2.0", DEMO_TENANT, lambda: token, limiter) as client:
        with pytest.raises(XeroRateLimited) as caught:
            client.get("/Currencies")
        assert caught.value.problem == "minute"
        assert caught.value.retry_after is not None and caught.value.retry_after >= 1
        assert caught.value.as_error().code == "XERO_RATE_LIMITED"
        slept_before = sum(time.slept)
        reply = client.get("/Currencies")
    assert reply.status == 200
    assert sum(time.slept) - slept_before >= caught.value.retry_after
    refused, calls, _ = sandbox_figures(sandbox)
    assert refused == 1  # the injected one, and no other
