"""Chaos, bigger: worker processes driving several organisations each, SIGKILLed at random.

``ledgerlink worker`` processes on one PostgreSQL database, each driving several organisations
at once, are SIGKILLed at random while documents pour into every organisation and the sandbox
misbehaves; figures, and exit 1 on any violation.

The run is the one ``tests/engine/sync/test_chaos.py`` makes (the package
``tests/engine/sync/chaos/`` describes it), with more workers, more waves, bigger waves and a
longer outage and tail. It prints the figures (documents and versions, kills, faults fired,
calls; per organisation: its documents, calls, faults and the rules it broke; per kind: what
was pushed, the writes under the chaos and in the drain, what Xero holds and how much twice,
where the queue items ended; wall time), which rules held, and every violation with its
evidence.

    .venv/bin/python bench/chaos.py                    # 4 workers, 100 waves, 1,340 documents
    .venv/bin/python bench/chaos.py --seed 7 --waves 120 --workers 6 --keep
    .venv/bin/python bench/chaos.py --organisations demo --concurrency 1   # one org, as before

Exit status: 0 when every rule held, 1 on a violation, 2 when PostgreSQL is unreachable.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the shared run lives under tests/

from tests.engine.conftest import PG_URL, postgres_problem  # noqa: E402
from tests.engine.sync.chaos import ChaosConfig, run_chaos  # noqa: E402
from tests.engine.sync.chaos.config import PER_WAVE  # noqa: E402
from tests.engine.sync.chaos.orgs import ORGS  # noqa: E402

BENCH = ChaosConfig(
    workers=4,
    waves=100,
    new_invoices=7.0,
    new_expenses=2.0,
    new_purchase_orders=1.6,
    new_credit_notes=1.4,
    new_payments=1.4,
    changes=6,
    reverts=3,
    repeats=2,
    flips=0.6,
    allocates=0.4,
    deletes=0.5,
    kill_gap=(2.5, 5.0),
    outage_seconds=15.0,
    tail_seconds=20.0,
    drain_seconds=180.0,
    detail_limit=20,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=BENCH.seed)
    parser.add_argument("--workers", type=int, default=BENCH.workers)
    parser.add_argument("--waves", type=int, default=BENCH.waves)
    parser.add_argument(
        "--organisations",
        nargs="+",
        choices=list(ORGS),
        default=list(BENCH.organisations),
        help="the sandbox organisations driven at once, demo first (the documents are shared "
        "out among them)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=BENCH.concurrency,
        help="organisations one worker process drives at once",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="documents and pushes per wave, times"
    )
    parser.add_argument("--lease", type=float, default=BENCH.lease_seconds, help="seconds")
    parser.add_argument("--fault-rate", type=float, default=BENCH.fault_rate)
    parser.add_argument("--outage", type=float, default=BENCH.outage_seconds, help="seconds")
    parser.add_argument("--detail", type=int, default=BENCH.detail_limit)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the worker logs (kept anyway on a violation or note)",
    )
    args = parser.parse_args()

    problem = postgres_problem()
    if problem is not None:
        print(f"PostgreSQL at {PG_URL} is unreachable ({problem}); start it (.ci/run)")
        return 2
    # --scale: what a wave holds
    scaled: dict[str, Any] = {k: getattr(BENCH, k) * args.scale for k in PER_WAVE}
    config = replace(
        BENCH,
        **scaled,
        seed=args.seed,
        workers=args.workers,
        organisations=tuple(args.organisations),
        concurrency=args.concurrency,
        waves=args.waves,
        lease_seconds=args.lease,
        fault_rate=args.fault_rate,
        outage_seconds=args.outage,
        detail_limit=args.detail,
    )
    folder = Path(tempfile.mkdtemp(prefix="ledgerlink-chaos-"))
    report = run_chaos(config, folder / "workers")
    print(report.render())
    if not (args.keep or report.violations or report.notes):
        shutil.rmtree(folder)
        print("(worker logs removed: no violation and no note; --keep keeps them)")
    return 1 if report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
