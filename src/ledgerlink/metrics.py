"""The process's Prometheus metrics: one registry, every metric the engine exports at ``/metrics``.

Counters and histograms are counted where the thing happens (a Xero call, a limiter wait, a job
ending) in the process it happens in; the Xero client reports its calls through
``xero.observe``, which this module listens to. What the database knows (queue depth, budget
left) is read when scraped, by collectors made for the engine that serves the scrape
(``register_engine_collector``; ``engine_registry`` puts them together), so any process serving
``/metrics`` reports its engine's whole queue, whichever worker changed it, and a process that
opens many engines (tests do) reads each one's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.store.models import Document, QueueItem
from ledgerlink.xero.observe import observe

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
WEBHOOK_EVENTS = Counter(
    "ledgerlink_xero_webhook_events",
    "Events of Xero webhook deliveries received: new (stored), repeated (stored already).",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_REFUSED = Counter(
    "ledgerlink_xero_webhook_refused",
    "Webhook deliveries answered 401 (a signature that does not verify) or 400.",
    ["status"],
    registry=REGISTRY,
)
PULLED = Counter(
    "ledgerlink_pulled_records",
    "Xero records read back into links, by how they were asked for: webhook or poll.",
    ["reason"],
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "ledgerlink_job_duration_seconds",
    "Wall time of one worker run (a sync job) on one connection, by how it ended.",
    ["state"],
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0),
    registry=REGISTRY,
)

# A collector made for one engine's database: a process serving ``/metrics`` for an engine (the
# REST app, a worker's ``--metrics-port``) makes its own, so the figures are that engine's even
# when one process opens many engines (tests do).
EngineCollector = Callable[[sessionmaker[Session]], Collector]
_engine_collectors: dict[str, EngineCollector] = {}


def register_engine_collector(name: str, make: EngineCollector) -> None:
    """Register ``make``, which builds a scrape-time collector reading one engine's database.

    Once per name: registering again replaces the maker (a module reloaded keeps one)."""
    _engine_collectors[name] = make


class _Process:
    """The process's own counters and histograms, as one collector of an engine's registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def engine_registry(factory: sessionmaker[Session]) -> CollectorRegistry:
    """What ``/metrics`` serves for the engine on ``factory``: the process's counters, and the
    engine collectors reading that engine's database when scraped."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Process())
    for make in _engine_collectors.values():
        registry.register(make(factory))
    return registry


# what one call to Xero counts -----------------------------------------------------------


def purpose(method: str) -> str:
    """What a call was for, as egress is counted: a ``read`` (GET) or a ``write``."""
    return "read" if method.upper() in ("GET", "HEAD") else "write"


class _Counting:
    """What the Xero client tells its observers, counted (``xero.observe``)."""

    def waited(self, seconds: float) -> None:
        LIMITER_WAIT.observe(seconds)

    def answered(self, method: str, status: int, size: int) -> None:
        XERO_CALLS.labels(method.upper(), str(status)).inc()
        if size:
            EGRESS_BYTES.labels(purpose(method)).inc(size)

    def rate_limited(self, problem: str) -> None:
        XERO_429S.labels(problem).inc()


# Every client of the process counts here once this module is loaded (the call log, the jobs and
# the REST app load it).
observe(_Counting())


# what the database knows, read when scraped -------------------------------------------


class QueueDepth:
    """``ledgerlink_queue_items{state, kind}``: queue items of one engine by state and kind, as
    ``ledgerlink status`` counts them; every kind's queued, in-flight and held states are shown
    (0 when empty) so a series never vanishes when its queue drains."""

    ALWAYS = ("queued", "in_flight", "needs_attention", "failed")

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "ledgerlink_queue_items",
            "Queue items by state and document kind (read from the database when scraped).",
            labels=["state", "kind"],
        )
        counts = {(state, kind): 0 for kind in kinds.names() for state in self.ALWAYS}
        with self.factory() as session:
            rows = session.execute(
                select(QueueItem.state, Document.kind, func.count())
                .join(Document, Document.id == QueueItem.document_id)
                .group_by(QueueItem.state, Document.kind)
            )
            counts.update({(state, kind): int(n) for state, kind, n in rows})
        for (state, kind), n in sorted(counts.items()):
            family.add_metric([state, kind], n)
        yield family


register_engine_collector("queue_depth", QueueDepth)
