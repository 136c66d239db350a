"""Purchase orders: GET (filters, enforced paging), PUT/POST batches, POST by id.

Xero pages purchase orders even without ``page`` (100 a page), has no ``where`` on this
endpoint, and finds one PO by PurchaseOrderID or PurchaseOrderNumber.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.po_build import apply_number, commit, find_by_number, prepare
from xero_sandbox.resources.ref_common import find_record, text
from xero_sandbox.resources.ref_contact_lookup import contact_by_id
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

_CONTACT_FIELDS = ("ContactID", "ContactNumber", "Name", "ContactStatus", "EmailAddress")


def present(ctx: ApiContext, record: Record, warnings: list[str] | None = None) -> Record:
    shown = {k: v for k, v in record.items() if k != "ContactID"}
    contact = contact_by_id(ctx.org, record.get("ContactID"))
    if contact is not None:
        shown["Contact"] = {k: contact.get(k) for k in _CONTACT_FIELDS}
    for key in ("Date", "DeliveryDate"):
        if record.get(key) is not None:
            shown[f"{key}String"] = wire.iso_date_string(record[key])
    if warnings:
        shown["Warnings"] = [{"Message": m} for m in warnings]
    return shown


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.purchase_orders, "PurchaseOrderID", ref) or find_by_number(
        ctx.org, ref
    )


def list_purchase_orders(ctx: ApiContext) -> Response:
    records = list(ctx.org.purchase_orders.values())
    status = ctx.query.get("Status")
    if status:
        records = [r for r in records if r["Status"] == status.strip().upper()]
    for key, keep in (("DateFrom", lambda d, b: d >= b), ("DateTo", lambda d, b: d <= b)):
        value = ctx.query.get(key)
        if value:
            try:
                bound = wire.parse_date(value, key)
            except wire.PostDataInvalid as exc:
                raise errors.ApiException(f"The value '{value}' is not valid for {key}.") from exc
            records = [r for r in records if keep(r["Date"], bound)]
    records = query.modified_since(ctx, records)
    records = query.order_by(ctx, records, "Date")
    page, pagination = query.paginate(ctx, records, enforced=True)
    return envelope(ctx, "PurchaseOrders", [present(ctx, r) for r in page], pagination=pagination)


def get_purchase_order(ctx: ApiContext) -> Response:
    found = _find(ctx, ctx.params["PurchaseOrderID"])
    if found is None:
        raise errors.NotFound()
    return envelope(ctx, "PurchaseOrders", [present(ctx, found)])


def _write(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> Record:
    record, warnings = prepare(ctx, element, existing)
    apply_number(record, element)
    stored = commit(ctx, record, existing)
    return present(ctx, stored, warnings)


def _upsert(ctx: ApiContext, element: dict[str, Any]) -> Record:
    po_id = text(element, "PurchaseOrderID")
    if po_id and po_id.strip():
        existing = find_record(ctx.org.purchase_orders, "PurchaseOrderID", po_id)
        if existing is None:
            raise errors.element_error(
                f"Purchase order with PurchaseOrderID '{po_id.strip()}' could not be found."
            )
        return _write(ctx, element, existing)
    number = text(element, "PurchaseOrderNumber")
    existing = find_by_number(ctx.org, number) if number and number.strip() else None
    return _write(ctx, element, existing)


def put_purchase_orders(ctx: ApiContext) -> Response:
    return run_batch(ctx, "PurchaseOrders", "PurchaseOrder", lambda e: _write(ctx, e, None))


def post_purchase_orders(ctx: ApiContext) -> Response:
    return run_batch(ctx, "PurchaseOrders", "PurchaseOrder", lambda e: _upsert(ctx, e))


def post_purchase_order(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["PurchaseOrderID"])
    if existing is None:
        raise errors.NotFound()
    return run_batch(ctx, "PurchaseOrders", "PurchaseOrder", lambda e: _write(ctx, e, existing))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/PurchaseOrders/{PurchaseOrderID}", get_purchase_order),
    ApiRoute("POST", "/PurchaseOrders/{PurchaseOrderID}", post_purchase_order),
    ApiRoute("GET", "/PurchaseOrders", list_purchase_orders),
    ApiRoute("PUT", "/PurchaseOrders", put_purchase_orders),
    ApiRoute("POST", "/PurchaseOrders", post_purchase_orders),
]
