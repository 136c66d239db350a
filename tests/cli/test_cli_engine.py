"""The engine's commands as a user runs them: `ledgerlink push`, `status`, `serve` and `worker`
(`ledgerlink demo` has its own file, test_demo.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx2
import pytest

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings
from ledgerlink.store import migrate
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, TEST_KEY
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

LEDGERLINK = [sys.executable, "-m", "ledgerlink.cli"]
ENV = dict(os.environ, COLUMNS="200", LEDGERLINK_SECRET_KEYS=TEST_KEY)


def run(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LEDGERLINK, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=ENV
    )


@dataclass
class Running:
    url: str
    key: str
    database_url: str


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Running]:
    config = SandboxConfig()
    config.limits.enabled = False
    with SandboxServer(config) as sandbox:
        url = f"sqlite:///{tmp_path}/cli.db"
        migrate.upgrade(url)
        settings = replace(
            Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(sandbox.url)
        )
        # The sandbox's limits are off: so are the engine's (a call a second would slow the CLI).
        fast = XeroLimits(per_minute=100_000, app_per_minute=1_000_000)
        services = Engine.open(settings, admin_token="", limits=fast)
        port = free_port()
        with EngineServer(services, port=port, worker=False) as server:
            key = httpx2.post(f"{server.url}/api/v1/workspaces", json={"name": "CLI"}).json()[
                "api_key"
            ]
            made = httpx2.post(
                f"{server.url}/api/v1/connections/custom",
                json={"client_id": CUSTOM_CLIENT, "client_secret": CUSTOM_SECRET},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
            assert made.status_code == 201, made.text
            yield Running(server.url, key, url)
        services.close()


HEADER = (
    "source_id,number,contact_key,contact_name,issue_date,due_date,status,"
    "description,quantity,unit_amount,account_code"
)
CSV = (
    HEADER
    + """
inv-1,ST-1,c-1,Bayside Club,2026-03-02,2026-04-01,sent,Design,2,150.00,200
inv-1,ST-1,c-1,Bayside Club,2026-03-02,2026-04-01,sent,Printing,1,80.50,200
inv-2,ST-2,c-2,Harbour Cafe,2026-03-03,2026-04-02,draft,Coffee machine service,1,95.5,200
inv-3,ST-3,c-3,Ridgeway University,2026-03-04,2026-04-03,draft,Returned goods,-1,10.00,200
inv-4,ST-4,,,2026-03-04,2026-04-03,draft,No contact,1,10.00,200
"""
)


def test_push_csv_groups_rows_by_source_id_and_lists_refusals(
    engine: Running, tmp_path: Path
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(CSV)
    result = run("push", str(path), "--api", engine.url, "--key", engine.key)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "4 invoices from invoices.csv: 2 created, 2 invalid" in out
    assert "inv-3" in out and "lines[0].quantity" in out
    assert "inv-4" in out and "contact" in out
    shown = httpx2.get(
        f"{engine.url}/api/v1/documents/invoice/inv-1",
        headers={"Authorization": f"Bearer {engine.key}"},
    ).json()
    assert [line["description"] for line in shown["body"]["lines"]] == ["Design", "Printing"]
    assert shown["body"]["contact"] == {"key": "c-1", "name": "Bayside Club"}

    again = run("push", str(path), "--api", engine.url, "--key", engine.key)
    assert "2 invalid, 2 unchanged" in again.stdout

    status = run("status", "--database-url", engine.database_url)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "queued" in status.stdout and "Demo Company" in status.stdout


def test_push_refuses_a_wrong_key_and_an_unreadable_file(engine: Running, tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    path.write_text("[{]")
    broken = run("push", str(path), "--api", engine.url, "--key", engine.key)
    assert broken.returncode == 2 and "not valid JSON" in broken.stdout
    path.write_text("[]")
    path.write_text('[{"source_id": "x"}]')
    wrong = run("push", str(path), "--api", engine.url, "--key", "ll_wrong-key-entirely")
    assert wrong.returncode == 2
    assert "AUTH_INVALID" in wrong.stdout


def _sandbox_env(sandbox_url: str) -> dict[str, str]:
    return dict(
        ENV,
        LEDGERLINK_XERO_AUTHORIZE_URL=sandbox_url + "/identity/connect/authorize",
        LEDGERLINK_XERO_TOKEN_URL=sandbox_url + "/connect/token",
        LEDGERLINK_XERO_REVOCATION_URL=sandbox_url + "/connect/revocation",
        LEDGERLINK_XERO_API_URL=sandbox_url,
        LEDGERLINK_XERO_DEEPLINK_URL=sandbox_url,
    )


def _wait_for_api(process: subprocess.Popen[str], url: str) -> None:
    for _ in range(400):
        try:
            if httpx2.get(url + "/openapi.json", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            assert process.poll() is None, "ledgerlink serve exited"
            time.sleep(0.05)
    raise AssertionError("ledgerlink serve never answered")


def test_serve_without_worker_then_worker_once_syncs_the_upload(tmp_path: Path) -> None:
    config = SandboxConfig()
    config.limits.enabled = False
    with SandboxServer(config) as sandbox:
        env = _sandbox_env(sandbox.url)
        database = f"sqlite:///{tmp_path}/serve.db"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        serve = subprocess.Popen(
            [*LEDGERLINK, "serve", "--port", str(port), "--database-url", database, "--no-worker"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env | {"LEDGERLINK_ADMIN_TOKEN": "serve-admin-token"},
        )
        try:
            _wait_for_api(serve, url)
            admin = {"Authorization": "Bearer serve-admin-token"}
            made_ws = httpx2.post(f"{url}/api/v1/workspaces", json={"name": "Serve"}, headers=admin)
            key = made_ws.json()["api_key"]
            auth = {"Authorization": f"Bearer {key}"}
            made = httpx2.post(
                f"{url}/api/v1/connections/custom",
                json={"client_id": CUSTOM_CLIENT, "client_secret": CUSTOM_SECRET},
                headers=auth,
                timeout=30,
            )
            assert made.status_code == 201, made.text
            document = {
                "contact": {"key": "c-1", "name": "Bayside Club"},
                "issue_date": "2026-03-02",
                "due_date": "2026-04-01",
                "status": "sent",
                "lines": [{"description": "Design", "unit_amount": "150", "account_code": "200"}],
            }
            put = httpx2.put(f"{url}/api/v1/documents/invoice/inv-1", json=document, headers=auth)
            assert put.json()["status"] == "created"
            shown = httpx2.get(f"{url}/api/v1/documents/invoice/inv-1", headers=auth).json()
            assert shown["sync"]["state"] == "queued"

            worker = subprocess.run(
                [*LEDGERLINK, "worker", "--once", "--database-url", database],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
            )
            assert worker.returncode == 0, worker.stdout + worker.stderr
            assert "1 synced" in worker.stdout
            shown = httpx2.get(f"{url}/api/v1/documents/invoice/inv-1", headers=auth).json()
            assert shown["sync"]["state"] == "done"
            assert shown["link"]["status"] == "AUTHORISED"
            assert "/organisationlogin/default.aspx?shortcode=" in shown["link"]["url"]
        finally:
            serve.terminate()
            serve.wait(timeout=20)
