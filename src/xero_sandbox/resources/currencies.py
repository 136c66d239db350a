"""Currencies: GET /Currencies lists the organisation's subscriptions; PUT subscribes one more.

Xero has no update or delete for currencies. A code that is not an ISO 4217 currency is
refused; subscribing to one already held returns it unchanged; one the organisation's plan or
region cannot hold is refused as a validation error (``plans``; the text is UNCONFIRMED).

Xero's OpenAPI describes this PUT's 200 reply as "Unsupported - return response incorrect
exception, API is not able to create new Currency": the spec itself doubts that the API
subscribes currencies. xero-facts 5.9 says PUT adds one, which the sandbox follows.
"""

from __future__ import annotations

from starlette.responses import Response

from xero_sandbox import errors, plans, query
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import single_write, text
from xero_sandbox.routing import ApiRoute
from xero_sandbox.seed_charts import CURRENCY_NAMES
from xero_sandbox.state import Record

ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905
)


def _subscribe(ctx: ApiContext, element: dict[str, object]) -> Record:
    code = (text(element, "Code") or "").strip().upper()
    if not code:
        raise errors.ElementErrors(["Currency Code is required."])
    if code not in ISO_4217:
        raise errors.ElementErrors([f"Currency code '{code}' is not a valid ISO 4217 code."])
    existing = ctx.org.currencies.get(code)
    if existing is not None:
        return existing
    org = ctx.org
    refused = plans.plan_error(org.org_class, org.country_code, org.base_currency, code)
    if refused is not None:
        raise errors.ElementErrors([refused])
    description = CURRENCY_NAMES.get(code) or (text(element, "Description") or code).strip()
    record: Record = {"Code": code, "Description": description}
    ctx.org.currencies[code] = record
    return record


def list_currencies(ctx: ApiContext) -> Response:
    records = query.where_filter(ctx, list(ctx.org.currencies.values()))
    return envelope(ctx, "Currencies", query.order_by(ctx, records, "Code"))


def put_currency(ctx: ApiContext) -> Response:
    return single_write(ctx, "Currencies", "Currency", lambda e: _subscribe(ctx, e))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Currencies", list_currencies),
    ApiRoute("PUT", "/Currencies", put_currency),
]
