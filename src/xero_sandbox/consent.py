"""Xero's login and consent page (login.xero.com/identity/connect/authorize).

A request that cannot be trusted to redirect (unknown client, redirect URI not registered) gets
an error page and never a redirect, as RFC 6749 section 4.1.2.1 requires. Any other bad request
is sent back to the app with ``error`` and ``state``. Scripts and tests skip the page with
``sandbox_consent=allow`` (or ``config.auto_consent``), a sandbox-only extension.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox import scopes as api_scopes
from xero_sandbox.config import AppConfig
from xero_sandbox.state import Org, SandboxState
from xero_sandbox.tokens import DEMO_USER_EMAIL, DEMO_USER_ID, AuthCode, PendingConsent

PENDING_SECONDS = 1800
CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")

REPORT_TEXT = {
    "aged": "aged payables and receivables",
    "balancesheet": "balance sheet",
    "banksummary": "bank summary",
    "budgetsummary": "budget summary",
    "executivesummary": "executive summary",
    "profitandloss": "profit and loss",
    "trialbalance": "trial balance",
    "taxreports": "tax",
}
SCOPE_TEXT = {
    "openid": "Verify your identity",
    "profile": "See your name",
    "email": "See your email address",
    "offline_access": "Keep access to the data you allow while you are not using the app",
    "accounting.transactions": "View and manage your business transactions",
    "accounting.transactions.read": "View your business transactions",
    "accounting.invoices": "View and manage invoices, credit notes, quotes and purchase orders",
    "accounting.invoices.read": "View invoices, credit notes, quotes and purchase orders",
    "accounting.payments": "View and manage payments",
    "accounting.payments.read": "View payments",
    "accounting.banktransactions": "View and manage bank transactions and transfers",
    "accounting.banktransactions.read": "View bank transactions and transfers",
    "accounting.manualjournals": "View and manage manual journals",
    "accounting.manualjournals.read": "View manual journals",
    "accounting.classicexpenses": "View and manage expense claims and receipts",
    "accounting.classicexpenses.read": "View expense claims and receipts",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.settings": "View and manage your organisation settings",
    "accounting.settings.read": "View your organisation settings",
    "accounting.attachments": "View and manage your attachments",
    "accounting.attachments.read": "View your attachments",
    "accounting.journals.read": "View your general ledger",
    "accounting.reports.read": "View your reports",
    "accounting.reports.tenninetynine.read": "View your 1099 reports",
    "accounting.budgets.read": "View your budgets",
    "paymentservices": "View and manage payment services",
    **{
        f"accounting.reports.{name}.read": f"View your {text} reports"
        for name, text in REPORT_TEXT.items()
    },
}
OTHER_SCOPES = (
    "files",
    "assets",
    "projects",
    "payroll.employees",
    "payroll.payruns",
    "payroll.payslip",
    "payroll.timesheets",
    "payroll.settings",
)
KNOWN_SCOPES = (
    set(SCOPE_TEXT)
    | api_scopes.known_scopes()
    | set(OTHER_SCOPES)
    | {f"{s}.read" for s in OTHER_SCOPES}
)

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def error_page(error: str, description: str, status: int = 400) -> HTMLResponse:
    html = _templates.get_template("identity_error.html").render(
        error=error, description=description
    )
    return HTMLResponse(html, status)


def redirect_to(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    """The app's redirect URI with ``params`` added to whatever query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), 302)


def issue_code(state: SandboxState, pending: PendingConsent, tenant_ids: list[str]) -> Response:
    """What clicking "Allow access" does: a single-use code for the chosen organisations."""
    code = AuthCode(
        code=secrets.token_urlsafe(32),
        client_id=pending.client_id,
        redirect_uri=pending.redirect_uri,
        user_id=DEMO_USER_ID,
        tenant_ids=tenant_ids,
        scopes=pending.scopes,
        expires=state.clock.timestamp() + state.config.auth_code_seconds,
        code_challenge=pending.code_challenge,
        code_challenge_method=pending.code_challenge_method,
        nonce=pending.nonce,
    )
    state.identity.codes[code.code] = code
    return redirect_to(pending.redirect_uri, {"code": code.code, "state": pending.state})


def consent_page(
    state: SandboxState,
    app: AppConfig,
    pending: PendingConsent,
    message: str | None = None,
    checked: set[str] | None = None,
) -> HTMLResponse:
    orgs = list(state.orgs.values())
    if checked is None:
        checked = {orgs[0].tenant_id} if orgs else set()
    html = _templates.get_template("identity_consent.html").render(
        app_name=app.name,
        scopes=[(s, SCOPE_TEXT.get(s, s)) for s in pending.scopes],
        orgs=[(o.tenant_id, o.name, o.tenant_id in checked) for o in orgs],
        consent_id=pending.id,
        user_email=DEMO_USER_EMAIL,
        message=message,
    )
    return HTMLResponse(html)


