"""The sandbox's own commands: `ledgerlink sandbox` and `ledgerlink tour`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from xero_sandbox.server import free_port

LEDGERLINK = [sys.executable, "-m", "ledgerlink.cli"]


def _read_until(process: subprocess.Popen[str], marker: str) -> list[str]:
    seen: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line.rstrip())
        if marker in line:
            return seen
    raise AssertionError(
        "the sandbox exited before printing " + repr(marker) + "\n" + "\n".join(seen)
    )


def test_sandbox_command_prints_where_it_listens_and_the_demo_credentials() -> None:
    port = free_port()
    env = dict(os.environ, COLUMNS="200")
    process = subprocess.Popen(
        [*LEDGERLINK, "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines = _read_until(process, "Second organisation")
        text = "\n".join(lines)
        assert f"Xero sandbox listening on http://127.0.0.1:{port}" in text
        assert "LEDGERLINK-DEMO-APP  secret ledgerlink-demo-secret" in text
        assert "ledgerlink-demo-webhook-key" in text
        token = None
        for _ in range(200):  # the banner is printed just before uvicorn binds
            try:
                reply = httpx2.post(
                    f"http://127.0.0.1:{port}/connect/token",
                    data={"grant_type": "client_credentials"},
                    auth=("LEDGERLINK-CUSTOM-CONNECTION", "ledgerlink-custom-secret"),
                    timeout=5,
                )
            except httpx2.TransportError:
                assert process.poll() is None, "the sandbox exited after printing its banner"
                time.sleep(0.05)
                continue
            token = reply.json()["access_token"]
            break
        assert token, "the sandbox never answered on its port"
        org = httpx2.get(
            f"http://127.0.0.1:{port}/api.xro/2.0/Organisation",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=5,
        )
        assert org.status_code == 200
        assert org.json()["Organisations"][0]["ShortCode"] == "!LLdm1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_sandbox_command_seeds_a_year_when_given_a_seed() -> None:
    port = free_port()
    env = dict(os.environ, COLUMNS="300")
    process = subprocess.Popen(
        [*LEDGERLINK, "sandbox", "--port", str(port), "--seed-year", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        line = _read_until(process, "Demo year")[-1]
        assert "seed 7," in line
        invoices = re.search(r"(\d+) invoices,", line)
        assert invoices is not None and int(invoices.group(1)) > 200
        assert re.search(r"\d+ payments", line) and re.search(r"\d+ manual_journals", line)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_tour_command_ends_with_its_summary(tmp_path: Path) -> None:
    result = subprocess.run(
        [*LEDGERLINK, "tour", "--documents", "20"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=dict(os.environ, COLUMNS="200"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "18 created, 2 refused" in out
    assert "Account code '999' is not a valid code for this document." in out
    assert "same invoices: True" in out
    assert "invoice is now PAID" in out
    assert "/organisationlogin/default.aspx?shortcode=" in out
