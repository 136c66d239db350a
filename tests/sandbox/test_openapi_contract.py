"""Every Accounting API endpoint the sandbox serves, replayed and checked against Xero's spec.

A realistic run (reference data, contacts, items, invoices, credit notes, payments, purchase
orders, manual journals) goes over plain HTTP; each request and each 2xx/4xx response is then
validated against Xero's published OpenAPI spec with the origin moved to api.xero.com. Where the
spec and the sandbox disagree the spec wins, except for the narrow allowances below, each of which
records a way the real API is documented to differ from its own spec.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from openapi_core import OpenAPI

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp, custom_token
from tests.sandbox import replay_journals
from tests.sandbox.oauth_helpers import connect
from tests.sandbox.openapi_replay import (
    ACCOUNTING_SPEC,
    IDENTITY_SPEC,
    Allowance,
    Exchange,
    Recorder,
    Replay,
    check,
    contacts,
    coverage,
    items,
    load_spec,
    reference_data,
    route_of,
    tracking,
)
from tests.sandbox.replay_bank import replay_bank
from tests.sandbox.replay_documents import (
    credit_notes,
    history,
    invoices,
    manual_journals,
    payments,
    purchase_orders,
)
from tests.sandbox.replay_people import users_themes_groups
from tests.sandbox.replay_quotes import replay_quotes
from tests.sandbox.replay_reports import replay_reports
from xero_sandbox import SandboxConfig

ALLOWANCES = [
    Allowance(
        "request",
        "GET",
        r"/api\.xro/2\.0/Invoices/(?![0-9a-fA-F-]{36}$)[^/]+",
        r"request path parameter InvoiceID: \(root\): '[^']+' is not a 'uuid'",
        "Xero documents GET /Invoices/{InvoiceNumber}; the spec only declares a uuid InvoiceID.",
    ),
    Allowance(
        "request",
        "GET",
        r"/api\.xro/2\.0/PurchaseOrders/(?![0-9a-fA-F-]{36}$)[^/]+",
        r"request path parameter PurchaseOrderID: \(root\): '[^']+' is not a 'uuid'",
        "GET /PurchaseOrders/{PurchaseOrderNumber} shares its template with the id form.",
    ),
    Allowance(
        "request",
        "GET",
        r"/api\.xro/2\.0/Journals/[0-9]+",
        r"request path parameter JournalID: \(root\): '[0-9]+' is not a 'uuid'",
        "The spec's /Journals/{JournalNumber} shares its template with /Journals/{JournalID}.",
    ),
]


@pytest.fixture(scope="module")
def accounting_spec() -> OpenAPI:
    return load_spec(ACCOUNTING_SPEC)


@pytest.fixture(scope="module")
def identity_spec() -> OpenAPI:
    return load_spec(IDENTITY_SPEC)


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """The replay makes well over 60 calls; the per-minute limit is not what is checked here."""
    config = SandboxConfig()
    config.limits.enabled = False
    return config


@pytest.fixture(scope="module")
def sandbox(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    running = RunningSandbox(sandbox_config).start()
    try:
        yield running
    finally:
        running.stop()


def run_replay(sandbox: RunningSandbox) -> tuple[list[Exchange], list[str]]:
    recorder = Recorder()
    xero = XeroHttp(sandbox.url, custom_token(sandbox.url), DEMO_TENANT)
    recorder.attach(xero.client)
    replay = Replay(xero, recorder, sandbox.state.clock.today())
    try:
        reference_data(replay)
        tracking(replay)
        people = contacts(replay)
        item = items(replay)
        docs = invoices(replay, people["customer"], people["supplier"], item)
        credit_notes(replay, docs["sale"], people["customer"])
        payments(replay, docs["sale"], docs["bill"])
        purchase_orders(replay, people["supplier"])
        manual_journals(replay)
        users_themes_groups(replay)
        replay_quotes(replay, people["customer"], people["supplier"])
        replay_journals.journals(replay)
        replay_bank(replay)
        replay_reports(replay, people["customer"], people["supplier"])
        history(replay, recorder.exchanges)
    finally:
        xero.close()
    return recorder.exchanges, replay.surprises


@pytest.fixture(scope="module")
def replay(sandbox: RunningSandbox) -> tuple[list[Exchange], list[str]]:
    return run_replay(sandbox)


def _served(exchanges: list[Exchange]) -> list[Exchange]:
    """Exchanges a sandbox route answered (a path it does not serve yet proves nothing)."""
    return [e for e in exchanges if route_of(e) is not None]


def test_replay_gets_the_answers_xero_gives(replay: tuple[list[Exchange], list[str]]) -> None:
    _, surprises = replay
    assert surprises == []


# Mismatches reported to the owner of the sandbox file, where the spec wins and the sandbox has
# to change. Strict: an entry that no longer matches anything fails, so it is removed once fixed.
REPORTED: dict[str, str] = {}


def test_every_request_and_response_matches_the_spec(
    replay: tuple[list[Exchange], list[str]], accounting_spec: OpenAPI
) -> None:
    exchanges, _ = replay
    problems = [p for e in _served(exchanges) for p in check(accounting_spec, e, ALLOWANCES)]
    new = [p for p in problems if not any(re.fullmatch(r, p) for r in REPORTED)]
    assert new == [], "\n".join(new)
    stale = [r for r in REPORTED if not any(re.fullmatch(r, p) for p in problems)]
    assert stale == [], f"fixed in the sandbox: remove from REPORTED: {stale}"
    if problems:
        pytest.xfail("reported spec mismatches remain: " + "; ".join(REPORTED.values()))


def test_replay_covers_every_implemented_route(replay: tuple[list[Exchange], list[str]]) -> None:
    """A new endpoint without a step in the replay fails here, so nothing escapes the spec."""
    exchanges, _ = replay
    seen = coverage(exchanges)
    missing = sorted(key for key, statuses in seen.items() if not statuses)
    never_succeeded = sorted(
        f"{key} (saw {statuses})"
        for key, statuses in seen.items()
        if statuses and not any(200 <= s < 300 for s in statuses)
    )
    assert missing == [], f"routes the replay never called: {missing}"
    assert never_succeeded == [], f"routes that never answered 2xx: {never_succeeded}"


def test_checker_reports_what_the_spec_forbids(accounting_spec: OpenAPI) -> None:
    """The checker itself must be able to fail: a status outside the spec's enum is caught."""
    body = (
        b'{"Id":"x","Status":"OK","ProviderName":"p","DateTimeUTC":"/Date(0+0000)/",'
        b'"Invoices":[{"Type":"ACCREC","Status":"SHIPPED","Total":"ten"}]}'
    )
    exchange = Exchange(
        "made up",
        "GET",
        "/api.xro/2.0/Invoices",
        [],
        {"xero-tenant-id": DEMO_TENANT, "authorization": "Bearer x"},
        b"",
        200,
        {"content-type": "application/json"},
        body,
    )
    lines = check(accounting_spec, exchange, ALLOWANCES)
    assert any("Invoices/0/Status: 'SHIPPED' is not one of" in line for line in lines), lines
    assert any("Invoices/0/Total: 'ten' is not of type 'number'" in line for line in lines), lines


