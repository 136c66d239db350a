"""Record HTTP exchanges with the sandbox and check each one against Xero's official OpenAPI spec.

The sandbox must answer as Xero does, and Xero's own spec is the most precise statement of what
Xero sends. Exchanges are recorded from the wire (an httpx2 response hook), so what is checked is
exactly what a client would have seen, not what a handler meant to send.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.conftest import Reply, XeroHttp
from xero_sandbox.resources import all_routes
from xero_sandbox.routing import API_PREFIX, ApiRoute, ApiRouter

XERO_ORIGIN = "https://api.xero.com"
ACCOUNTING_SPEC = "xero_accounting.yaml"
IDENTITY_SPEC = "xero-identity.yaml"


def spec_dir() -> Path:
    """``<repo>/../shared/xero-openapi``: the spec is shared, not copied into the repository."""
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "xero-openapi"


def load_spec(name: str, folder: Path | None = None) -> OpenAPI:
    """Load one spec file, or skip the calling test when the shared spec is not there."""
    folder = folder or spec_dir()
    path = folder / name
    if not folder.is_dir():
        pytest.skip(f"Xero OpenAPI folder not found: looked for {folder}")
    if not path.is_file():
        pytest.skip(f"Xero OpenAPI spec not found: looked for {path}")
    # The spec is Xero's published one; checking the spec itself costs seconds and proves nothing
    # about the sandbox, so only the exchanges are validated.
    return OpenAPI.from_file_path(str(path), config=Config(spec_validator_cls=None))


@dataclass
class Exchange:
    """One request and its response, as they crossed the wire."""

    label: str
    method: str
    path: str
    query: list[tuple[str, str]]
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes

    @property
    def api_path(self) -> str | None:
        """The path under /api.xro/2.0, or None for identity and other hosts."""
        if self.path.lower().startswith(API_PREFIX.lower() + "/"):
            return self.path[len(API_PREFIX) :]
        return None

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        target = f"{self.path}?{query}" if query else self.path
        return f"[{self.label}] {self.method} {target} -> {self.status}"


@dataclass
class Recorder:
    """Keeps every exchange an httpx2 client makes; ``label`` names the step being replayed."""

    exchanges: list[Exchange] = field(default_factory=list)
    label: str = ""

    def attach(self, client: httpx2.Client) -> None:
        client.event_hooks["response"].append(self._record)

    def _record(self, response: httpx2.Response) -> None:
        response.read()
        request = response.request
        self.exchanges.append(
            Exchange(
                label=self.label,
                method=request.method.upper(),
                path=request.url.path,
                query=[(str(k), str(v)) for k, v in request.url.params.multi_items()],
                request_headers={k.lower(): v for k, v in request.headers.items()},
                request_body=bytes(request.content),
                status=response.status_code,
                response_headers={k.lower(): v for k, v in response.headers.items()},
                response_body=bytes(response.content),
            )
        )


class SpecRequest:
    """An exchange's request in openapi-core's Request protocol, moved to Xero's origin."""

    def __init__(self, exchange: Exchange, path: str) -> None:
        self.host_url = XERO_ORIGIN
        self.path = path
        self.method = exchange.method.lower()
        self.body: bytes | None = exchange.request_body or None
        self.content_type = exchange.request_headers.get("content-type", "").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(exchange.query),
            header=Headers(list(exchange.request_headers.items())),
            cookie=ImmutableMultiDict(),
        )


class SpecResponse:
    """An exchange's response in openapi-core's Response protocol."""

    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.data: bytes | None = exchange.response_body
        self.headers = Headers(list(exchange.response_headers.items()))
        self.content_type = exchange.response_headers.get("content-type", "").lower()


@dataclass(frozen=True)
class Allowance:
    """A documented spec quirk: an error line the real API is known to produce too.

    ``method`` and ``path`` (a regex on the path the spec sees) say where it applies; ``error`` is a
    regex that must match the whole error line. Keep each one as narrow as the quirk.
    """

    side: str
    method: str
    path: str
    error: str
    reason: str

    def covers(self, side: str, method: str, path: str, line: str) -> bool:
        return (
            side == self.side
            and method.upper() == self.method
            and re.fullmatch(self.path, path) is not None
            and re.fullmatch(self.error, line) is not None
        )


