"""Scopes as Xero enforces them, over plain HTTP: every Accounting API route, both scope styles.

The routes are read from the sandbox itself, so a resource added later is checked the day it
lands. What each resource should need is written here from Xero's scope documentation
(xero-facts section 1.4), apart from the sandbox's own table, so the two check each other.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.oauth_helpers import (
    AUTHORIZE,
    REDIRECT_URI,
    WEB_CLIENT,
    authorize_params,
    connect,
    redirect_query,
)
from xero_sandbox import SandboxConfig
from xero_sandbox.config import Limits
from xero_sandbox.resources import all_routes
from xero_sandbox.routing import ApiRoute
from xero_sandbox.scopes import allowed

TRANSACTIONS = "accounting.transactions"
INVOICES = ("accounting.invoices", TRANSACTIONS)
PAYMENTS = ("accounting.payments", TRANSACTIONS)
SETTINGS = ("accounting.settings",)
CONTACTS = ("accounting.contacts",)

# Resource -> the scopes that may write it (each also reads, and so does its .read variant).
WRITE_SCOPES: dict[str, tuple[str, ...]] = {
    "invoices": INVOICES,
    "creditnotes": INVOICES,
    "quotes": INVOICES,
    "purchaseorders": INVOICES,
    "repeatinginvoices": INVOICES,
    "linkedtransactions": INVOICES,
    "items": (*INVOICES, *SETTINGS),
    "payments": PAYMENTS,
    "batchpayments": PAYMENTS,
    "overpayments": PAYMENTS,
    "prepayments": PAYMENTS,
    "banktransactions": ("accounting.banktransactions", TRANSACTIONS),
    "banktransfers": ("accounting.banktransactions", TRANSACTIONS),
    "manualjournals": ("accounting.manualjournals", TRANSACTIONS),
    "expenseclaims": ("accounting.classicexpenses", TRANSACTIONS),
    "receipts": ("accounting.classicexpenses", TRANSACTIONS),
    "accounts": SETTINGS,
    "taxrates": SETTINGS,
    "currencies": SETTINGS,
    "trackingcategories": SETTINGS,
    "organisation": SETTINGS,
    "brandingthemes": SETTINGS,
    "users": SETTINGS,
    "contacts": CONTACTS,
    "contactgroups": CONTACTS,
    "attachments": ("accounting.attachments",),
}
# Resources Xero only lets read, and the scopes that do.
READ_ONLY_SCOPES: dict[str, tuple[str, ...]] = {
    "journals": ("accounting.journals.read",),
    "budgets": ("accounting.budgets.read",),
    # Each report has its granular scope (REPORT_SCOPES) beside accounting.reports.read.
    "reports": ("accounting.reports.read",),
}
# Each report the sandbox serves (second path segment) and its granular scope.
REPORT_SCOPES: dict[str, str] = {
    "trialbalance": "accounting.reports.trialbalance.read",
    "profitandloss": "accounting.reports.profitandloss.read",
    "balancesheet": "accounting.reports.balancesheet.read",
    "banksummary": "accounting.reports.banksummary.read",
    "agedreceivablesbycontact": "accounting.reports.aged.read",
    "agedpayablesbycontact": "accounting.reports.aged.read",
}
# Resources whose one scope has no .read variant: it reads and writes them (Xero's spec gives
# every PaymentServices operation, under /BrandingThemes too, the paymentservices scope alone).
SINGLE_SCOPES: dict[str, tuple[str, ...]] = {
    "paymentservices": ("paymentservices",),
}
EVERY_SCOPE = sorted(
    {s for names in WRITE_SCOPES.values() for n in names for s in (n, f"{n}.read")}
    | {s for names in READ_ONLY_SCOPES.values() for s in names}
    | {s for names in SINGLE_SCOPES.values() for s in names}
    | set(REPORT_SCOPES.values())
    | {"accounting.reports.read", "accounting.reports.profitandloss.read"}
)
PROBLEM_KEYS = ["Type", "Title", "Status", "Detail", "Instance", "Extensions"]
GRANULAR_APP_CREATED = "2026-03-15"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Hundreds of calls in one test: Xero's minute limit is not what is checked here."""
    return SandboxConfig(limits=Limits(enabled=False))


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10, follow_redirects=False) as client:
        yield client


def resource_of(pattern: str) -> str:
    segments = pattern.strip("/").lower().split("/")
    if "paymentservices" in segments:
        return "paymentservices"
    return "attachments" if "attachments" in segments else segments[0]


def concrete(pattern: str) -> str:
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), pattern)


