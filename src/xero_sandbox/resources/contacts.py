"""Contacts: the /Contacts routes, and the lookups shared with the document endpoints.

GET hides archived contacts unless ``includeArchived=true``; ``searchTerm`` looks in the
name, person names, email and the contact, account and company numbers. PUT only creates; POST
updates the contact named by ContactID (or by the path) and creates the others.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.contactgroups import groups_of
from xero_sandbox.resources.ref_common import text
from xero_sandbox.resources.ref_contact_lookup import (
    active_contact_by_name,
    contact_by_id,
    contact_by_number,
    create_contact_from_name,
    find_contact,
    new_contact_record,
)
from xero_sandbox.resources.ref_contact_write import create_contact, update_contact
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

SEARCHED = (
    "Name",
    "FirstName",
    "LastName",
    "EmailAddress",
    "ContactNumber",
    "AccountNumber",
    "CompanyNumber",
)
# What ``summaryOnly=true`` leaves out: Xero documents only "lightweight fields, excluding
# computation-heavy fields" (OpenAPI). Observed against Xero: addresses, phones and the tax number
# go, the email address and bank account details stay; the nested lists and balances go with them.
HEAVY = (
    "Addresses",
    "Phones",
    "TaxNumber",
    "ContactPersons",
    "ContactGroups",
    "PaymentTerms",
    "Balances",
    "BatchPayments",
    "SalesTrackingCategories",
    "PurchasesTrackingCategories",
)


def _summary(record: Record) -> Record:
    return {k: v for k, v in record.items() if k not in HEAVY}


def list_contacts(ctx: ApiContext) -> Response:
    records = list(ctx.org.contacts.values())
    ids = query.guid_list(ctx, "IDs")
    if ids:
        records = [r for r in records if r["ContactID"].lower() in ids]
    if not ctx.query.flag("includeArchived"):
        records = [r for r in records if r.get("ContactStatus") == "ACTIVE"]
    term = (ctx.query.get("searchTerm") or "").strip().lower()
    if term:
        records = [r for r in records if any(term in str(r.get(k) or "").lower() for k in SEARCHED)]
    records = query.modified_since(ctx, records)
    records = query.where_filter(ctx, records)
    records = query.order_by(ctx, records, "Name")
    page, pagination = query.paginate(ctx, records)
    if ctx.query.flag("summaryOnly"):
        page = [_summary(r) for r in page]
    return envelope(ctx, "Contacts", page, pagination=pagination)


def _contact_or_404(ctx: ApiContext) -> Record:
    ref = ctx.params["ContactID"]
    found = contact_by_id(ctx.org, ref) or contact_by_number(ctx.org, ref)
    if found is None:
        raise errors.NotFound()
    return found


def get_contact(ctx: ApiContext) -> Response:
    """One contact, with the groups it belongs to in ``ContactGroups``.

    UNCONFIRMED: that lists leave the field empty, as reported of Xero (dcblogdev/laravel-xero#109).
    """
    contact = _contact_or_404(ctx)
    groups = groups_of(ctx.org, contact["ContactID"])
    return envelope(ctx, "Contacts", [{**contact, "ContactGroups": groups}])


def put_contacts(ctx: ApiContext) -> Response:
    return run_batch(ctx, "Contacts", "Contact", lambda e: create_contact(ctx, e))


def _upsert(ctx: ApiContext, element: dict[str, Any]) -> Record:
    contact_id = text(element, "ContactID")
    if contact_id and contact_id.strip():
        existing = contact_by_id(ctx.org, contact_id)
        if existing is None:
            raise errors.ElementErrors(
                [f"The contact with ContactID '{contact_id.strip()}' could not be found."]
            )
        return update_contact(ctx, existing, element)
    return create_contact(ctx, element)


def post_contacts(ctx: ApiContext) -> Response:
    return run_batch(ctx, "Contacts", "Contact", lambda e: _upsert(ctx, e))


def post_contact(ctx: ApiContext) -> Response:
    existing = _contact_or_404(ctx)
    return run_batch(ctx, "Contacts", "Contact", lambda e: update_contact(ctx, existing, e))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Contacts/{ContactID}", get_contact),
    ApiRoute("POST", "/Contacts/{ContactID}", post_contact),
    ApiRoute("GET", "/Contacts", list_contacts),
    ApiRoute("PUT", "/Contacts", put_contacts),
    ApiRoute("POST", "/Contacts", post_contacts),
]

__all__ = [
    "ROUTES",
    "active_contact_by_name",
    "contact_by_id",
    "contact_by_number",
    "create_contact_from_name",
    "find_contact",
    "new_contact_record",
]