def _schemadoc_lines(prefix: str, exc: InvalidSchemaValue) -> Iterator[str]:
    for error in exc.schema_errors:
        where = "/".join(str(p) for p in getattr(error, "absolute_path", [])) or "(root)"
        yield f"{prefix} {where}: {getattr(error, 'message', error)}"


def errordoc_lines(side: str, exc: BaseException) -> list[str]:
    """openapi-core errors as one precise line per problem: where, and what the spec says."""
    lines: list[str] = []
    cause: BaseException | None = exc
    label = f"{side}: {exc}"
    name = getattr(exc, "name", None)
    if name:
        label = f"{side} {getattr(exc, 'location', 'parameter')} parameter {name}:"
    elif "body" in str(exc).lower() or "data" in type(exc).__name__.lower():
        label = f"{side} body"
    while cause is not None:
        if isinstance(cause, InvalidSchemaValue):
            lines.extend(_schemadoc_lines(label, cause))
            return lines
        cause = cause.__cause__
    return [f"{side}: {type(exc).__name__}: {exc}"]


# Statuses Xero documents (xero-facts section 6.1) that the spec leaves out of every operation.
UNDECLARED_STATUSES = {401, 403, 404, 405, 413, 429}


def check(
    api: OpenAPI, exchange: Exchange, allowances: Iterable[Allowance], path: str | None = None
) -> list[str]:
    """Every spec violation of one exchange that no allowance covers, as readable lines."""
    spec_path = path or exchange.path
    request = SpecRequest(exchange, spec_path)
    problems: list[str] = []
    with warnings.catch_warnings():
        # openapi-core cannot check OAuth2 security schemes and warns once per request.
        warnings.simplefilter("ignore", UserWarning)
        for exc in api.iter_request_errors(request):
            problems.extend(errordoc_lines("request", exc))
        if 200 <= exchange.status < 300 or 400 <= exchange.status < 500:
            for exc in api.iter_response_errors(request, SpecResponse(exchange)):
                if isinstance(exc, ResponseNotFound) and exchange.status in UNDECLARED_STATUSES:
                    continue
                problems.extend(errordoc_lines("response", exc))
    kept = [
        line
        for line in problems
        if not any(
            a.covers(line.split(" ")[0], exchange.method, spec_path, line) for a in allowances
        )
    ]
    return [f"{exchange.describe()}: {line}" for line in kept]


def route_of(exchange: Exchange, routes: list[ApiRoute] | None = None) -> ApiRoute | None:
    """The sandbox route that served an Accounting API exchange."""
    api_path = exchange.api_path
    if api_path is None:
        return None
    route, _, _ = ApiRouter(routes if routes is not None else all_routes()).match(
        exchange.method, api_path
    )
    return route


def route_key(route: ApiRoute) -> str:
    return f"{route.method} {route.pattern}"


def coverage(exchanges: Iterable[Exchange]) -> dict[str, list[int]]:
    """For each implemented route, the statuses the replay saw from it."""
    routes = all_routes()
    seen: dict[str, list[int]] = {route_key(r): [] for r in routes}
    for exchange in exchanges:
        route = route_of(exchange, routes)
        if route is not None:
            seen[route_key(route)].append(exchange.status)
    return seen


# The first half of the replay: reference data, contacts and items that documents use.


def first(body: Any, key: str, field_name: str, index: int = 0) -> Any:
    try:
        return body[key][index][field_name]
    except (KeyError, IndexError, TypeError):
        return None


@dataclass
class Replay:
    """Runs the steps, recording every exchange and every answer that was not the expected one."""

    xero: XeroHttp
    recorder: Recorder
    today: date
    surprises: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.router = ApiRouter(all_routes())

    def call(
        self, label: str, method: str, path: str, body: Any = None, *, expect: int = 200, **kw: Any
    ) -> Any:
        """The reply's JSON when it came with the expected status, else None."""
        self.recorder.label = label
        reply: Reply = self.xero.call(method, path, body, **kw)
        if self.router.match(method, path)[0] is None:
            return None
        if reply.status != expect:
            self.surprises.append(
                f"[{label}] {method} {path}: expected {expect}, got {reply.status}: "
                f"{reply.text[:400]}"
            )
            return None
        return reply.json if reply.text and reply.text.lstrip().startswith(("{", "[")) else {}

    def day(self, offset: int = 0) -> str:
        return (self.today + timedelta(days=offset)).isoformat()