def scopes_that_reach(route: ApiRoute) -> set[str]:
    resource = resource_of(route.pattern)
    if resource in SINGLE_SCOPES:
        return set(SINGLE_SCOPES[resource])
    if resource == "reports" and route.method == "GET":
        report = route.pattern.strip("/").lower().split("/")[1]
        return {*READ_ONLY_SCOPES[resource], REPORT_SCOPES[report]}
    if resource in READ_ONLY_SCOPES:
        return set(READ_ONLY_SCOPES[resource]) if route.method == "GET" else set()
    assert resource in WRITE_SCOPES, (
        f"the sandbox serves {route.method} {route.pattern}: write down here which scopes "
        "Xero lets reach it (and add it to xero_sandbox/scopes.py)"
    )
    names = set(WRITE_SCOPES[resource])
    if route.method == "GET":
        names |= {f"{n}.read" for n in names}
    return names


class Tokens:
    """Custom-connection clients for the demo organisation, one per set of scopes asked for."""

    def __init__(self, sandbox: RunningSandbox, client_id: str = CUSTOM_CLIENT) -> None:
        self.sandbox = sandbox
        self.client_id = client_id
        self.made: dict[frozenset[str], XeroHttp] = {}

    def reply(self, scopes: set[str] | list[str], secret: str = CUSTOM_SECRET) -> httpx2.Response:
        return httpx2.post(
            self.sandbox.url + "/connect/token",
            data={"grant_type": "client_credentials", "scope": " ".join(sorted(scopes))},
            auth=(self.client_id, secret),
            timeout=10,
        )

    def __call__(self, scopes: set[str] | list[str]) -> XeroHttp:
        key = frozenset(scopes)
        if key not in self.made:
            reply = self.reply(scopes)
            assert reply.status_code == 200, reply.text
            assert set(reply.json()["scope"].split()) == key
            token = reply.json()["access_token"]
            self.made[key] = XeroHttp(self.sandbox.url, token, DEMO_TENANT)
        return self.made[key]

    def close(self) -> None:
        for client in self.made.values():
            client.close()


@pytest.fixture
def tokens(sandbox: RunningSandbox) -> Iterator[Tokens]:
    made = Tokens(sandbox)
    try:
        yield made
    finally:
        made.close()


def call(xero: XeroHttp, route: ApiRoute) -> Any:
    body = None if route.method in ("GET", "DELETE") else {}
    return xero.call(route.method, concrete(route.pattern), body)


def assert_scope_refused(reply: Any, what: str) -> None:
    assert reply.status == 401, f"{what}: {reply.status} {reply.text}"
    body = reply.json
    assert list(body) == PROBLEM_KEYS, what
    assert (body["Type"], body["Title"], body["Status"]) == (None, "Unauthorized", 401)
    assert body["Detail"] == "AuthorizationUnsuccessful", what
    assert uuid.UUID(body["Instance"]) and body["Extensions"] == {}
    assert "insufficient_scope" in reply.headers.get("www-authenticate", "")


ROUTES = all_routes()


def test_the_sandbox_serves_routes_and_each_has_a_scope_rule() -> None:
    assert len({resource_of(r.pattern) for r in ROUTES}) >= 10
    for route in ROUTES:
        # Holding every scope reaches every route that any scope reaches.
        reach = scopes_that_reach(route)
        assert allowed(EVERY_SCOPE, route.method, concrete(route.pattern)) == bool(reach), route


def test_every_route_refuses_a_token_without_its_scope(tokens: Tokens) -> None:
    """Every other scope Xero has, read variants included: a write with only the resource's
    read scope is refused too."""
    for route in ROUTES:
        others = set(EVERY_SCOPE) - scopes_that_reach(route)
        reply = call(tokens(others), route)
        assert_scope_refused(reply, f"{route.method} {route.pattern}")


def test_every_route_lets_each_of_its_scopes_through(tokens: Tokens) -> None:
    """Broad and granular alike; whatever else the call then meets, it is not a 401."""
    for route in ROUTES:
        for scope in sorted(scopes_that_reach(route)):
            reply = call(tokens({scope}), route)
            assert reply.status != 401, f"{route.method} {route.pattern} with {scope}: {reply.text}"


def test_a_read_scope_reads_but_does_not_write(tokens: Tokens) -> None:
    xero = tokens({"accounting.invoices.read", "accounting.contacts.read"})
    assert xero.get("/Invoices").status == 200
    refused = xero.put("/Invoices", {"Invoices": []})
    assert_scope_refused(refused, "PUT /Invoices with accounting.invoices.read")
    assert_scope_refused(xero.post("/Contacts", {"Contacts": []}), "POST /Contacts read-only")


