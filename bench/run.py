"""One benchmark command: the engine beside two naive scripts, one table from one run.

    .venv/bin/python bench/run.py            # the full run (the figures issue 9 asks for)
    .venv/bin/python bench/run.py --quick    # small sizes, for CI (well under a minute)

Every Xero is a sandbox (``ledgerlink sandbox``) in a subprocess; the engine and the baselines
run in this process, so "CPU" is this process's own CPU time (``time.process_time()``, every
thread), never the sandbox's. Figures only; nothing about time is asserted.

Sections, each in a fresh sandbox and a fresh database:

- *compressed minute*: the same invoices (contacts already in Xero) sent by ledgerlink, by a
  script doing one look-up and one PUT per invoice, and by one PUTting batches of 30 as fast as
  it can, each to an organisation of its own under Xero's per-organisation limits with the
  minute shortened (both the sandbox and the engine's limiter use the same minute). The
  *rate-limit bound* is the least wall time Xero's per-organisation minute limit allows for the
  calls a column made: calls x minute / 60. *Share of bound* is that bound over the measured
  wall time: 100% would be a run paced exactly at Xero's limit, with nothing else in the way.
  The one-by-one script makes two calls a document, more than Xero's day allows for thousands,
  so it sends the first ``--one-by-one`` of them only.
- *engine CPU per document*: ledgerlink alone with limits off, contacts already in Xero and
  every contact new, on SQLite and PostgreSQL (when it answers at 127.0.0.1:5432).
- *intake*: documents per second ``Engine.push`` takes in with that many already stored.
- *many organisations*: one worker process (this one, ``Engine.sync``) under the real minute,
  and ``ledgerlink worker`` processes on PostgreSQL under a compressed minute.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # ``bench`` as a package, when run as a script

from bench import sections, webhook_intake  # noqa: E402
from bench.sections import Sizes  # noqa: E402
from bench.table import Table  # noqa: E402

FULL = Sizes(
    5000, 1000, 2.0, 1000, (1000, 10_000, 100_000), 1000, 200, 10, 60.0, 1000, 10, 3, 2.0, 1800
)
QUICK = Sizes(
    200, 60, 1.0, 100, (1000, 2000, 5000), 200, 10, 5, 2.0, 10, 5, 2, 2.0, 120, webhook_intake.QUICK
)


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--documents", type=int, help="documents in the compressed-minute run")
    parser.add_argument("--minute", type=float, help="the compressed minute, in seconds")
    parser.add_argument("--one-by-one", type=int, help="documents the one-by-one script sends")
    parser.add_argument("--orgs", type=int, help="organisations in the one-process run")
    parser.add_argument("--per-org", type=int, help="invoices per organisation")
    parser.add_argument("--pg-orgs", type=int, help="organisations in the PostgreSQL run")
    parser.add_argument("--workers", type=int, help="worker processes in the PostgreSQL run")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=sections.NAMES,
        help="leave a section out (repeatable)",
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    sizes = Sizes(
        args.documents or base.documents,
        min(args.one_by_one or base.one_by_one, args.documents or base.documents),
        args.minute or base.minute,
        base.cpu_documents,
        base.stored,
        base.intake_batch,
        args.orgs or base.orgs,
        args.per_org or base.per_org,
        base.orgs_minute,
        args.pg_orgs or base.pg_orgs,
        args.per_org or base.pg_per_org,
        args.workers or base.pg_workers,
        base.pg_minute,
        base.workers_timeout,
        base.webhooks,
    )
    random.seed(1)
    started = time.perf_counter()
    table = Table(f"ledgerlink benchmark ({'quick' if args.quick else 'full'} run; {machine()})")
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        bench = sections.Bench(sizes, Path(folder), table, lines)
        for name in sections.NAMES:
            if name not in args.skip:
                getattr(bench, name)()
                print(f"  ... {name} done ({time.perf_counter() - started:.0f} s)", flush=True)
    print()
    print(table.render())
    print()
    for line in lines:
        print(line)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
