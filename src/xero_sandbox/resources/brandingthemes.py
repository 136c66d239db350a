"""Branding themes, the payment services applied to them, and the theme a document carries.

Themes are read-only (Xero's API makes none); they are listed by SortOrder, the default theme
(SortOrder 0) first. Payment services are the organisation's custom "Pay now" links: ``PUT
/PaymentServices`` makes one, ``POST /BrandingThemes/{id}/PaymentServices`` applies existing
ones to a theme. Both need the ``paymentservices`` scope (``scopes.py``).

``document_theme`` is the rule invoices and credit notes share: a BrandingThemeID they name must
be one of the organisation's themes, and a sales document that names none takes the default.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import find_record, has, pick, text
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id

SERVICE_TYPE = "Custom"
# Xero's own message (the PaymentServices example in its OpenAPI spec).
SERVICE_NOT_FOUND = "Payment service could not be found"


def _theme_or_404(ctx: ApiContext) -> Record:
    found = find_record(ctx.org.branding_themes, "BrandingThemeID", ctx.params["BrandingThemeID"])
    if found is None:
        raise errors.NotFound()
    return found


def _ordered(org: Org) -> list[Record]:
    return sorted(org.branding_themes.values(), key=lambda t: (t["SortOrder"], t["Name"].lower()))


def default_theme(org: Org) -> Record | None:
    """The theme with the lowest SortOrder (0 in every organisation Xero makes)."""
    themes = _ordered(org)
    return themes[0] if themes else None


def theme_not_found(value: str) -> str:
    # UNCONFIRMED: Xero's wording for an unknown BrandingThemeID on a document. This is the
    # sentence integrators relay from Xero's answer (FYI's support article "Error Exporting
    # Invoice - Branding Theme with ID ... doesn't exist"); Xero's own page does not give it.
    return f"Branding Theme with ID {value} doesn't exist."


def document_theme(org: Org, element: dict[str, Any], record: Record, sales: bool) -> list[str]:
    """Check and set ``record["BrandingThemeID"]`` from the element; the problems found.

    A document that names no theme keeps the one it has; a new sales document (ACCREC,
    ACCRECCREDIT) takes the default theme, as Xero's documents read back with one.
    UNCONFIRMED: that bills and supplier credit notes get none unless they name one.
    """
    raw = pick(element, "BrandingThemeID") if has(element, "BrandingThemeID") else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if sales and not record.get("BrandingThemeID"):
            theme = default_theme(org)
            if theme is not None:
                record["BrandingThemeID"] = theme["BrandingThemeID"]
        return []
    value = text(element, "BrandingThemeID") or ""
    guid = query.canonical_guid(value)
    theme = find_record(org.branding_themes, "BrandingThemeID", guid) if guid else None
    if theme is None:
        return [theme_not_found(value.strip())]
    record["BrandingThemeID"] = theme["BrandingThemeID"]
    return []


def list_themes(ctx: ApiContext) -> Response:
    return envelope(ctx, "BrandingThemes", _ordered(ctx.org))


def get_theme(ctx: ApiContext) -> Response:
    return envelope(ctx, "BrandingThemes", [_theme_or_404(ctx)])


def _service_errors(name: str | None, url: str | None) -> list[str]:
    # UNCONFIRMED: Xero's wording for these two; both fields are needed for a "Pay now" link.
    messages: list[str] = []
    if not name or not name.strip():
        messages.append("PaymentServiceName is required.")
    if not url or not url.strip():
        messages.append("PaymentServiceUrl is required.")
    elif not url.strip().lower().startswith(("http://", "https://")):
        messages.append("PaymentServiceUrl must be a valid absolute URL (http or https).")
    return messages


def _create_service(ctx: ApiContext, element: dict[str, Any]) -> Record:
    name, url = text(element, "PaymentServiceName"), text(element, "PaymentServiceUrl")
    pay_now = text(element, "PayNowText")
    messages = _service_errors(name, url)
    if messages:
        raise errors.ElementErrors(messages)
    record: Record = {
        "PaymentServiceID": new_id(),
        "PaymentServiceName": (name or "").strip(),
        "PaymentServiceUrl": (url or "").strip(),
        "PaymentServiceType": SERVICE_TYPE,
    }
    if pay_now and pay_now.strip():
        record["PayNowText"] = pay_now.strip()
    ctx.org.payment_services[record["PaymentServiceID"]] = record
    return record


def list_services(ctx: ApiContext) -> Response:
    records = sorted(ctx.org.payment_services.values(), key=lambda s: s["PaymentServiceName"])
    return envelope(ctx, "PaymentServices", records)


def put_services(ctx: ApiContext) -> Response:
    return run_batch(ctx, "PaymentServices", "PaymentService", lambda e: _create_service(ctx, e))


def _theme_services(org: Org, theme: Record) -> list[Record]:
    return [
        org.payment_services[i] for i in theme["_payment_services"] if i in org.payment_services
    ]


def theme_services(ctx: ApiContext) -> Response:
    return envelope(ctx, "PaymentServices", _theme_services(ctx.org, _theme_or_404(ctx)))


def _apply_service(ctx: ApiContext, theme: Record, element: dict[str, Any]) -> Record:
    value = text(element, "PaymentServiceID") or ""
    guid = query.canonical_guid(value)
    service = find_record(ctx.org.payment_services, "PaymentServiceID", guid) if guid else None
    if service is None:
        raise errors.element_error(SERVICE_NOT_FOUND)
    if service["PaymentServiceID"] not in theme["_payment_services"]:
        theme["_payment_services"].append(service["PaymentServiceID"])
    return service


def apply_services(ctx: ApiContext) -> Response:
    theme = _theme_or_404(ctx)
    return run_batch(
        ctx, "PaymentServices", "PaymentService", lambda e: _apply_service(ctx, theme, e)
    )


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/BrandingThemes/{BrandingThemeID}/PaymentServices", theme_services),
    ApiRoute("POST", "/BrandingThemes/{BrandingThemeID}/PaymentServices", apply_services),
    ApiRoute("GET", "/BrandingThemes/{BrandingThemeID}", get_theme),
    ApiRoute("GET", "/BrandingThemes", list_themes),
    ApiRoute("GET", "/PaymentServices", list_services),
    ApiRoute("PUT", "/PaymentServices", put_services),
]