def invoice(contact: str) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": {"Name": contact},
        "Date": "2026-04-01",
        "DueDate": "2026-04-30",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
        ],
    }


@pytest.mark.parametrize(
    "scopes",
    [
        ["accounting.transactions", "accounting.contacts"],
        ["accounting.invoices", "accounting.contacts"],
        ["accounting.transactions", "accounting.invoices", "accounting.contacts"],
    ],
    ids=["broad", "granular", "mixed"],
)
def test_broad_and_granular_scopes_both_create_an_invoice(
    tokens: Tokens, scopes: list[str]
) -> None:
    xero = tokens(set(scopes))
    created = xero.put("/Invoices", {"Invoices": [invoice(f"Scope {'-'.join(scopes)}")]})
    assert created.status == 200, created.text
    assert xero.get("/Invoices/" + created.json["Invoices"][0]["InvoiceID"]).status == 200
    assert_scope_refused(xero.get("/Accounts"), "GET /Accounts without settings")


def test_payments_need_the_payments_scope_not_the_invoices_one(tokens: Tokens) -> None:
    assert_scope_refused(tokens({"accounting.invoices"}).get("/Payments"), "GET /Payments")
    assert tokens({"accounting.payments.read"}).get("/Payments").status == 200
    assert tokens({"accounting.transactions.read"}).get("/Payments").status == 200


@pytest.mark.parametrize(
    "scope", ["accounting.invoices", "accounting.settings", "accounting.transactions"]
)
def test_items_are_reached_by_invoices_or_settings(tokens: Tokens, scope: str) -> None:
    xero = tokens({scope})
    code = f"SCOPE-{scope.rsplit('.', 1)[1].upper()}"
    made = xero.put("/Items", {"Items": [{"Code": code, "Name": f"Made with {scope}"}]})
    assert made.status == 200, made.text
    assert code in [i["Code"] for i in xero.get("/Items").json["Items"]]
    read_only = tokens({f"{scope}.read"})
    assert read_only.get("/Items").status == 200
    assert_scope_refused(read_only.put("/Items", {"Items": [{"Code": "X"}]}), "PUT /Items")


def test_the_refusal_is_logged_and_changes_nothing(sandbox: RunningSandbox, tokens: Tokens) -> None:
    xero = tokens({"accounting.settings"})
    before = len(sandbox.state.orgs[DEMO_TENANT].invoices)
    assert_scope_refused(xero.put("/Invoices", {"Invoices": [invoice("Nobody")]}), "PUT")
    assert len(sandbox.state.orgs[DEMO_TENANT].invoices) == before
    logged = [e for e in sandbox.state.request_log if e["path"] == "/Invoices"]
    assert [(e["method"], e["status"]) for e in logged] == [("PUT", 401)]


# --- apps created on or after 2 March 2026 --------------------------------------------------


def make_granular(http: httpx2.Client, client_id: str = WEB_CLIENT) -> dict[str, Any]:
    reply = http.post(f"/_sandbox/apps/{client_id}", json={"created": GRANULAR_APP_CREATED})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    assert body["granular_only"] is True
    return body


@pytest.mark.parametrize(
    "broad", ["accounting.transactions", "accounting.transactions.read", "accounting.reports.read"]
)
def test_a_granular_only_app_is_refused_broad_scopes_at_consent(
    http: httpx2.Client, broad: str
) -> None:
    make_granular(http)
    params = authorize_params(scope=f"openid offline_access {broad} accounting.contacts")
    query = redirect_query(http.get(AUTHORIZE, params=params))
    assert query == {"error": "invalid_scope", "state": params["state"]}


def test_an_older_app_may_mix_broad_and_granular(http: httpx2.Client) -> None:
    listed = {a["client_id"]: a for a in http.get("/_sandbox/apps").json()["apps"]}
    assert listed[WEB_CLIENT]["granular_only"] is False
    params = authorize_params(
        scope="offline_access accounting.transactions accounting.payments",
        sandbox_consent="allow",
        sandbox_tenants="demo",
    )
    assert "code" in redirect_query(http.get(AUTHORIZE, params=params))


