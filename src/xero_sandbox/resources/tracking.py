"""Tracking categories and their options.

Xero allows at most 2 ACTIVE categories and 4 in all (active and archived). A category or an
option that a document line uses cannot be deleted, only archived. Archived categories (and
archived options) are listed only with ``includeArchived=true``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import single_write, text, too_long, tracking_used
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id

MAX_ACTIVE = 2
MAX_TOTAL = 4
MAX_OPTIONS = 100
TOO_MANY_ACTIVE = "An organisation can have a maximum of 2 active tracking categories."
TOO_MANY_TOTAL = (
    "An organisation can have a maximum of 4 tracking categories (active and archived)."
)


def _category_or_404(ctx: ApiContext) -> Record:
    wanted = ctx.params["TrackingCategoryID"].strip().lower()
    found = next(
        (
            c
            for c in ctx.org.tracking_categories.values()
            if c["TrackingCategoryID"].lower() == wanted
        ),
        None,
    )
    if found is None:
        raise errors.NotFound()
    return found


def _option_or_404(category: Record, option_id: str) -> Record:
    wanted = option_id.strip().lower()
    found = next((o for o in category["Options"] if o["TrackingOptionID"].lower() == wanted), None)
    if found is None:
        raise errors.NotFound()
    return found


def _active_count(org: Org) -> int:
    return sum(1 for c in org.tracking_categories.values() if c["Status"] == "ACTIVE")


def _name_errors(org: Org, name: str | None, current: Record | None) -> list[str]:
    if name is None or not name.strip():
        return ["Tracking category Name is required."]
    messages = too_long(name.strip(), 100, "Name")
    wanted = name.strip().lower()
    if any(
        c is not current and c["Name"].strip().lower() == wanted
        for c in org.tracking_categories.values()
    ):
        messages.append(f"A tracking category with the name '{name.strip()}' already exists.")
    return messages


def _shown(category: Record, include_archived: bool) -> Record:
    shown = dict(category)
    shown["Options"] = [
        o for o in category["Options"] if include_archived or o["Status"] == "ACTIVE"
    ]
    return shown


def _set_option_status(option: Record, status: str) -> None:
    option["Status"] = status
    option["IsActive"] = status == "ACTIVE"
    option["IsArchived"] = status == "ARCHIVED"
    option["IsDeleted"] = status == "DELETED"


def list_categories(ctx: ApiContext) -> Response:
    include = ctx.query.flag("includeArchived")
    records = [
        _shown(c, include)
        for c in ctx.org.tracking_categories.values()
        if include or c["Status"] == "ACTIVE"
    ]
    records = query.where_filter(ctx, records)
    return envelope(ctx, "TrackingCategories", query.order_by(ctx, records, "Name"))


def get_category(ctx: ApiContext) -> Response:
    return envelope(ctx, "TrackingCategories", [_shown(_category_or_404(ctx), True)])


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    org = ctx.org
    name = text(element, "Name")
    messages = _name_errors(org, name, None)
    if len(org.tracking_categories) >= MAX_TOTAL:
        messages.append(TOO_MANY_TOTAL)
    elif _active_count(org) >= MAX_ACTIVE:
        messages.append(TOO_MANY_ACTIVE)
    if messages:
        raise errors.ElementErrors(messages)
    record: Record = {
        "TrackingCategoryID": new_id(),
        "Name": (name or "").strip(),
        "Status": "ACTIVE",
        "Options": [],
    }
    org.tracking_categories[record["TrackingCategoryID"]] = record
    return record


def _update(ctx: ApiContext, category: Record, element: dict[str, Any]) -> Record:
    org = ctx.org
    messages: list[str] = []
    name = text(element, "Name")
    if name is not None:
        messages += _name_errors(org, name, category)
    status = text(element, "Status")
    if status is not None:
        status = status.upper()
        if status not in ("ACTIVE", "ARCHIVED"):
            messages.append("Tracking category Status must be ACTIVE or ARCHIVED.")
        elif (
            status == "ACTIVE"
            and category["Status"] != "ACTIVE"
            and _active_count(org) >= MAX_ACTIVE
        ):
            messages.append(TOO_MANY_ACTIVE)
    if messages:
        raise errors.ElementErrors(messages)
    if name is not None:
        category["Name"] = name.strip()
    if status is not None:
        category["Status"] = status
    return category


def put_category(ctx: ApiContext) -> Response:
    return single_write(ctx, "TrackingCategories", "TrackingCategory", lambda e: _create(ctx, e))


def post_category(ctx: ApiContext) -> Response:
    category = _category_or_404(ctx)
    return single_write(
        ctx, "TrackingCategories", "TrackingCategory", lambda e: _update(ctx, category, e)
    )


def _refuse_delete(record: Record, message: str) -> errors.ApiException:
    shown = dict(record)
    shown["ValidationErrors"] = [{"Message": message}]
    return errors.validation_exception([shown])


def delete_category(ctx: ApiContext) -> Response:
    category = _category_or_404(ctx)
    if tracking_used(ctx.org, category):
        raise _refuse_delete(
            category,
            f"The tracking category '{category['Name']}' has been used and cannot be deleted. "
            "Archive it instead.",
        )
    del ctx.org.tracking_categories[category["TrackingCategoryID"]]
    category["Status"] = "DELETED"
    return envelope(ctx, "TrackingCategories", [dict(category, Options=[])])


def _option_name_errors(category: Record, name: str | None, current: Record | None) -> list[str]:
    if name is None or not name.strip():
        return ["Tracking option Name is required."]
    messages = too_long(name.strip(), 100, "Name")
    wanted = name.strip().lower()
    if any(
        o is not current and o["Status"] != "DELETED" and o["Name"].strip().lower() == wanted
        for o in category["Options"]
    ):
        messages.append(f"A tracking option with the name '{name.strip()}' already exists.")
    return messages


def _add_option(category: Record, element: dict[str, Any]) -> Record:
    name = text(element, "Name")
    messages = _option_name_errors(category, name, None)
    active = sum(1 for o in category["Options"] if o["Status"] == "ACTIVE")
    if active >= MAX_OPTIONS:
        messages.append("A tracking category can have a maximum of 100 active options.")
    if messages:
        raise errors.ElementErrors(messages)
    option: Record = {
        "TrackingOptionID": new_id(),
        "Name": (name or "").strip(),
        "Status": "ACTIVE",
        "HasValidationErrors": False,
        "IsDeleted": False,
        "IsArchived": False,
        "IsActive": True,
    }
    category["Options"].append(option)
    return option


def put_options(ctx: ApiContext) -> Response:
    category = _category_or_404(ctx)
    return run_batch(ctx, "Options", "TrackingOption", lambda e: _add_option(category, e))


def _update_option(category: Record, option: Record, element: dict[str, Any]) -> Record:
    messages: list[str] = []
    name = text(element, "Name")
    if name is not None:
        messages += _option_name_errors(category, name, option)
    status = text(element, "Status")
    if status is not None and status.upper() not in ("ACTIVE", "ARCHIVED"):
        messages.append("Tracking option Status must be ACTIVE or ARCHIVED.")
    if messages:
        raise errors.ElementErrors(messages)
    if name is not None:
        option["Name"] = name.strip()
    if status is not None:
        _set_option_status(option, status.upper())
    return option


def post_option(ctx: ApiContext) -> Response:
    category = _category_or_404(ctx)
    option = _option_or_404(category, ctx.params["TrackingOptionID"])
    return single_write(
        ctx, "Options", "TrackingOption", lambda e: _update_option(category, option, e)
    )


def delete_option(ctx: ApiContext) -> Response:
    category = _category_or_404(ctx)
    option = _option_or_404(category, ctx.params["TrackingOptionID"])
    if tracking_used(ctx.org, category, option):
        raise _refuse_delete(
            option,
            f"The tracking option '{option['Name']}' has been used and cannot be deleted. "
            "Archive it instead.",
        )
    category["Options"].remove(option)
    _set_option_status(option, "DELETED")
    return envelope(ctx, "Options", [option])


ROUTES: list[ApiRoute] = [
    ApiRoute(
        "POST", "/TrackingCategories/{TrackingCategoryID}/Options/{TrackingOptionID}", post_option
    ),
    ApiRoute(
        "DELETE",
        "/TrackingCategories/{TrackingCategoryID}/Options/{TrackingOptionID}",
        delete_option,
    ),
    ApiRoute("PUT", "/TrackingCategories/{TrackingCategoryID}/Options", put_options),
    ApiRoute("GET", "/TrackingCategories/{TrackingCategoryID}", get_category),
    ApiRoute("POST", "/TrackingCategories/{TrackingCategoryID}", post_category),
    ApiRoute("DELETE", "/TrackingCategories/{TrackingCategoryID}", delete_category),
    ApiRoute("GET", "/TrackingCategories", list_categories),
    ApiRoute("PUT", "/TrackingCategories", put_category),
]