def doc_lines(*rows: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    """Document lines from (description, quantity, unit amount, account code)."""
    return [
        {"Description": d, "Quantity": float(q), "UnitAmount": float(u), "AccountCode": a}
        for d, q, u, a in rows
    ]


def reference_data(r: Replay) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    r.call("organisation", "GET", "/Organisation")
    r.call("organisation actions", "GET", "/Organisation/Actions")
    since = {"If-Modified-Since": "2025-01-01T00:00:00Z"}
    r.call("accounts", "GET", "/Accounts")
    r.call("bank accounts", "GET", "/Accounts", params={"where": 'Type=="BANK"', "order": "Code"})
    r.call("accounts since", "GET", "/Accounts", headers=since)
    account = {"Code": "4711", "Name": "Replay Sales", "Type": "REVENUE", "TaxType": "OUTPUT"}
    made = r.call("create account", "PUT", "/Accounts", account)
    ids["account"] = account_id = first(made, "Accounts", "AccountID")
    dup = {"Code": "4712", "Name": "Replay Sales", "Type": "REVENUE"}
    r.call("duplicate account name", "PUT", "/Accounts", dup, expect=400)
    if account_id:
        r.call("account", "GET", f"/Accounts/{account_id}")
        change = {"Accounts": [{"Description": "Sales recorded by the replay"}]}
        r.call("update account", "POST", f"/Accounts/{account_id}", change)
        r.call("delete unused account", "DELETE", f"/Accounts/{account_id}")
    r.call("tax rates", "GET", "/TaxRates")
    r.call("active tax rates", "GET", "/TaxRates", params={"where": 'Status=="ACTIVE"'})
    r.call("tax rate", "GET", "/TaxRates/OUTPUT")
    component = {"Name": "Levy", "Rate": 2.5, "IsCompound": False, "IsNonRecoverable": False}
    rate = {"Name": "Replay Levy", "ReportTaxType": "OUTPUT", "TaxComponents": [component]}
    made = r.call("create tax rate", "PUT", "/TaxRates", {"TaxRates": [rate]})
    tax_type = first(made, "TaxRates", "TaxType")
    if tax_type:
        rate = {**rate, "TaxType": tax_type, "TaxComponents": [{**component, "Rate": 3.0}]}
        r.call("update tax rate", "POST", "/TaxRates", {"TaxRates": [rate]})
    r.call("currencies", "GET", "/Currencies")
    r.call("usd", "GET", "/Currencies", params={"where": 'Code=="USD"'})
    r.call("add currency", "PUT", "/Currencies", {"Code": "JPY", "Description": "Japanese Yen"})
    return ids


def tracking(r: Replay) -> None:
    listed = r.call("tracking categories", "GET", "/TrackingCategories")
    r.call("all tracking", "GET", "/TrackingCategories", params={"includeArchived": "true"})
    found = (listed or {}).get("TrackingCategories", [])
    names = {c["Name"]: c["TrackingCategoryID"] for c in found}
    department = names.get("Department")
    r.call("third active category", "PUT", "/TrackingCategories", {"Name": "Channel"}, expect=400)
    if department:
        r.call("tracking category", "GET", f"/TrackingCategories/{department}")
        archive = {"Status": "ARCHIVED"}
        r.call("archive category", "POST", f"/TrackingCategories/{department}", archive)
    made = r.call("create category", "PUT", "/TrackingCategories", {"Name": "Channel"})
    channel = first(made, "TrackingCategories", "TrackingCategoryID")
    if not channel:
        return
    base = f"/TrackingCategories/{channel}"
    r.call("rename category", "POST", base, {"Name": "Sales Channel"})
    online = first(
        r.call("add option", "PUT", f"{base}/Options", {"Name": "Online"}),
        "Options",
        "TrackingOptionID",
    )
    retail = first(
        r.call("add option 2", "PUT", f"{base}/Options", {"Name": "Retail"}),
        "Options",
        "TrackingOptionID",
    )
    if online:
        r.call("rename option", "POST", f"{base}/Options/{online}", {"Name": "Web"})
    if retail:
        r.call("delete option", "DELETE", f"{base}/Options/{retail}")
    r.call("delete category", "DELETE", base)


def contacts(r: Replay) -> dict[str, Any]:
    r.call("contacts", "GET", "/Contacts")
    r.call("contacts page", "GET", "/Contacts", params={"page": 1, "pageSize": 3})
    active = {"where": 'ContactStatus=="ACTIVE"', "order": "Name ASC"}
    r.call("active contacts", "GET", "/Contacts", params=active)
    r.call("contact search", "GET", "/Contacts", params={"searchTerm": "bay"})
    r.call("contact summary", "GET", "/Contacts", params={"summaryOnly": "true"})
    r.call("archived too", "GET", "/Contacts", params={"includeArchived": "true"})
    r.call(
        "contacts since", "GET", "/Contacts", headers={"If-Modified-Since": "2025-01-01T00:00:00Z"}
    )
    customer = {
        "Name": "Replay Customer Pty Ltd",
        "ContactNumber": "REPLAY-001",
        "EmailAddress": "ap@replay.example",
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "PO Box 1",
                "City": "Sydney",
                "PostalCode": "2000",
                "Country": "Australia",
            }
        ],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneAreaCode": "02", "PhoneNumber": "5550100"}],
    }
    supplier = {"Name": "Replay Paper Supplies", "EmailAddress": "sales@paper.example"}
    made = r.call("create contacts", "PUT", "/Contacts", {"Contacts": [customer, supplier]})
    ids = {
        "customer": first(made, "Contacts", "ContactID"),
        "supplier": first(made, "Contacts", "ContactID", 1),
    }
    dup = {"Contacts": [{"Name": "Replay Customer Pty Ltd"}]}
    r.call("duplicate contact", "PUT", "/Contacts", dup, expect=400)
    mixed = {"Contacts": [{"Name": "Replay Customer Pty Ltd"}, {"Name": "Replay Freight"}]}
    r.call(
        "contacts, errors listed", "PUT", "/Contacts", mixed, params={"summarizeErrors": "false"}
    )
    if ids["customer"]:
        cid = ids["customer"]
        r.call("contacts by id", "GET", "/Contacts", params={"IDs": cid})
        r.call("contact", "GET", f"/Contacts/{cid}")
        r.call("contact by number", "GET", "/Contacts/REPLAY-001")
        change = {"Contacts": [{"EmailAddress": "accounts@replay.example"}]}
        r.call("update contact", "POST", f"/Contacts/{cid}", change)
        upsert = {
            "Contacts": [
                {"ContactID": cid, "AccountNumber": "A-100"},
                {"Name": "Replay Posted Contact"},
            ]
        }
        r.call("upsert contacts", "POST", "/Contacts", upsert)
    return ids


