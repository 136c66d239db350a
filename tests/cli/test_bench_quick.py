"""``bench/run.py --quick`` as CI runs it: one table, every row with a figure, every document
in Xero exactly once. No timing is asserted: only that the figures are there and sane."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = (
    "documents in Xero exactly once",
    "calls per 1,000 documents",
    "CPU ms per document",
    "wall time, s",
    "rate-limit bound, s",
    "share of bound reached",
    "share of bound, first to last request",
    "429 responses",
    "time lost waiting out 429s, s",
    "egress bytes per document",
    "engine CPU ms/doc, contacts in Xero",
    "engine CPU ms/doc, all contacts new",
    "intake documents/s, 1,000 stored",
)
FIGURE = r"\d[\d,]*(\.\d+)?%?"


def cells(output: str, label: str) -> list[str]:
    line = next((x for x in output.splitlines() if x.startswith(label)), None)
    assert line is not None, f"no row {label!r} in:\n{output}"
    return re.split(r"\s{2,}", line[len(label) :].strip())[-3:]


def test_quick_run_prints_a_complete_table() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-3000:]

    for label in ROWS:
        row = cells(out, label)
        assert re.match(FIGURE, row[0]), f"{label}: ledgerlink has no figure: {row}"
    # Rows the three columns share have a figure in each.
    for label in ROWS[:10]:
        assert all(re.fullmatch(FIGURE + r"(/\d+)?", c) for c in cells(out, label)), label

    # Each column sent every document it was given, and each exactly once.
    for cell in cells(out, "documents in Xero exactly once"):
        once, expected = map(int, cell.split("/"))
        assert once == expected > 0
    # The engine stays within Xero's limits; batching costs fewer calls than one by one.
    engine, single, batched = (float(c.replace(",", "")) for c in cells(out, "calls per 1,000"))
    assert cells(out, "429 responses")[0] == "0"
    assert engine < single and batched < single

    many = [x for x in out.splitlines() if "organisations x" in x]
    assert many, out
    for line in many:
        once = re.search(r"documents once (\d+)/(\d+)", line)
        assert once and once.group(1) == once.group(2), line
        assert "429s 0," in line, line
        assert re.search(r"slowest over median \d+\.\d+", line), line

    # Xero's webhooks in: every stored event once (one in ten deliveries repeats one), none
    # answered otherwise than 200, and the pulls read in batches.
    hooks = [
        x.split() for x in out.splitlines() if x.strip().startswith(("sqlite ", "postgresql "))
    ]
    assert hooks, out
    for cols in hooks:
        events, stored, refused, pulls, calls = (float(c) for c in (cols[1], *cols[5:9]))
        assert events > 0 and stored > 0 and refused == 0
        assert 0 < calls < pulls  # many ids a call, never one GET per event