def test_missing_spec_skips_and_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match=str(tmp_path / "absent")):
        load_spec(ACCOUNTING_SPEC, tmp_path / "absent")
    with pytest.raises(pytest.skip.Exception, match="xero_accounting.yaml"):
        load_spec(ACCOUNTING_SPEC, tmp_path)


IDENTITY_ALLOWANCES = [
    Allowance(
        "response",
        "GET",
        "/Connections",
        r"response body \d+/(created|updated)DateUtc: '[^']+' is not a 'date-time'",
        "Xero's own example sends createdDateUtc without an offset (2019-12-07T18:46:19.5165400).",
    ),
]


def test_connections_match_the_identity_spec(
    sandbox: RunningSandbox, identity_spec: OpenAPI
) -> None:
    """GET/DELETE /connections as a web app sees them; the spec spells the path /Connections."""
    token = connect(sandbox.url)["access_token"]
    recorder = Recorder()
    client = httpx2.Client(
        base_url=sandbox.url, timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    recorder.attach(client)
    try:
        listed = client.get("/connections")
        assert listed.status_code == 200, listed.text
        connections = listed.json()
        assert {c["tenantId"] for c in connections} >= {DEMO_TENANT}
        client.get("/connections", params={"authEventId": connections[0]["authEventId"]})
        gone = client.delete(f"/connections/{connections[0]['id']}")
        assert gone.status_code == 204, gone.text
    finally:
        client.close()
    problems = []
    for exchange in recorder.exchanges:
        spec_path = "/Connections" + exchange.path[len("/connections") :]
        problems += check(identity_spec, exchange, IDENTITY_ALLOWANCES, path=spec_path)
    assert problems == [], "\n".join(problems)
