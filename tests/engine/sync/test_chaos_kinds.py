"""Chaos with issue 12's kinds, on both databases: two ``ledgerlink worker`` processes SIGKILLed
on the chaos run's seeded schedule (``chaos.schedule.kills``; some lives armed to stop at a pause
point and killed there), carried out by its ``Fleet``, while the sandbox's faults come in its
storms and calms (``chaos.sandbox.Weather``, on every endpoint these kinds write: contacts,
items, invoices, credit notes, payments, manual journals) and waves of documents are pushed
through intake and changed (``chaos.kinds_plan``): customers and suppliers with invoices and
bills naming the same keys (some before the customer arrives), products and store orders (paid,
naming products Xero lacks under ``create_nonexistent_products``, refunded paid or unpaid, paid
later), stock movements in inventory valuation mode (the valuation accounts made in the
sandbox first), and two pay runs (their pay-item types installed), one changed twice on the way.

Once the chaos stops and the queue is idle, the sandbox is judged (``chaos.kinds_judge``): one
contact per key, one item per product code, one invoice per order with its payments and refund
once, one balanced journal per movement at its newest value, each pay run's bills once each at
its last version's totals (by hand), every invoice and bill once at its newest, nothing held,
no strangers. What is judged never depends on timing; timing only decides where kills land.

``LEDGERLINK_CHAOS_SEED`` runs another seed.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledgerlink.store.models import Document, QueueItem
from tests.engine.kinds.inventory import journal_of, valuation
from tests.engine.kinds.store_docs import connect_store
from tests.engine.payroll.fixture import install_types
from tests.engine.sync.chaos import schedule
from tests.engine.sync.chaos.config import ChaosConfig
from tests.engine.sync.chaos.fleet import Fleet
from tests.engine.sync.chaos.kinds_judge import Before, KindsJudge
from tests.engine.sync.chaos.kinds_plan import KindsPlan
from tests.engine.sync.chaos.sandbox import LIMITS, Weather
from tests.engine.sync.chaos.schedule import PAUSE_POINTS
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox import SandboxConfig
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

ENDPOINTS = ("contacts", "items", "invoices", "creditnotes", "payments", "manualjournals")
CONFIG = ChaosConfig(
    seed=20261201,
    organisations=("demo",),
    workers=2,
    concurrency=1,
    kill_gap=(3.0, 5.0),
    pause_share=0.7,
    fault_rate=2.0,
    storm_seconds=(2.0, 4.0),
    calm_seconds=(2.0, 4.0),
    slow_seconds=2.5,
    read_timeout=4.0,
    tail_seconds=6.0,
    drain_seconds=120.0,  # bounds a hang, not a speed
)
WAVE_GAP = 1.5
TICK = 0.05
OPEN = ("queued", "in_flight")


@pytest.fixture
def sync_server() -> Iterator[SandboxServer]:
    """The chaos run's sandbox: its limits enforced on a one-second "minute" (the workers'
    limiter runs on the same, ``Fleet``), so a 429 burst's Retry-After is a second."""
    with SandboxServer(SandboxConfig(limits=LIMITS, fault_seed=_config().seed)) as server:
        yield server


def _config() -> ChaosConfig:
    seed = os.environ.get("LEDGERLINK_CHAOS_SEED", "").strip()
    return replace(CONFIG, seed=int(seed)) if seed else CONFIG


def _ready(harness: SyncHarness) -> None:
    """What a person sets up before the first sync: the valuation accounts in Xero and the
    inventory mode, the store's clearing account and option, the pay-item types."""
    valuation(harness)
    connect_store(harness, create_nonexistent_products=True)
    install_types(harness.factory, harness.workspace_id, harness.connection_id)


def _push(harness: SyncHarness, wave: list[tuple[str, dict[str, object]]]) -> None:
    kinds = list(dict.fromkeys(kind for kind, _ in wave))
    for kind in kinds:  # in the plan's order: what others name first
        results = harness.push(kind, [body for k, body in wave if k == kind])
        refused = [r for r in results if r.outcome not in ("created", "updated", "unchanged")]
        assert not refused, [(r.outcome, [e.message for e in r.errors]) for r in refused]


def _open(harness: SyncHarness) -> int:
    with harness.factory() as session:
        query = select(func.count()).where(QueueItem.state.in_(OPEN))
        return int(session.scalar(query) or 0)


