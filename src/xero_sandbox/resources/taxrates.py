"""Tax rates: GET /TaxRates, GET /TaxRates/{TaxType}, PUT (create) and POST (update).

Rates are keyed by their TaxType code. Rates a caller creates get TAX001, TAX002... Xero's own
rates (every other code) keep their components and cannot be deleted. One rate per request, as
with accounts. TaxRates take no If-Modified-Since (a caller re-reads them whole).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import flag, has, pick, single_write, text, too_long
from xero_sandbox.resources.rules import tax_rate
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record

STATUSES = ("ACTIVE", "DELETED", "ARCHIVED", "PENDING")
_OUTPUT_REPORTS = ("OUTPUT", "EXEMPTOUTPUT", "ECOUTPUT", "ZERORATEDOUTPUT", "SALESOUTPUT")
_INPUT_REPORTS = ("INPUT", "EXEMPTINPUT", "EXEMPTEXPENSES", "ECINPUT", "ZERORATEDINPUT")


def is_user_rate(rate: Record) -> bool:
    code = str(rate.get("TaxType", ""))
    return code.startswith("TAX") and code[3:].isdigit()


def _next_tax_type(org: Org) -> str:
    numbers = [int(k[3:]) for k in org.tax_rates if k.startswith("TAX") and k[3:].isdigit()]
    return f"TAX{max(numbers, default=0) + 1:03d}"


def _components(element: dict[str, Any]) -> tuple[list[Record], list[str]]:
    raw = pick(element, "TaxComponents")
    if raw is None:
        return [], ["At least one tax component is required."]
    items = wire.parse_list(raw, "TaxComponents")
    parsed: list[Record] = []
    messages: list[str] = []
    for index, item in enumerate(items):
        path = f"TaxComponents[{index}]."
        item = wire.parse_object(item, f"TaxComponents[{index}]")
        name = text(item, "Name", path)
        rate_raw = pick(item, "Rate")
        if not name:
            messages.append("Tax component name is required.")
        if rate_raw is None:
            messages.append("Tax component rate is required.")
            continue
        rate = wire.parse_decimal(rate_raw, f"{path}Rate")
        if not Decimal(0) <= rate <= Decimal(100):
            messages.append("Tax component rate must be between 0 and 100.")
            continue
        parsed.append(
            {
                "Name": name,
                "Rate": rate.quantize(Decimal("0.0001")),
                "IsCompound": bool(flag(item, "IsCompound", path)),
                "IsNonRecoverable": bool(flag(item, "IsNonRecoverable", path)),
            }
        )
    if not items:
        messages.append("At least one tax component is required.")
    return parsed, messages


def _effective(components: list[Record]) -> Decimal:
    """Simple components add up; a compound one is charged on the amount plus the others."""
    simple = sum((c["Rate"] for c in components if not c["IsCompound"]), Decimal(0))
    compound = sum((c["Rate"] for c in components if c["IsCompound"]), Decimal(0))
    total = simple + compound * (Decimal(100) + simple) / Decimal(100)
    return total.quantize(Decimal("0.0001"))


def _name_taken(org: Org, name: str, current: Record | None) -> bool:
    wanted = name.strip().lower()
    return any(
        r is not current and str(r.get("Name", "")).strip().lower() == wanted
        for r in org.tax_rates.values()
        if r.get("Status") != "DELETED"
    )


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    org = ctx.org
    name = text(element, "Name")
    report = text(element, "ReportTaxType")
    components, messages = _components(element)
    if not name or not name.strip():
        messages.insert(0, "Name is required.")
    else:
        messages += too_long(name, 50, "Name")
        if _name_taken(org, name, None):
            messages.append(f"The tax rate name '{name.strip()}' is already in use.")
    if org.country_code in ("AU", "NZ", "GB") and not report:
        messages.append("ReportTaxType is required for this organisation.")
    if messages:
        raise errors.ElementErrors(messages)
    report = (report or "NONE").upper()
    sales = report in _OUTPUT_REPORTS
    purchases = report in _INPUT_REPORTS
    effective = _effective(components)
    record: Record = {
        "Name": name.strip() if name else "",
        "TaxType": _next_tax_type(org),
        "TaxComponents": components,
        "Status": "ACTIVE",
        "ReportTaxType": report,
        "CanApplyToRevenue": not purchases,
        "CanApplyToExpenses": not sales,
        "CanApplyToAssets": True,
        "CanApplyToLiabilities": True,
        "CanApplyToEquity": True,
        "DisplayTaxRate": effective,
        "EffectiveRate": effective,
    }
    org.tax_rates[record["TaxType"]] = record
    return record


def _target(org: Org, element: dict[str, Any]) -> Record:
    code = text(element, "TaxType")
    if code:
        found = tax_rate(org, code)
        if found is None:
            raise errors.ElementErrors([f"The TaxType code '{code}' does not exist."])
        return found
    name = (text(element, "Name") or "").strip().lower()
    for rate in org.tax_rates.values():
        if str(rate.get("Name", "")).strip().lower() == name and name:
            return rate
    raise errors.ElementErrors(["TaxType is required to update a tax rate."])


def _update(ctx: ApiContext, element: dict[str, Any]) -> Record:
    org = ctx.org
    rate = _target(org, element)
    messages: list[str] = []
    name = text(element, "Name")
    if name is not None:
        if not name.strip():
            messages.append("Name is required.")
        messages += too_long(name, 50, "Name")
        if name.strip() and _name_taken(org, name, rate):
            messages.append(f"The tax rate name '{name.strip()}' is already in use.")
    components: list[Record] = []
    if has(element, "TaxComponents"):
        components, problems = _components(element)
        messages += problems
        if not is_user_rate(rate) and not problems:
            messages.append("The tax components of a system tax rate cannot be changed.")
    status = text(element, "Status")
    if status is not None:
        status = status.upper()
        if status not in STATUSES:
            messages.append(f"Tax rate Status '{status}' is not valid.")
        elif status == "DELETED" and not is_user_rate(rate):
            messages.append("System tax rates cannot be deleted.")
    if messages:
        raise errors.ElementErrors(messages)
    if name is not None:
        rate["Name"] = name.strip()
    if components:
        rate["TaxComponents"] = components
        rate["DisplayTaxRate"] = rate["EffectiveRate"] = _effective(components)
    if status is not None:
        rate["Status"] = status
    return rate


def list_tax_rates(ctx: ApiContext) -> Response:
    records = list(ctx.org.tax_rates.values())
    wanted = ctx.query.get("TaxType")
    if wanted:
        records = [r for r in records if str(r["TaxType"]).upper() == wanted.strip().upper()]
    records = query.where_filter(ctx, records)
    return envelope(ctx, "TaxRates", query.order_by(ctx, records, "Name"))


def get_tax_rate(ctx: ApiContext) -> Response:
    found = tax_rate(ctx.org, ctx.params["TaxType"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "TaxRates", [found])


def put_tax_rate(ctx: ApiContext) -> Response:
    return single_write(ctx, "TaxRates", "TaxRate", lambda e: _create(ctx, e))


def post_tax_rate(ctx: ApiContext) -> Response:
    return single_write(ctx, "TaxRates", "TaxRate", lambda e: _update(ctx, e))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/TaxRates/{TaxType}", get_tax_rate),
    ApiRoute("GET", "/TaxRates", list_tax_rates),
    ApiRoute("PUT", "/TaxRates", put_tax_rate),
    ApiRoute("POST", "/TaxRates", post_tax_rate),
]
