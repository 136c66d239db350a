"""`ledgerlink demo` as a user runs it: the job-management mix pushed over REST, synced to the
local Xero, each kind counted and checked in Xero exactly once, and "Refresh from Xero"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ledgerlink.demo.jobs import job_workload
from tests.engine.conftest import TEST_KEY

LEDGERLINK = [sys.executable, "-m", "ledgerlink.cli"]
ENV = dict(os.environ, COLUMNS="200", LEDGERLINK_SECRET_KEYS=TEST_KEY)
DOCUMENTS = 60
ROW_NAMES = {
    "invoice": "invoices",
    "expense": "expenses (bills)",
    "purchase_order": "purchase orders",
    "credit_note": "credit notes",
    "payment": "payments",
}


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LEDGERLINK, "demo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=ENV,
    )


def row(name: str, *cells: object) -> re.Pattern[str]:
    """A table row: the name, then each cell in its column."""
    return re.compile(re.escape(name) + r"\s*│" + "│".join(rf"\s*{c}\s*" for c in cells) + "│")


def test_demo_syncs_every_kind_once_and_holds_the_bad_ones(tmp_path: Path) -> None:
    result = run_demo("--documents", str(DOCUMENTS), cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "connected Ledgerlink Demo Company (AU)" in out
    assert "60 documents sent in bulk requests: 58 accepted, 2 refused at intake" in out

    # Each kind: pushed, synced, held, refused, in Xero, once each, as the workload says.
    work = job_workload(DOCUMENTS)
    held = Counter(k for k, code in work.expected_errors.values() if code != "VALIDATION_FAILED")
    refused = Counter(k for k, code in work.expected_errors.values() if code == "VALIDATION_FAILED")
    for kind, docs in work.by_kind():
        valid = len(work.valid(kind))
        expected = row(ROW_NAMES[kind], len(docs), valid, held[kind], refused[kind], valid, "yes")
        assert expected.search(out), f"{kind} row: {expected.pattern}\n{out}"
    applied = sum(
        len(n.get("allocations", []))
        for n in work.credit_notes
        if n["source_id"] not in work.expected_errors
    )
    assert row("their allocations", applied, "", "", "", applied, "yes").search(out), out
    synced = sum(len(work.valid(kind)) for kind in work.kinds())
    assert re.search(rf"synced to Xero \(once each\)\s*│\s*{synced} ", out)
    assert re.search(r"documents in Xero twice\s*│\s*0 ", out)
    assert re.search(r"429 Too Many Requests\s*│\s*0 ", out)

    for line in (
        "invoice inv-negative-qty refused at intake: VALIDATION_FAILED at lines[0].quantity",
        "invoice inv-bad-account held: XERO_ACCOUNT_CODE_INVALID at lines[0].account_code",
        "invoice inv-bad-tax held: XERO_TAX_TYPE_INVALID at lines[0].tax_type",
        "expense exp-bad-currency held: XERO_CURRENCY_NOT_ENABLED at currency",
        "expense exp-archived-account held: XERO_ACCOUNT_CODE_INVALID at lines[0].account_code",
        "purchase order po-bad-revenue-account held: XERO_ACCOUNT_CODE_INVALID at "
        "lines[0].account_code",
        "payment pay-over-due held: PAYMENT_INVALID at amount",
        "credit note cn-draft-allocation refused at intake: VALIDATION_FAILED at allocations",
    ):
        assert line in out, line
    assert "fix: Enable the currency in Xero" in out
    assert "purchase order lines take expense or liability accounts" in out

    # The approved purchase order taken back to draft stays SUBMITTED, and its link says why.
    assert f"purchase order {work.reverted_po} is draft in the app (version 2); in Xero: " in out
    assert "in Xero: SUBMITTED" in out
    assert "note: The purchase order stays SUBMITTED in Xero" in out

    # "Refresh from Xero" reads the invoices settled in full back as paid.
    for source_id, how in work.settled.items():
        assert re.search(
            rf"invoice {source_id} \({how}\): was AUTHORISED; now PAID \(source_status paid\), "
            r"paid on \d{4}-\d{2}-\d{2}",
            out,
        ), out
    assert re.search(r"INV-\d+ PAID, total [\d.]+, paid [\d.]+, credited 0\.00, due 0\.00", out)
    assert re.search(r"INV-\d+ PAID, total ([\d.]+), paid 0\.00, credited \1, due 0\.00", out)
    assert re.search(r"CN-\d+ PAID, total ([\d.]+), applied \1, left 0\.00", out)

    assert "/organisationlogin/default.aspx?shortcode=" in out
    assert "Every valid document is in Xero exactly once" in out

    flat = " ".join(out.split())  # rich wraps long lines
    assert "Intent to Receive OK" in flat
    back = re.findall(r"(invoice|expense) \S+ \(\S+\) paid in Xero: now PAID", flat)
    assert sorted(back) == ["expense", "invoice"], flat[-1500:]
    assert flat.count("sent a signed document.paid (signature checked)") == 2


def test_demo_refuses_fewer_documents_than_it_needs(tmp_path: Path) -> None:
    result = run_demo("--documents", "5", cwd=tmp_path)
    assert result.returncode == 2
    assert "The demo needs at least 40 documents" in result.stdout
