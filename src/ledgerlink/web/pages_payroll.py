"""Payroll: a connection's pay-item types (the payroll's "Financial Accounting Mapping": a type
with a payee, its pay items each with a Xero account, a sign and a description), "Generate"
with the pay run chooser, and the record of every generation.

Every change goes through ``store.pay_items`` and then ``sync.payroll.release_held``, as the
REST routes do, so a pay run held for a missing mapping is generated once it is mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping.pay_items import EMPLOYEE
from ledgerlink.store import connections as conns
from ledgerlink.store import pay_items
from ledgerlink.store.db import transaction
from ledgerlink.sync import payroll
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, services
from ledgerlink.web.render import go, page
from ledgerlink.web.xero_lists import xero_lists

router = APIRouter(include_in_schema=False)
ACCOUNTS = "purchase"  # bills' lines: expense or liability accounts (web.xero_lists)


@dataclass(frozen=True)
class Refused:
    """A form that was refused: which one (``form``: "type", or the type's name), what was
    posted (shown again) and why."""

    form: str
    posted: dict[str, str]
    error: LedgerlinkError


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _back(connection_id: str) -> str:
    return f"/payroll?connection={connection_id}"


def _label(choices: list[Any], value: str) -> str:
    return next((str(c.label) for c in choices if c.value == value), value)


def _payroll_page(
    request: Request, who: Person, connection_id: str, refused: Refused | None = None
) -> Response:
    with services(request).factory() as session:
        listed = conns.list_connections(session, who.workspace_id)
        context: dict[str, Any] = {
            "connections": [(c.id, c.tenant_name or c.tenant_id) for c in listed],
            "error": refused.error if refused else None,
            "refused": refused,
            "employee": EMPLOYEE,
        }
        if not connection_id and listed:
            connection_id = listed[0].id
        if connection_id:
            row = conns.get_connection(session, who.workspace_id, connection_id)
            lists = xero_lists(session, row.id)
            accounts = lists.accounts[ACCOUNTS]
            types = pay_items.list_types(session, who.workspace_id, row.id)
            context.update(
                connection=row,
                lists=lists,
                accounts=accounts,
                types=[
                    {
                        "name": t.name,
                        "payee": t.payee,
                        "rules": [
                            {**vars(r), "account": _label(accounts, r.account_code)}
                            for r in t.items
                        ],
                    }
                    for t in types
                ],
                pay_runs=payroll.pay_runs(session, who.workspace_id, row.id),
                generations=payroll.generations(session, who.workspace_id, row.id),
            )
    status = refused.error.http_status if refused else 200
    return page(request, "payroll.html", context, status=status)


@router.get("/payroll")
def payroll_page(request: Request, who: Viewer, connection: str = "") -> Response:
    return _payroll_page(request, who, connection)


def _released(request: Request, connection_id: str) -> None:
    payroll.release_held(services(request).factory, connection_id, datetime.now(UTC))


@router.post("/payroll/types")
async def add_type(request: Request, who: Editor) -> Response:
    """Add a pay-item type (no pay items yet): its name and its payee."""
    form = await check_form(request, who)
    posted = {n: _field(form, n) for n in ("connection", "name", "payee_kind", "payee_name")}
    payee = EMPLOYEE if posted["payee_kind"] != "contact" else posted["payee_name"]
    try:
        with transaction(services(request).factory) as session:
            found = pay_items.list_types(session, who.workspace_id, posted["connection"])
            if any(t.name == posted["name"] for t in found):
                raise LedgerlinkError(
                    "VALIDATION_FAILED",
                    f"A type named {posted['name']!r} is already on this connection.",
                    field="name",
                    advice="Give the new type another name, or add pay items to that one.",
                )
            pay_items.put_type(
                session, who.workspace_id, posted["connection"], posted["name"], payee, []
            )
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        return _payroll_page(request, who, posted["connection"], Refused("type", posted, exc))
    return go(_back(posted["connection"]), "saved")


@router.post("/payroll/types/delete")
async def delete_type(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    connection_id, name = _field(form, "connection"), _field(form, "type")
    with transaction(services(request).factory) as session:
        pay_items.delete_type(session, who.workspace_id, connection_id, name)
    return go(_back(connection_id), "removed")


@router.post("/payroll/pay-items")
async def save_pay_item(request: Request, who: Editor) -> Response:
    """Add a pay item to a type (or change what it maps to there)."""
    form = await check_form(request, who)
    names = ("connection", "type", "pay_item", "account_code", "sign", "description")
    posted = {n: _field(form, n) for n in names}
    data = {n: posted[n] or None for n in ("pay_item", "account_code", "sign", "description")}
    try:
        with transaction(services(request).factory) as session:
            pay_items.put_rule(
                session, who.workspace_id, posted["connection"], posted["type"], data
            )
    except LedgerlinkError as exc:
        if exc.code == "CONNECTION_NOT_FOUND":
            raise
        error = LedgerlinkError(
            exc.code, exc.message, field=(exc.field or "").removeprefix("item."), advice=exc.fix
        )
        refused = Refused(posted["type"], posted, error)
        return _payroll_page(request, who, posted["connection"], refused)
    _released(request, posted["connection"])
    return go(_back(posted["connection"]), "saved")


@router.post("/payroll/pay-items/delete")
async def delete_pay_item(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    connection_id = _field(form, "connection")
    with transaction(services(request).factory) as session:
        pay_items.delete_rule(
            session, who.workspace_id, connection_id, _field(form, "type"), _field(form, "pay_item")
        )
    return go(_back(connection_id), "removed")


@router.post("/payroll/generate")
async def generate(request: Request, who: Editor) -> Response:
    """Generate the chosen pay run's bills (the worker does it; the record shows it)."""
    form = await check_form(request, who)
    connection_id = _field(form, "connection")
    payroll.request_generation(
        services(request).factory,
        who.workspace_id,
        connection_id,
        _field(form, "pay_run"),
        datetime.now(UTC),
    )
    return go(_back(connection_id), "generating")
