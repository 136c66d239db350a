"""The offline demo: a tour of the local Xero over plain HTTP, as any Xero client would see it.

It connects through the real OAuth 2.0 authorization-code flow, lists the connected
organisations, sends a batch of invoices (two deliberately invalid) with per-element errors,
approves a bill, pays an invoice, shows an idempotent replay and a lost reply, and prints
"view in Xero" links that open the sandbox's read-only pages.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx2
import msgspec
from rich.console import Console
from rich.table import Table

from ledgerlink.config import DEFAULT_SCOPES
from xero_sandbox.config import SandboxConfig
from xero_sandbox.server import SandboxServer

CLIENT_ID = "LEDGERLINK-DEMO-APP"
CLIENT_SECRET = "ledgerlink-demo-secret"
REDIRECT_URI = "http://127.0.0.1:8000/api/v1/connections/callback"
SCOPES = DEFAULT_SCOPES  # granular, as an app made after 2 March 2026 must ask

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)

CUSTOMERS = [
    "Bayside Club",
    "City Limousines",
    "Ridgeway University",
    "Harbour Cafe",
    "Northwind Traders",
]
SERVICES = [
    ("Design consultation", Decimal("165.00"), "200", "OUTPUT"),
    ("Site visit", Decimal("95.50"), "200", "OUTPUT"),
    ("Printing (per page)", Decimal("0.1250"), "260", "OUTPUT"),
    ("Travel surcharge", Decimal("42.00"), "260", "EXEMPTOUTPUT"),
]


@dataclass
class Tally:
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    last_headers: dict[str, str] = field(default_factory=dict)


class Xero:
    """A minimal HTTP caller for the tour: bearer token, tenant header, exact Decimals."""

    def __init__(self, base: str, token: str, tenant: str, tally: Tally) -> None:
        self.client = httpx2.Client(base_url=base + "/api.xro/2.0", timeout=30)
        self.token = token
        self.tenant = tenant
        self.tally = tally

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "xero-tenant-id": self.tenant,
            "Accept": "application/json",
        }
        key = params.pop("idempotency_key", None)
        if key:
            headers["Idempotency-Key"] = key
        content = _ENCODER.encode(body) if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        reply = self.client.request(method, path, content=content, headers=headers, params=params)
        self.tally.calls += 1
        self.tally.statuses[reply.status_code] = self.tally.statuses.get(reply.status_code, 0) + 1
        self.tally.last_headers = {
            k: v
            for k, v in reply.headers.items()
            if k.lower().startswith("x-") and "limit" in k.lower()
        }
        try:
            return reply.status_code, _DECODER.decode(reply.content)
        except msgspec.DecodeError:
            return reply.status_code, reply.text


def connect(base: str, console: Console) -> dict[str, Any]:
    """The authorization-code flow with PKCE, consent given unattended for both organisations."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    state = secrets.token_urlsafe(16)
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": state,
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
        "sandbox_consent": "allow",
        "sandbox_tenants": "demo,uk",
    }
    with httpx2.Client(base_url=base, timeout=10, follow_redirects=False) as http:
        reply = http.get("/identity/connect/authorize?" + urlencode(query))
        location = reply.headers.get("location", "")
        returned = parse_qs(urlparse(location).query)
        if reply.status_code != 302 or returned.get("state") != [state] or "code" not in returned:
            raise RuntimeError(f"consent did not return a code: {reply.status_code} {location}")
        token = http.post(
            "/connect/token",
            data={
                "grant_type": "authorization_code",
                "code": returned["code"][0],
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        token.raise_for_status()
        tokens: dict[str, Any] = token.json()
        connections = http.get(
            "/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).json()
    table = Table(title="Connected organisations (GET /connections)")
    for column in ("tenantName", "tenantId", "tenantType"):
        table.add_column(column)
    for item in connections:
        table.add_row(item["tenantName"], item["tenantId"], item["tenantType"])
    console.print(table)
    tokens["connections"] = connections
    return tokens


def invoice(
    n: int, today: date, contact: str, *, account: str | None = None, tax: str | None = None
) -> dict[str, Any]:
    lines = []
    for i in range(1 + n % 3):
        description, price, code, tax_type = SERVICES[(n + i) % len(SERVICES)]
        lines.append(
            {
                "Description": description,
                "Quantity": Decimal(1 + (n * 7 + i) % 5),
                "UnitAmount": price,
                "AccountCode": account or code,
                "TaxType": tax or tax_type,
            }
        )
    return {
        "Type": "ACCREC",
        "Contact": {"Name": contact},
        "Date": today.isoformat(),
        "DueDate": (today + timedelta(days=14)).isoformat(),
        "Reference": f"JOB-{1000 + n}",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED" if n % 2 else "DRAFT",
        "LineItems": lines,
    }


def run_tour(documents: int = 50, port: int | None = None, keep_running: bool = False) -> int:
    console = Console()
    started = time.perf_counter()
    config = SandboxConfig()
    with SandboxServer(config, port=port) as server:
        console.print(f"[bold]Local Xero sandbox[/] listening on {server.url}")
        tokens = connect(server.url, console)
        tenants = {c["tenantName"]: c["tenantId"] for c in tokens["connections"]}
        demo_tenant = next(t for name, t in tenants.items() if "AU" in name)
        tally = Tally()
        xero = Xero(server.url, tokens["access_token"], demo_tenant, tally)
        _, org_body = xero.call("GET", "/Organisation")
        short_code = org_body["Organisations"][0]["ShortCode"]
        today = date.today()

        batch = [invoice(n, today, CUSTOMERS[n % len(CUSTOMERS)]) for n in range(documents)]
        batch[3] = invoice(3, today, CUSTOMERS[3], account="999")
        batch[7] = invoice(7, today, CUSTOMERS[2], tax="GST on Income")
        key = str(uuid.uuid4())
        status, body = xero.call(
            "PUT", "/Invoices", {"Invoices": batch}, summarizeErrors="false", idempotency_key=key
        )
        results = body["Invoices"]
        ok = [r for r in results if r["StatusAttributeString"] != "ERROR"]
        failed = [(i, r) for i, r in enumerate(results) if r["StatusAttributeString"] == "ERROR"]
        console.print(
            f"PUT /Invoices?summarizeErrors=false with {len(batch)} invoices -> HTTP {status}: "
            f"{len(ok)} created, {len(failed)} refused"
        )
        for index, record in failed:
            for error in record["ValidationErrors"]:
                console.print(f"  element {index}: [red]{error['Message']}[/]")

        status, replay = xero.call(
            "PUT", "/Invoices", {"Invoices": batch}, summarizeErrors="false", idempotency_key=key
        )
        same = [r.get("InvoiceID") for r in replay["Invoices"]] == [
            r.get("InvoiceID") for r in results
        ]
        console.print(f"Same request, same Idempotency-Key -> HTTP {status}, same invoices: {same}")

        authorised = next(r for r in ok if r["Status"] == "AUTHORISED")
        status, paid = xero.call(
            "PUT",
            "/Payments",
            {
                "Payments": [
                    {
                        "Invoice": {"InvoiceID": authorised["InvoiceID"]},
                        "Account": {"Code": "090"},
                        "Date": today.isoformat(),
                        "Amount": authorised["AmountDue"],
                    }
                ]
            },
        )
        _, after = xero.call("GET", f"/Invoices/{authorised['InvoiceID']}")
        inv = after["Invoices"][0]
        console.print(
            f"Payment of {authorised['AmountDue']} on {inv['InvoiceNumber']} -> HTTP {status}; "
            f"invoice is now {inv['Status']} (AmountDue {inv['AmountDue']})"
        )

        bill = {
            "Type": "ACCPAY",
            "Contact": {"Name": "Office Supplies Co"},
            "Date": today.isoformat(),
            "DueDate": (today + timedelta(days=30)).isoformat(),
            "InvoiceNumber": "OS-7781",
            "Status": "SUBMITTED",
            "LineAmountTypes": "Inclusive",
            "LineItems": [
                {
                    "Description": "Printer toner",
                    "Quantity": 2,
                    "UnitAmount": Decimal("89.95"),
                    "AccountCode": "453",
                    "TaxType": "INPUT",
                }
            ],
        }
        status, bills = xero.call("PUT", "/Invoices", {"Invoices": [bill]})
        created_bill = bills["Invoices"][0] if status == 200 else {}
        console.print(
            f"Bill {bill['InvoiceNumber']} sent as SUBMITTED (Awaiting Approval) -> HTTP {status}, "
            f"Total {created_bill.get('Total')} incl. tax {created_bill.get('TotalTax')}"
        )

        console.print("[bold]View in Xero[/] (the sandbox's read-only pages):")
        for record in ok[:3]:
            path = f"/AccountsReceivable/View.aspx?InvoiceID={record['InvoiceID']}"
            link = f"{server.url}/organisationlogin/default.aspx?" + urlencode(
                {"shortcode": short_code, "redirecturl": path}
            )
            console.print(f"  {record.get('InvoiceNumber', '')}: {link}", soft_wrap=True)

        summary = Table(title="Summary")
        summary.add_column("figure")
        summary.add_column("value")
        summary.add_row("invoices created", str(len(ok)))
        summary.add_row("invoices refused (with Xero's message)", str(len(failed)))
        summary.add_row("API calls made", str(tally.calls))
        summary.add_row(
            "HTTP statuses", ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
        )
        for name, value in tally.last_headers.items():
            summary.add_row(name, value)
        summary.add_row("wall time", f"{time.perf_counter() - started:.2f} s")
        console.print(summary)
        if keep_running:
            console.print(f"Sandbox still running on {server.url} (Ctrl+C to stop).")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0 if len(failed) == 2 and same else 1
