"""`ledgerlink reconcile` as a person runs it against a running engine."""

from __future__ import annotations

import json

import httpx2

from tests.cli.test_cli_engine import Running, engine, run  # noqa: F401


def _connection(engine: Running) -> str:  # noqa: F811
    headers = {"Authorization": f"Bearer {engine.key}"}
    found = httpx2.get(f"{engine.url}/api/v1/connections", headers=headers).json()
    return str(found[0]["id"])


def test_reconcile_prints_a_table_or_json_and_refuses_a_bad_date(
    engine: Running,  # noqa: F811
) -> None:
    doc = {
        "source_id": "inv-1",
        "contact": {"key": "c-1", "name": "Bayside Club"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Design", "unit_amount": "150.00", "account_code": "200"}],
    }
    headers = {"Authorization": f"Bearer {engine.key}"}
    put = httpx2.put(f"{engine.url}/api/v1/documents/invoice/inv-1", json=doc, headers=headers)
    assert put.status_code == 200, put.text  # queued, never synced: the worker is off
    cid = _connection(engine)
    common = ["--connection", cid, "--from", "2026-03-01", "--to", "2026-03-31"]
    common += ["--api", engine.url, "--key", engine.key]

    table = run("reconcile", *common)
    assert table.returncode == 1, table.stdout + table.stderr
    assert "Missing in Xero (1)" in table.stdout
    assert "inv-1" in table.stdout and "never been sent" in table.stdout

    as_json = run("reconcile", *common, "--json")
    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert [(e["category"], e["source_id"]) for e in report["entries"]] == [
        ("missing_in_xero", "inv-1")
    ]
    assert report["calls"] == 5  # one read per resource, manual journals among them

    april = ["--connection", cid, "--from", "2026-04-01", "--to", "2026-04-30"]
    clean = run("reconcile", *april, "--api", engine.url, "--key", engine.key)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Xero agrees with the source" in clean.stdout

    bad = run("reconcile", *common[:2], "--from", "01/03/2026", "--to", "2026-03-31", "--key", "k")
    assert bad.returncode == 2
    assert "--from" in bad.stdout and "YYYY-MM-DD" in bad.stdout
