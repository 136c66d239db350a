"""Contact groups and their members.

Only ACTIVE groups are returned on GETs (Xero's docs); a group is deleted by POSTing Status
DELETED, after which it is gone from every GET and its members are released. ``GET
/ContactGroups`` lists groups with an empty Contacts list; ``GET /ContactGroups/{id}`` lists the
members (their ContactID and Name). Members are added with ``PUT .../Contacts`` and removed one
at a time or all at once with DELETE (204, no body).

A contact's own ``ContactGroups`` (``GET /Contacts/{id}``) comes from ``groups_of``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import find_record, text
from xero_sandbox.resources.ref_contact_lookup import contact_by_id
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id

MAX_GROUPS = 100
# Xero's own messages: the limit from the createContactGroup example in its OpenAPI spec, the
# duplicate name as reported from Xero (calcinai/xero-php#16), the archived contact likewise
# (calcinai/xero-php#525).
TOO_MANY = "You’ve reached the limit of 100 contact groups."
NAME_TAKEN = "A Contact Group already exists with this name"
ARCHIVED_CONTACT = "Unable to assign an Archived contact."
# UNCONFIRMED: Xero's wording for these.
NAME_REQUIRED = "Contact Group Name is required."
BAD_STATUS = "Contact Group Status must be ACTIVE or DELETED."
NOT_A_MEMBER = "The contact is not a member of this contact group."


def _unknown_contact(value: str) -> str:
    # UNCONFIRMED: Xero's wording; the sentence the sandbox gives for an unknown ContactID.
    return f"The contact with ContactID '{value}' could not be found."


def _active(org: Org) -> list[Record]:
    return [g for g in org.contact_groups.values() if g["Status"] == "ACTIVE"]


def _group_or_404(ctx: ApiContext) -> Record:
    found = find_record(ctx.org.contact_groups, "ContactGroupID", ctx.params["ContactGroupID"])
    if found is None or found["Status"] != "ACTIVE":
        raise errors.NotFound()
    return found


def _summary(group: Record) -> Record:
    return {
        "ContactGroupID": group["ContactGroupID"],
        "Name": group["Name"],
        "Status": group["Status"],
        "Contacts": [],
        "HasValidationErrors": False,
    }


def _member(contact: Record) -> Record:
    """A member as Xero lists one in a group: its id and name, nested lists empty."""
    return {
        "ContactID": contact["ContactID"],
        "Name": contact["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }


def _with_members(org: Org, group: Record) -> Record:
    shown = _summary(group)
    members = [org.contacts[i] for i in group["_members"] if i in org.contacts]
    shown["Contacts"] = [_member(c) for c in sorted(members, key=lambda c: c["Name"].lower())]
    return shown


def groups_of(org: Org, contact_id: str) -> list[Record]:
    """The ACTIVE groups ``contact_id`` belongs to, as a contact's ``ContactGroups`` shows them."""
    groups = [g for g in _active(org) if contact_id in g["_members"]]
    return [_summary(g) for g in sorted(groups, key=lambda g: g["Name"].lower())]


def _name_errors(org: Org, name: str | None, current: Record | None) -> list[str]:
    if name is None or not name.strip():
        return [NAME_REQUIRED]
    wanted = name.strip().lower()
    # UNCONFIRMED: that a deleted group's name is free again (deleted groups are gone from GETs).
    if any(g is not current and g["Name"].strip().lower() == wanted for g in _active(org)):
        return [NAME_TAKEN]
    return []


def list_groups(ctx: ApiContext) -> Response:
    records = [_summary(g) for g in _active(ctx.org)]
    records = query.where_filter(ctx, records)
    return envelope(ctx, "ContactGroups", query.order_by(ctx, records, "Name"))


def get_group(ctx: ApiContext) -> Response:
    return envelope(ctx, "ContactGroups", [_with_members(ctx.org, _group_or_404(ctx))])


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    org = ctx.org
    name = text(element, "Name")
    messages = _name_errors(org, name, None)
    if len(_active(org)) >= MAX_GROUPS:
        messages.append(TOO_MANY)
    if messages:
        raise errors.ElementErrors(messages)
    group: Record = {
        "ContactGroupID": new_id(),
        "Name": (name or "").strip(),
        "Status": "ACTIVE",
        "_members": [],
    }
    org.contact_groups[group["ContactGroupID"]] = group
    return group


def put_groups(ctx: ApiContext) -> Response:
    return run_batch(
        ctx, "ContactGroups", "ContactGroup", lambda e: _create(ctx, e), present=_summary
    )


def _update(ctx: ApiContext, group: Record, element: dict[str, Any]) -> Record:
    messages: list[str] = []
    name = text(element, "Name")
    if name is not None:
        messages += _name_errors(ctx.org, name, group)
    status = text(element, "Status")
    if status is not None and status.strip().upper() not in ("ACTIVE", "DELETED"):
        messages.append(BAD_STATUS)
    if messages:
        raise errors.ElementErrors(messages)
    if name is not None:
        group["Name"] = name.strip()
    if status is not None and status.strip().upper() == "DELETED":
        group["Status"] = "DELETED"
        group["_members"] = []
    return group


def post_group(ctx: ApiContext) -> Response:
    group = _group_or_404(ctx)
    return run_batch(
        ctx, "ContactGroups", "ContactGroup", lambda e: _update(ctx, group, e), present=_summary
    )


def _add_member(ctx: ApiContext, group: Record, element: dict[str, Any]) -> Record:
    value = (text(element, "ContactID") or "").strip()
    contact = contact_by_id(ctx.org, value) if value else None
    if contact is None:
        raise errors.element_error(_unknown_contact(value))
    if contact.get("ContactStatus") == "ARCHIVED":
        raise errors.element_error(ARCHIVED_CONTACT)
    if contact["ContactID"] not in group["_members"]:
        group["_members"].append(contact["ContactID"])
    return _member(contact)


def put_members(ctx: ApiContext) -> Response:
    group = _group_or_404(ctx)
    return run_batch(ctx, "Contacts", "Contact", lambda e: _add_member(ctx, group, e))


def delete_member(ctx: ApiContext) -> Response:
    group = _group_or_404(ctx)
    contact = contact_by_id(ctx.org, ctx.params["ContactID"])
    if contact is None:
        raise errors.NotFound()
    if contact["ContactID"] not in group["_members"]:
        raise errors.ApiException(NOT_A_MEMBER)
    group["_members"].remove(contact["ContactID"])
    return Response(status_code=204)


def delete_members(ctx: ApiContext) -> Response:
    _group_or_404(ctx)["_members"] = []
    return Response(status_code=204)


ROUTES: list[ApiRoute] = [
    ApiRoute("DELETE", "/ContactGroups/{ContactGroupID}/Contacts/{ContactID}", delete_member),
    ApiRoute("PUT", "/ContactGroups/{ContactGroupID}/Contacts", put_members),
    ApiRoute("DELETE", "/ContactGroups/{ContactGroupID}/Contacts", delete_members),
    ApiRoute("GET", "/ContactGroups/{ContactGroupID}", get_group),
    ApiRoute("POST", "/ContactGroups/{ContactGroupID}", post_group),
    ApiRoute("GET", "/ContactGroups", list_groups),
    ApiRoute("PUT", "/ContactGroups", put_groups),
]
