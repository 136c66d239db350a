"""``bench/engine_calls.py`` with the new kinds' scenarios (``bench/kinds_calls.py``), small: each
runs to the end, every document it pushed synced (with those made from it: an order's payments
and products, a pay run's bills), the engine's call count the sandbox's, no 429. The figures
themselves are not asserted; only that the bench still measures what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEW = (
    "customers",
    "customers-changed",
    "suppliers",
    "products",
    "orders",
    "stock-movements",
    "pay-runs",
    "pay-runs-known",
    "hk-default-usd",
)


@pytest.mark.slow
@pytest.mark.timeout(300)  # nine scenarios, each a fresh sandbox and engine
def test_each_new_kind_s_scenario_syncs_every_document_and_counts_its_calls() -> None:
    only = [arg for name in NEW for arg in ("--only", name)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engine_calls.py"), "--documents", "24", *only],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    blocks = [b for b in out.split("\n\n")[1:] if "documents synced" in b]
    assert len(blocks) == len(NEW), out
    for block in blocks:
        alone = re.search(r"documents synced\s+(\d+) of (\d+)", block)
        made = re.search(r"documents synced\s+(\d+) \((\d+) pushed, (\d+) made\)", block)
        if alone:
            assert alone[1] == alone[2] != "0", block
        else:
            assert made and int(made[1]) == int(made[2]) + int(made[3]) and int(made[3]) > 0, block
        calls = re.search(r"Xero API calls\s+(\d+) \(sandbox counted (\d+)\)", block)
        assert calls and calls[1] == calls[2] != "0", block
        assert re.search(r"429 responses\s+0\n", block + "\n"), block
    summary = out[out.index("calls per 1,000 documents") :]
    for name in NEW:
        assert re.search(rf"\n  {re.escape(name)}\s+\d+\.\d\s+\w+", summary), (name, summary)