def test_a_granular_only_app_connects_and_works_with_granular_scopes(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    make_granular(http)
    scope = "openid offline_access accounting.invoices accounting.contacts accounting.settings"
    tokens = connect(sandbox.url, ("demo",), scope=scope)
    assert tokens["scope"].split() == scope.split()
    xero = XeroHttp(sandbox.url, tokens["access_token"], DEMO_TENANT)
    try:
        created = xero.put("/Invoices", {"Invoices": [invoice("Granular Ltd")]})
        assert created.status == 200, created.text
        assert xero.get("/Organisation").status == 200
        assert_scope_refused(xero.get("/Payments"), "GET /Payments without payments")
    finally:
        xero.close()
    # A refreshed token keeps the same scopes, so it is refused the same way.
    again = http.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(WEB_CLIENT, "ledgerlink-demo-secret"),
    )
    assert again.json()["scope"] == tokens["scope"]


def test_a_granular_only_custom_connection_refuses_broad_scopes(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    registered = http.post(
        "/_sandbox/apps",
        json={
            "client_id": "NEW-CUSTOM-APP",
            "client_secret": "new-secret",
            "kind": "custom",
            "custom_tenant": "demo",
            "created": "2026-04-01",
        },
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["granular_only"] is True
    assert "new-secret" not in registered.text
    tokens = Tokens(sandbox, "NEW-CUSTOM-APP")  # tokens.reply only: no client to close
    refused = tokens.reply(["accounting.transactions"], secret="new-secret")
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_scope"})
    # Asking for nothing gives what the connection is authorised for: granular scopes.
    plain = tokens.reply([], secret="new-secret")
    granted = plain.json()["scope"].split()
    assert "accounting.invoices" in granted and TRANSACTIONS not in granted
    xero = XeroHttp(sandbox.url, plain.json()["access_token"], DEMO_TENANT)
    try:
        assert xero.get("/Invoices").status == 200
    finally:
        xero.close()
    asked = tokens.reply(["accounting.invoices", "accounting.settings"], secret="new-secret")
    assert asked.json()["scope"] == "accounting.invoices accounting.settings"


def test_unknown_scopes_are_refused_by_client_credentials(tokens: Tokens) -> None:
    reply = tokens.reply(["accounting.everything"])
    assert (reply.status_code, reply.json()) == (400, {"error": "invalid_scope"})


def test_a_custom_connection_is_held_to_the_scopes_it_was_authorised_for(
    http: httpx2.Client, tokens: Tokens
) -> None:
    changed = http.post(f"/_sandbox/apps/{CUSTOM_CLIENT}", json={"scopes": ["accounting.settings"]})
    assert changed.status_code == 200 and changed.json()["scopes"] == ["accounting.settings"]
    refused = tokens.reply(["accounting.invoices"])
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_scope"})
    assert tokens.reply([]).json()["scope"] == "accounting.settings"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (f"/_sandbox/apps/{WEB_CLIENT}", {"created": "March 2026"}, "created must be a date"),
        (f"/_sandbox/apps/{WEB_CLIENT}", {"secret": "x"}, "unknown fields: secret"),
        ("/_sandbox/apps/NOBODY", {"created": "2026-03-02"}, "no app 'NOBODY'"),
        ("/_sandbox/apps", {"client_id": WEB_CLIENT, "client_secret": "s"}, "already registered"),
        ("/_sandbox/apps", {"client_id": "P", "kind": "pkce", "client_secret": "s"}, "pkce"),
        ("/_sandbox/apps", {"client_id": "C", "kind": "custom", "client_secret": "s"}, "tenant"),
        (
            f"/_sandbox/apps/{CUSTOM_CLIENT}",
            {"created": "2026-03-02", "scopes": ["accounting.transactions"]},
            "granular scopes only",
        ),
    ],
)
def test_the_apps_admin_refuses_what_it_cannot_take(
    http: httpx2.Client, path: str, body: dict[str, Any], message: str
) -> None:
    reply = http.post(path, json=body)
    assert reply.status_code in (400, 404, 409), reply.text
    assert message in reply.json()["error"]


def test_a_new_web_app_registered_by_admin_connects(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    registered = http.post(
        "/_sandbox/apps",
        json={
            "client_id": "NEW-WEB-APP",
            "client_secret": "web-secret",
            "redirect_uris": [REDIRECT_URI],
            "created": "2026-05-01",
        },
    )
    assert registered.status_code == 201, registered.text
    tokens = connect(
        sandbox.url,
        ("demo",),
        client_id="NEW-WEB-APP",
        client_secret="web-secret",
        scope="offline_access accounting.settings",
    )
    assert tokens["scope"] == "offline_access accounting.settings"
    assert http.get("/_sandbox/apps/NEW-WEB-APP").json()["created"] == "2026-05-01"
