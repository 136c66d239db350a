"""The process's Prometheus metrics: one registry, every metric the engine exports at ``/metrics``.

Counters and histograms are counted where the thing happens (a Xero call, a limiter wait, a job
ending) in the process it happens in. What the database knows (queue depth, budget left) is read
when the registry is scraped, by collectors registered with ``register_collector``, so any
process serving ``/metrics`` reports the whole engine's queue, whichever worker changed it.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

XERO_CALLS = Counter(
    "ledgerlink_xero_calls",
    "Calls made to Xero, by HTTP method and the status Xero answered (0: no answer).",
    ["method", "status"],
    registry=REGISTRY,
)
XERO_429S = Counter(
    "ledgerlink_xero_429s",
    "429 answers from Xero, by the limit Xero named (X-Rate-Limit-Problem).",
    ["problem"],
    registry=REGISTRY,
)
EGRESS_BYTES = Counter(
    "ledgerlink_xero_egress_bytes",
    "Bytes Xero sent back (response bodies), by what the call was for: write or read.",
    ["purpose"],
    registry=REGISTRY,
)
LIMITER_WAIT = Histogram(
    "ledgerlink_limiter_wait_seconds",
    "Time a call waited for the shared rate limiter before it could go to Xero.",
    buckets=(0.0, 0.01, 0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0),
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "ledgerlink_job_duration_seconds",
    "Wall time of one worker run (a sync job) on one connection, by how it ended.",
    ["state"],
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0),
    registry=REGISTRY,
)

_collectors: dict[str, Collector] = {}


def register_collector(name: str, collector: Collector) -> None:
    """Register a scrape-time collector once per process (a second call with the name is a
    no-op, so engines opened again in one process, as tests do, do not register twice)."""
    if name in _collectors:
        return
    _collectors[name] = collector
    REGISTRY.register(collector)
