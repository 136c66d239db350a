"""A sync harness on a Hong Kong organisation (HKD) whose plan holds HKD and USD only, made
through the sandbox's admin API with its own custom connection; and helpers reading what the
sandbox holds for any organisation.

``hk_harness`` is also what a demo profile of the payroll flow would build: a Hong Kong
organisation on a plan without full multicurrency, its connection defaulting to HKD.
"""

from __future__ import annotations

from typing import Any

import httpx2
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth
from tests.engine.sync.conftest import DEFAULTS, Clock, SyncHarness
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer


def make_org(server: SandboxServer, **body: Any) -> dict[str, Any]:
    """One organisation with its custom connection app (``country``, ``class``...)."""
    reply = httpx2.post(
        server.url + "/_sandbox/orgs", json={"count": 1, "prefix": "cur", **body}, timeout=30
    )
    assert reply.status_code == 201, reply.text
    made: dict[str, Any] = reply.json()["organisations"][0]
    return made


def hk_harness(
    server: SandboxServer,
    factory: sessionmaker[Session],
    xero_settings: Settings,
    org_class: str = "STANDARD",
    **settings: Any,
) -> tuple[SyncHarness, str]:
    """A workspace connected to a new Hong Kong organisation on ``org_class``; the harness
    and the organisation's tenant id. ``settings`` on top of the harness's defaults."""
    made = make_org(server, country="HK", **{"class": org_class})
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Hong Kong payroll")
        connection = oauth.connect_custom(
            session, workspace.id, made["client_id"], made["client_secret"], settings=xero_settings
        )
        conns.update_settings(session, workspace.id, connection.id, {**DEFAULTS, **settings})
        ids = workspace.id, connection.id
    harness = SyncHarness(server, factory, xero_settings, ids[0], ids[1], Clock())
    return harness, str(made["tenant_id"])


def held_in_xero(harness: SyncHarness, tenant: str = DEMO_TENANT) -> dict[str, dict[str, Any]]:
    """The organisation's live invoices (sales and bills) sent by ledgerlink, by Url."""
    org = harness.server.state.orgs[tenant]
    return {
        str(r["Url"]): dict(r)
        for r in list(org.invoices.values())
        if "ledgerlink" in str(r.get("Url") or "") and r.get("Status") not in ("DELETED", "VOIDED")
    }


def writes(harness: SyncHarness, tenant: str = DEMO_TENANT) -> list[tuple[str, str]]:
    """Every write the sandbox saw for the organisation (method, path)."""
    return [
        (str(r["method"]), str(r["path"]))
        for r in harness.requests()
        if r["method"] in ("PUT", "POST") and r["tenant"] == tenant
    ]
