"""Granular scopes: what the engine asks for, and a missing scope named for a person to add.

The sandbox plays a Xero app created after 2 March 2026 (granular scopes only), set through
its admin API as a test or a user would.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import BROAD_SCOPES, DEFAULT_SCOPES, GRANULAR_SCOPES, Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ApiCall, Connection, TokenSet
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth
from ledgerlink.sync.clients import connection_client
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import (
    Action,
    XeroScopeMissing,
    XeroUnauthorized,
    action_of,
)
from ledgerlink.xero.scopes import missing_scope, scope_needed
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, WEB_CLIENT
from tests.engine.test_oauth_connect import connect, consent
from tests.engine.xero.test_client import API, TENANT, Recorder, json_reply
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

AFTER_CUTOVER = "2026-03-15"
NO_SCOPE = {
    "Type": None,
    "Title": "Unauthorized",
    "Status": 401,
    "Detail": "AuthorizationUnsuccessful",
    "Instance": "5b0c7a43-07c5-4e1e-9f2e-6a4c1d1f0e11",
    "Extensions": {},
}

# --- which scope a call needs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/Payments", "accounting.payments"),
        ("PUT", "/Payments", "accounting.payments"),
        ("PUT", "/Invoices?summarizeErrors=false", "accounting.invoices"),
        ("POST", "/api.xro/2.0/CreditNotes/abc/Allocations", "accounting.invoices"),
        ("GET", "/purchaseorders", "accounting.invoices"),
        ("GET", "/Items", "accounting.invoices"),
        ("GET", "/Contacts/abc", "accounting.contacts"),
        ("GET", "/Organisation", "accounting.settings"),
        ("GET", "/TrackingCategories", "accounting.settings"),
        ("PUT", "/ManualJournals", "accounting.manualjournals"),
        ("PUT", "/BankTransactions", "accounting.banktransactions"),
        ("PUT", "/Invoices/abc/Attachments/x.pdf", "accounting.attachments"),
        ("GET", "/Journals", "accounting.journals.read"),
        ("GET", "/Reports/ProfitAndLoss", "accounting.reports.profitandloss.read"),
        ("GET", "/Reports/AgedReceivablesByContact", "accounting.reports.aged.read"),
        ("GET", "/Nothing", ""),
    ],
)
def test_scope_needed_names_the_granular_scope(method: str, path: str, scope: str) -> None:
    assert scope_needed(method, path) == scope


@pytest.mark.parametrize(
    ("granted", "method", "path", "missing"),
    [
        ("accounting.payments", "GET", "/Payments", None),
        ("accounting.payments.read", "GET", "/Payments", None),
        ("accounting.payments.read", "PUT", "/Payments", "accounting.payments"),
        ("accounting.transactions", "PUT", "/Payments", None),
        ("accounting.transactions.read", "GET", "/Payments", None),
        ("accounting.transactions.read", "POST", "/Payments/abc", "accounting.payments"),
        ("accounting.invoices accounting.contacts", "GET", "/Payments", "accounting.payments"),
        (["accounting.invoices"], "PUT", "/Items", None),
        (["accounting.settings"], "PUT", "/Items", None),
        (["accounting.settings.read"], "PUT", "/Items", "accounting.invoices"),
        (["accounting.contacts"], "PUT", "/Items", "accounting.invoices"),
        ("accounting.invoices", "GET", "/Accounts", "accounting.settings"),
        ("accounting.reports.read", "GET", "/Reports/BalanceSheet", None),
        ("accounting.journals.read", "GET", "/Journals", None),
        # Nothing known granted, or a path we cannot place: no verdict.
        ("", "GET", "/Payments", None),
        ([], "GET", "/Payments", None),
        ("accounting.invoices", "GET", "/Widgets", None),
        ("accounting.invoices", "GET", "/connections", None),
    ],
)
def test_missing_scope(granted: Any, method: str, path: str, missing: str | None) -> None:
    assert missing_scope(granted, method, path) == missing


# --- what the engine asks for ------------------------------------------------------------------


def test_the_default_scopes_are_granular(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEDGERLINK_XERO_SCOPES", "LEDGERLINK_XERO_SCOPE_STYLE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.scopes == DEFAULT_SCOPES == GRANULAR_SCOPES == Settings().scopes
    asked = settings.scopes.split()
    assert {"accounting.invoices", "accounting.payments", "offline_access"} <= set(asked)
    assert {"accounting.contacts", "accounting.settings"} <= set(asked)
    assert not [s for s in asked if s.startswith("accounting.transactions")]
    assert settings.custom_scopes == (
        "accounting.invoices accounting.payments accounting.contacts accounting.settings "
        "accounting.manualjournals"
    )


def test_the_broad_style_asks_for_accounting_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGERLINK_XERO_SCOPES", raising=False)
    monkeypatch.setenv("LEDGERLINK_XERO_SCOPE_STYLE", "Broad")
    settings = Settings.from_env()
    assert settings.scopes == BROAD_SCOPES and "accounting.transactions" in settings.scopes.split()
    # A child process reads back the very same scopes.
    for name, value in settings.as_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == settings


def test_explicit_scopes_override_the_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_SCOPE_STYLE", "broad")
    monkeypatch.setenv("LEDGERLINK_XERO_SCOPES", "offline_access accounting.settings")
    assert Settings.from_env().scopes == "offline_access accounting.settings"
    assert Settings.from_env().custom_scopes == "accounting.settings"


def test_an_unknown_style_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERLINK_XERO_SCOPE_STYLE", "fine")
    with pytest.raises(ValueError, match="LEDGERLINK_XERO_SCOPE_STYLE must be one of"):
        Settings.from_env()


# --- the client names a missing scope instead of renewing -------------------------------------


class Renewals:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, *, rejected: str) -> str:
        self.calls.append(rejected)
        return "token-2"


def refusing_client(granted: str | None, renew: Renewals) -> tuple[XeroClient, Recorder]:
    recorder = Recorder(lambda _request: json_reply(401, NO_SCOPE))
    client = XeroClient(
        API,
        TENANT,
        lambda: "token-1",
        http=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        renew=renew,
        granted_scopes=lambda: granted,
    )
    return client, recorder


def test_a_401_for_a_scope_the_token_lacks_names_it_and_does_not_renew() -> None:
    renew = Renewals()
    client, recorder = refusing_client("openid offline_access accounting.invoices", renew)
    with pytest.raises(XeroScopeMissing) as missing:
        client.get("/Payments", {"where": 'Status=="AUTHORISED"'})
    error = missing.value
    assert error.code == "XERO_SCOPE_MISSING" and error.scope == "accounting.payments"
    assert error.message == (
        "Xero refused GET /Payments: the connection was not granted the scope "
        "accounting.payments; connect again to grant it."
    )
    assert error.xero_status == 401 and error.http_status == 409
    assert error.action is Action.HOLD_DOCUMENT and action_of(error) is Action.HOLD_DOCUMENT
    assert action_of(error.as_error()) is Action.HOLD_DOCUMENT
    assert "LEDGERLINK_XERO_SCOPES" in error.fix
    assert renew.calls == [] and len(recorder.requests) == 1


def test_a_write_names_the_scope_without_its_query_string() -> None:
    client, _ = refusing_client("accounting.settings accounting.contacts", Renewals())
    with pytest.raises(XeroScopeMissing) as missing:
        client.put("/Invoices?summarizeErrors=false", {"Invoices": []}, idempotency_key="k")
    assert missing.value.message.startswith("Xero refused PUT /Invoices: ")
    assert missing.value.scope == "accounting.invoices"


@pytest.mark.parametrize("granted", [None, "", "accounting.payments.read"])
def test_a_401_the_scopes_do_not_explain_renews_once_as_before(granted: str | None) -> None:
    renew = Renewals()
    client, recorder = refusing_client(granted, renew)
    with pytest.raises(XeroUnauthorized) as refused:
        client.get("/Payments")
    assert not isinstance(refused.value, XeroScopeMissing)
    assert refused.value.action is Action.HOLD_CONNECTION
    assert renew.calls == ["token-1"] and len(recorder.requests) == 2


def test_scopes_that_cannot_be_read_leave_xeros_401_as_it_is() -> None:
    def broken() -> str | None:
        raise RuntimeError("database gone")

    recorder = Recorder(lambda _request: json_reply(401, NO_SCOPE))
    client = XeroClient(
        API,
        TENANT,
        lambda: "token-1",
        http=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        granted_scopes=broken,
    )
    with pytest.raises(XeroUnauthorized):
        client.get("/Payments")


# --- through the sandbox, as an app created after 2 March 2026 --------------------------------


def granular_only(sandbox: SandboxServer, client_id: str = WEB_CLIENT) -> None:
    reply = httpx2.post(
        f"{sandbox.url}/_sandbox/apps/{client_id}", json={"created": AFTER_CUTOVER}, timeout=10
    )
    assert reply.status_code == 200 and reply.json()["granular_only"] is True, reply.text


def new_workspace(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Scopes")
        return workspace.id


def client_for(factory: sessionmaker[Session], settings: Settings, row: Connection) -> XeroClient:
    return connection_client(
        factory,
        settings,
        connection_id=row.id,
        tenant_id=row.tenant_id,
        token_set_id=str(row.token_set_id),
        limiter=None,
        http=None,
    )


def issued(sandbox: SandboxServer) -> int:
    return len(sandbox.state.identity.access_tokens)


def test_a_new_app_connects_with_the_engine_defaults_end_to_end(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    granular_only(sandbox_server)
    made = connect(session_factory, xero_settings, new_workspace(session_factory), "demo")
    assert [c.tenant_id for c in made] == [DEMO_TENANT]
    assert made[0].short_code and made[0].base_currency == "AUD"
    with transaction(session_factory) as session:
        token_set = session.scalars(select(TokenSet)).one()
        assert token_set.scopes.split() == GRANULAR_SCOPES.split()
    with client_for(session_factory, xero_settings, made[0]) as xero:
        assert xero.get("/Invoices").status == 200
        assert xero.get("/Payments").status == 200
        assert xero.get("/Items").status == 200
        assert xero.get("/Contacts").status == 200
        assert xero.get("/Accounts").status == 200


def test_asking_a_new_app_for_broad_scopes_is_refused_with_the_setting_to_change(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    granular_only(sandbox_server)
    broad = replace(xero_settings, scopes="", scope_style="broad")
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        url = oauth.start_connect(session, workspace, broad)
    back = consent(url, "demo")
    assert back["error"] == "invalid_scope" and "code" not in back
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
        oauth.finish_connect(session, back["state"], None, settings=broad, error=back["error"])
    assert (refused.value.code, refused.value.field) == ("OAUTH_DENIED", "scopes")
    assert "LEDGERLINK_XERO_SCOPE_STYLE=granular" in refused.value.message
    assert "accounting.transactions" in refused.value.message


def test_a_connection_without_payments_gets_scope_missing_naming_it(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    granular_only(sandbox_server)
    without = " ".join(s for s in GRANULAR_SCOPES.split() if s != "accounting.payments")
    settings = replace(xero_settings, scopes=without)
    row = connect(session_factory, settings, new_workspace(session_factory), "demo")[0]
    before = issued(sandbox_server)
    with client_for(session_factory, settings, row) as xero:
        assert xero.get("/Invoices").status == 200
        with pytest.raises(XeroScopeMissing) as missing:
            xero.get("/Payments")
    error = missing.value
    assert (error.code, error.scope) == ("XERO_SCOPE_MISSING", "accounting.payments")
    assert "accounting.payments" in error.message and "connect again" in error.message
    assert action_of(error) is Action.HOLD_DOCUMENT
    # Refused once, never refreshed: a new token would carry the same scopes.
    assert issued(sandbox_server) == before
    tried = [e for e in sandbox_server.state.request_log if e["path"] == "/Payments"]
    assert [(e["method"], e["status"]) for e in tried] == [("GET", 401)]
    with transaction(session_factory) as session:
        token_set = session.get(TokenSet, row.token_set_id)
        # Version 0: the set was never refreshed since the connect made it.
        assert token_set is not None and token_set.version == 0 and token_set.status == "active"
        calls = session.scalars(select(ApiCall).where(ApiCall.path == "/Payments")).all()
        assert [(c.method, c.status) for c in calls] == [("GET", 401)]


def test_a_custom_connection_asks_for_the_same_accounting_scopes(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    granular_only(sandbox_server, CUSTOM_CLIENT)
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session:
        made = oauth.connect_custom(
            session, workspace, CUSTOM_CLIENT, CUSTOM_SECRET, settings=xero_settings
        )
        token_set = session.get(TokenSet, made.token_set_id)
        assert token_set is not None
        assert token_set.scopes == xero_settings.custom_scopes
    assert made.base_currency == "AUD"
    with client_for(session_factory, xero_settings, made) as xero:
        assert xero.get("/Payments").status == 200
        assert xero.get("/Items").status == 200


def test_a_new_custom_app_refuses_the_broad_style_naming_the_scopes(
    session_factory: sessionmaker[Session], xero_settings: Settings, sandbox_server: SandboxServer
) -> None:
    granular_only(sandbox_server, CUSTOM_CLIENT)
    broad = replace(xero_settings, scopes="", scope_style="broad")
    workspace = new_workspace(session_factory)
    with transaction(session_factory) as session, pytest.raises(LedgerlinkError) as refused:
        oauth.connect_custom(session, workspace, CUSTOM_CLIENT, CUSTOM_SECRET, settings=broad)
    assert (refused.value.code, refused.value.field) == ("VALIDATION_FAILED", "scopes")
    assert "accounting.transactions" in refused.value.message
