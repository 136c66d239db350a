"""The size and pace of a run (``ChaosConfig``): how many organisations and workers, how many
documents and pushes a wave holds, how often workers are killed, how the faults come, and the
workers' compressed timings. The defaults are the CI test's; ``bench/chaos.py`` makes it bigger.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChaosConfig:
    """The size and pace of a run; the defaults are the CI test's.

    The ``new_*`` figures and the pushes other than changes, reverts and repeats are per wave
    on average (0.5: one every other wave); changes, reverts and repeats are per wave too. They
    are the whole run's: each organisation gets its share (``plan.Plan``), so more
    organisations spread the same work wider rather than adding to it.
    """

    seed: int = 20260302
    # The sandbox organisations the run drives at once (``orgs.ORGS``), the demo one first.
    organisations: tuple[str, ...] = ("demo", "uk")
    workers: int = 3
    # Connections one worker process drives at once (LEDGERLINK_WORKER_CONCURRENCY): above one,
    # so a process killed often holds several organisations' leases and sends.
    concurrency: int = 4
    lease_seconds: float = 2.0
    waves: int = 42
    wave_gap: tuple[float, float] = (0.5, 1.1)
    new_invoices: float = 3.5  # per wave
    new_expenses: float = 1.0
    new_purchase_orders: float = 0.8
    new_credit_notes: float = 0.7
    new_payments: float = 0.7
    changes: float = 3
    reverts: float = 2
    repeats: float = 1
    flips: float = 0.3  # purchase orders, approved <-> draft
    allocates: float = 0.2  # credit notes of earlier waves given allocations
    deletes: float = 0.25  # payments of earlier waves deleted
    allocated_share: float = 0.3  # new credit notes applied to invoices from the start
    draft_credit_share: float = 0.2  # credit notes kept draft (never allocated)
    kill_gap: tuple[float, float] = (3.0, 6.0)
    restart_delay: tuple[float, float] = (0.1, 0.8)
    holder_share: float = 0.85  # kills aimed at a worker holding a lease
    pause_share: float = 0.5  # new lives armed to stop at a pause point
    # The faults come in storms and calms by turns (see sandbox.Weather).
    fault_rate: float = 2.0  # scales every fault probability in a storm
    calm_lost_replies: float = 0.12  # in a calm only replies are lost, this often
    storm_seconds: tuple[float, float] = (3.0, 7.0)
    calm_seconds: tuple[float, float] = (3.0, 6.0)
    slow_seconds: float = 2.5  # longer than the lease: a live worker's heartbeat must keep it
    # The workers' Xero read timeout (LEDGERLINK_XERO_READ_TIMEOUT), above the slowest reply: a
    # dead worker's send is settled only once it has passed, so Xero's 60 s would stall a run.
    read_timeout: float = 6.0
    outage_seconds: float = 10.0  # each organisation offline once, at its own moment
    # Chaos after the last wave: kills and a calm's lost replies go on while the backlog is
    # worked off, so the later stages (credit notes, allocations, payments) go under them too.
    tail_seconds: float = 8.0
    # The workers' retry policy (LEDGERLINK_BACKOFF_SECONDS, doubled each time, at most
    # LEDGERLINK_BACKOFF_MAX_SECONDS): the engine's 5 s up to 15 minutes, compressed like Xero's
    # minute, so an outage of seconds tries items as often as one of many minutes would.
    backoff_seconds: float = 0.2
    backoff_max_seconds: float = 1.0
    drain_seconds: float = 60.0
    stop_seconds: float = 20.0
    detail_limit: int = 8  # documents shown in full per rule


# What a wave holds, on average: each organisation of a run gets its share of these.
PER_WAVE = (
    "new_invoices",
    "new_expenses",
    "new_purchase_orders",
    "new_credit_notes",
    "new_payments",
    "changes",
    "reverts",
    "repeats",
    "flips",
    "allocates",
    "deletes",
)
