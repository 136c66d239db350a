"""Reference data read from a running sandbox's demo organisation (AU, GST), held in memory.

Reading it over HTTP gives Xero's own record shapes (Code, Status, CanApplyToRevenue ...), so the
rules are tested against what the sync layer will cache, not against hand-made dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ledgerlink.mapping.reference import MemoryReference
from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp, custom_token
from xero_sandbox import SandboxConfig


def fetch_reference(xero: XeroHttp) -> dict[str, list[dict[str, Any]]]:
    lists = {}
    for kind, path in [
        ("accounts", "/Accounts"),
        ("tax_rates", "/TaxRates"),
        ("currencies", "/Currencies"),
        ("contacts", "/Contacts"),
        ("items", "/Items"),
    ]:
        reply = xero.get(path, params={"includeArchived": "true"} if kind == "contacts" else None)
        assert reply.status == 200, reply.text
        key = path.strip("/")
        lists[kind] = reply.json[key]
    return lists


@pytest.fixture(scope="session")
def demo_lists() -> Iterator[dict[str, list[dict[str, Any]]]]:
    running = RunningSandbox(SandboxConfig()).start()
    client = XeroHttp(running.url, custom_token(running.url), DEMO_TENANT)
    try:
        yield fetch_reference(client)
    finally:
        client.close()
        running.stop()


@pytest.fixture
def demo_ref(demo_lists: dict[str, list[dict[str, Any]]]) -> MemoryReference:
    return MemoryReference(**demo_lists)