def unattended_tenants(state: SandboxState, wanted: str | None) -> list[Org] | str:
    """The orgs named by ``sandbox_tenants`` (keys or tenant ids), or an error message."""
    if not wanted:
        return list(state.orgs.values())
    chosen: list[Org] = []
    for name in (n.strip() for n in wanted.split(",")):
        if not name:
            continue
        org = state.org_by_key(name) or state.org_by_key(name.lower())
        if org is None:
            return f"sandbox_tenants names an unknown organisation: {name}"
        if org not in chosen:
            chosen.append(org)
    return chosen or "sandbox_tenants names no organisation"


def authorize(state: SandboxState, request: Request) -> Response:
    query = request.query_params
    app = state.config.app(query.get("client_id", ""))
    if app is None or app.kind == "custom":
        return error_page("unauthorized_client", "Unknown client or client not enabled")
    redirect_uri = query.get("redirect_uri", "")
    if redirect_uri not in app.redirect_uris:
        return error_page("invalid_request", "Invalid redirect_uri")
    client_state = query.get("state")

    def refuse(error: str) -> Response:
        return redirect_to(redirect_uri, {"error": error, "state": client_state})

    if query.get("response_type") != "code":
        return refuse("unsupported_response_type")
    scopes = list(dict.fromkeys(query.get("scope", "").split()))
    if not scopes:
        return refuse("invalid_request")
    if any(s not in KNOWN_SCOPES for s in scopes):
        return refuse("invalid_scope")
    # An app created on or after 2 March 2026 cannot ask for a broad accounting scope.
    if api_scopes.refused_for(app.created, scopes):
        return refuse("invalid_scope")
    challenge = query.get("code_challenge") or None
    method = query.get("code_challenge_method") or None
    if challenge is not None and (method != "S256" or not CHALLENGE.match(challenge)):
        return refuse("invalid_request")
    if challenge is None and (method is not None or app.kind == "pkce"):
        return refuse("invalid_request")

    now = state.clock.timestamp()
    state.identity.purge(now)
    pending = PendingConsent(
        id=secrets.token_urlsafe(24),
        client_id=app.client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=client_state,
        code_challenge=challenge,
        code_challenge_method=method,
        nonce=query.get("nonce") or None,
        expires=now + PENDING_SECONDS,
    )
    decision = query.get("sandbox_consent", "").lower()
    if decision == "deny":
        return refuse("access_denied")
    if decision == "allow" or state.config.auto_consent:
        chosen = unattended_tenants(state, query.get("sandbox_tenants"))
        if isinstance(chosen, str):
            return error_page("invalid_request", chosen)
        return issue_code(state, pending, [o.tenant_id for o in chosen])
    state.identity.pending[pending.id] = pending
    return consent_page(state, app, pending)


async def decide(state: SandboxState, request: Request) -> Response:
    """The consent form's answer: Allow access (with the ticked organisations) or Cancel."""
    form = await request.form()
    pending = state.identity.pending.get(str(form.get("consent_id", "")))
    if pending is None or pending.expires <= state.clock.timestamp():
        return error_page(
            "invalid_request",
            "This authorisation request has expired. Go back to the app and connect again.",
        )
    app = state.config.app(pending.client_id)
    if app is None:
        return error_page("unauthorized_client", "Unknown client or client not enabled")
    if form.get("action") != "allow":
        del state.identity.pending[pending.id]
        return redirect_to(pending.redirect_uri, {"error": "access_denied", "state": pending.state})
    ticked = [str(t) for t in form.getlist("tenant")]
    tenant_ids = [t for t in state.orgs if t in ticked]
    if not tenant_ids:
        return consent_page(
            state,
            app,
            pending,
            message="Select at least one organisation to connect.",
            checked=set(),
        )
    del state.identity.pending[pending.id]
    return issue_code(state, pending, tenant_ids)


def routes(state: SandboxState) -> list[BaseRoute]:
    async def authorize_get(request: Request) -> Response:
        return authorize(state, request)

    async def authorize_post(request: Request) -> Response:
        return await decide(state, request)

    return [
        Route("/identity/connect/authorize", authorize_get, methods=["GET"]),
        Route("/identity/connect/authorize", authorize_post, methods=["POST"]),
    ]