def _stuck(harness: SyncHarness, fleet: Fleet, notes: list[str]) -> str:
    """Why the drain did not end: the open items by kind, state and error; the logs' ends."""
    with harness.factory() as session:
        rows = session.execute(
            select(Document.kind, QueueItem.state, QueueItem.error_code, QueueItem.error_message)
            .join(Document, Document.id == QueueItem.document_id)
            .where(QueueItem.state.in_(OPEN))
        )
        stuck = Counter(f"{k} {s} {c}: {str(m)[:160]}" for k, s, c, m in rows)
    tails = [w.log()[-1500:] for w in fleet.workers]
    return f"the queue never went idle: {dict(stuck)}\n{notes[:10]}\n" + "\n".join(tails)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_workers_killed_while_new_kinds_change_leave_each_record_once(
    harness: SyncHarness, tmp_path: Path
) -> None:
    config = _config()
    _ready(harness)
    before = Before.of(harness)
    plan = KindsPlan(config.seed)
    settings = replace(harness.settings, xero_read_timeout=config.read_timeout)
    harness = replace(harness, settings=settings)
    chaos_seconds = len(plan.waves) * WAVE_GAP + config.tail_seconds
    notes: list[str] = []
    fleet = Fleet(config, harness, tmp_path, schedule.kills(config, chaos_seconds), notes)
    weather = Weather(
        harness, config, schedule.weather(config, chaos_seconds), ("demo",), ENDPOINTS
    )
    try:
        weather.step(0.0)
        fleet.start_all()
        start = time.monotonic()
        waves = list(plan.waves)
        while (now := time.monotonic() - start) < chaos_seconds or waves:
            if waves and now >= (len(plan.waves) - len(waves)) * WAVE_GAP:
                _push(harness, waves.pop(0))
            weather.step(now)
            fleet.step(now)
            time.sleep(TICK)
        fired = weather.stop()
        calm_from = len(harness.requests())
        fleet.calm(chaos_seconds)
        deadline = time.monotonic() + config.drain_seconds
        while _open(harness) or harness.admin("GET", "/_sandbox/stats")["rate_limits"]["in_flight"]:
            assert time.monotonic() < deadline, _stuck(harness, fleet, notes)
            fleet.keep_running(time.monotonic() - start)
            time.sleep(0.25)
        fleet.stop()
    finally:
        fleet.kill_all()

    violations = KindsJudge(harness, plan, before).run()
    paused = sum(k.point.split(":")[0] in PAUSE_POINTS for k in fleet.kills)
    figures = (
        f"seed {config.seed}: {len(plan.docs)} documents, "
        f"{sum(len(d.versions) for d in plan.docs.values())} versions in {len(plan.waves)} "
        f"waves; {len(fleet.kills)} kills ({paused} "
        f"at a pause point), {len(fired)} faults fired; {calm_from} calls under the chaos, "
        f"{len(harness.requests()) - calm_from} after it"
    )
    if violations:
        shown = "\n".join(violations[:40])
        logs = "\n".join(fleet.tracebacks() + notes[:10])
        pytest.fail(f"{figures}\n{shown}\n{logs}", pytrace=False)
    assert fleet.kills, figures  # the run was one: workers were killed while it went on
    print("\n".join([figures, *fleet.tracebacks()]))


def test_the_kinds_judge_passes_a_calm_sync_and_finds_what_is_twice_or_no_one_s(
    harness: SyncHarness,
) -> None:
    """The plan synced with no chaos passes the judge (its expectations are right); a second
    contact carrying a customer's key (put into the sandbox's state: Xero refuses a contact
    number twice, a bug would not ask), a stray item and a second journal of a movement, made
    in Xero afterwards, are each found."""
    _ready(harness)
    before = Before.of(harness)
    plan = KindsPlan(CONFIG.seed, waves_count=6)  # the second pay run comes in wave 5
    assert len(plan.of("pay_run")) == 2
    for wave in plan.waves:
        _push(harness, wave)
        harness.sync()
    assert KindsJudge(harness, plan, before).run() == []
    [movement] = plan.of("stock_movement")[:1]
    contacts = harness.server.state.orgs[DEMO_TENANT].contacts
    [(_, held)] = [(k, c) for k, c in contacts.items() if c.get("ContactNumber") == "client-0"]
    twin = str(uuid.uuid4())
    contacts[twin] = dict(held, ContactID=twin)
    with harness.xero() as xero:
        assert xero.put("/Items", {"Code": "STRAY-1", "Name": "Stray"}).status == 200
    journal = journal_of(harness, movement.source_id)[0]
    with harness.xero() as xero:
        copy = {k: journal[k] for k in ("Narration", "Date", "JournalLines")}
        assert xero.put("/ManualJournals", copy).status == 200, "the copy was refused"
    rules = sorted({v.split("]")[0] + "]" for v in KindsJudge(harness, plan, before).run()})
    assert rules == ["[contacts]", "[journals]", "[strangers]"]