def items(r: Replay) -> str | None:
    """The code of an item invoices can sell, once the sandbox keeps items."""
    r.call("items", "GET", "/Items")
    r.call("items filtered", "GET", "/Items", params={"where": "IsSold==true", "order": "Code"})
    service = {
        "Code": "RPL-SVC",
        "Name": "Replay consulting",
        "Description": "Consulting hour",
        "SalesDetails": {"UnitPrice": 150.0, "AccountCode": "200", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"UnitPrice": 80.0, "AccountCode": "310", "TaxType": "INPUT"},
    }
    temp = {"Code": "RPL-TEMP", "Name": "Replay temporary item"}
    made = r.call("create items", "PUT", "/Items", {"Items": [service, temp]})
    svc = first(made, "Items", "ItemID")
    tmp = first(made, "Items", "ItemID", 1)
    r.call("duplicate item", "PUT", "/Items", {"Items": [{"Code": "RPL-SVC"}]}, expect=400)
    r.call("items 4dp", "GET", "/Items", params={"unitdp": 4})
    if svc:
        r.call("item", "GET", f"/Items/{svc}")
        change = {"Items": [{"Code": "RPL-SVC", "Description": "Consulting hour (senior)"}]}
        r.call("update item", "POST", f"/Items/{svc}", change)
    widget = {"Code": "RPL-WDG", "Name": "Widget", "SalesDetails": {"UnitPrice": 19.95}}
    r.call("upsert items", "POST", "/Items", {"Items": [widget]})
    if tmp:
        r.call("delete item", "DELETE", f"/Items/{tmp}", expect=204)
    return "RPL-SVC" if svc else None
