"""Pay-item types of a connection: read, replace, add or remove a pay item, delete.

The REST routes (``api.routes_pay_items``) and the dashboard's Pay items page both go through
these functions (and then ``sync.payroll.release_held``, so pay runs held for a missing
mapping are generated again); every one takes the workspace and treats another workspace's
connection as not found. What a type means is ``mapping.pay_items``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping.pay_items import (
    EMPLOYEE,
    SIGNS,
    PayItemRule,
    PayItemType,
    Sign,
    normal,
)
from ledgerlink.store.connections import get_connection
from ledgerlink.store.payroll import PayItemRuleRow, PayItemTypeRow


def _text(value: Any, field: str, longest: int, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LedgerlinkError("VALIDATION_FAILED", f"{field} is required.", field=field)
        return None
    if not isinstance(value, str) or len(value.strip()) > longest:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"{field} must be text of at most {longest} characters.", field
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"{field} must not contain control characters.", field=field
        )
    return value.strip()


def check_rule(data: Any, field: str = "items[0]") -> PayItemRule:
    """One pay item as given (REST body, dashboard form); VALIDATION_FAILED naming the field."""
    if not isinstance(data, dict):
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"{field} must be an object with pay_item, account_code, sign, description.",
            field=field,
        )
    pay_item = _text(data.get("pay_item"), f"{field}.pay_item", 100)
    account = _text(data.get("account_code"), f"{field}.account_code", 10)
    sign = data.get("sign", "+")
    if sign not in SIGNS:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"{field}.sign must be '+' (adds to the payee's bill) or '-' (takes from it).",
            field=f"{field}.sign",
        )
    description = _text(data.get("description"), f"{field}.description", 4000, required=False)
    assert pay_item is not None and account is not None
    return PayItemRule(pay_item, account, sign, description)


def check_type(name: Any, payee: Any, items: Any) -> PayItemType:
    """A type as given; its pay items each once (by ``normal`` name)."""
    checked_name = _text(name, "name", 100)
    if checked_name is not None and "/" in checked_name:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "name must not contain '/' (it is part of the URL).", "name"
        )
    checked_payee = _text(payee, "payee", 255)
    if not isinstance(items, list):
        raise LedgerlinkError("VALIDATION_FAILED", "items must be a list.", field="items")
    rules = tuple(check_rule(item, f"items[{n}]") for n, item in enumerate(items))
    seen: set[str] = set()
    for n, rule in enumerate(rules):
        if normal(rule.pay_item) in seen:
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                f"items[{n}].pay_item {rule.pay_item!r} is in this type twice: a pay item is "
                "in a type once (put it in another type for another payee).",
                field=f"items[{n}].pay_item",
            )
        seen.add(normal(rule.pay_item))
    assert checked_name is not None and checked_payee is not None
    payee_value = EMPLOYEE if checked_payee.casefold() == EMPLOYEE else checked_payee
    return PayItemType(checked_name, payee_value, rules)


def list_types(session: Session, workspace_id: str, connection_id: str) -> list[PayItemType]:
    """The connection's pay-item types by name, each with its pay items by name."""
    get_connection(session, workspace_id, connection_id)
    return types_of(session, connection_id)


def types_of(session: Session, connection_id: str) -> list[PayItemType]:
    """``list_types`` for the worker (the connection is its own)."""
    rows = list(
        session.scalars(
            select(PayItemTypeRow)
            .where(PayItemTypeRow.connection_id == connection_id)
            .order_by(PayItemTypeRow.name)
        )
    )
    rules: dict[str, list[PayItemRule]] = {row.id: [] for row in rows}
    if rows:
        found = session.scalars(
            select(PayItemRuleRow)
            .where(PayItemRuleRow.type_id.in_(list(rules)))
            .order_by(PayItemRuleRow.pay_item_key)
        )
        for rule in found:
            sign: Sign = "+" if rule.sign == "+" else "-"
            rules[rule.type_id].append(
                PayItemRule(rule.pay_item, rule.account_code, sign, rule.description)
            )
    return [PayItemType(row.name, row.payee, tuple(rules[row.id])) for row in rows]


def _find(session: Session, connection_id: str, name: str) -> PayItemTypeRow | None:
    return session.scalars(
        select(PayItemTypeRow).where(
            PayItemTypeRow.connection_id == connection_id, PayItemTypeRow.name == name
        )
    ).one_or_none()


def put_type(
    session: Session,
    workspace_id: str,
    connection_id: str,
    name: Any,
    payee: Any,
    items: Any,
) -> PayItemType:
    """Create the type, or replace its payee and pay items."""
    checked = check_type(name, payee, items)
    get_connection(session, workspace_id, connection_id)
    row = _find(session, connection_id, checked.name)
    if row is None:
        row = PayItemTypeRow(connection_id=connection_id, name=checked.name, payee=checked.payee)
        session.add(row)
        session.flush()
    else:
        row.payee = checked.payee
        session.execute(delete(PayItemRuleRow).where(PayItemRuleRow.type_id == row.id))
    _insert_rules(session, row.id, checked.items)
    return checked


def _insert_rules(session: Session, type_id: str, rules: Sequence[PayItemRule]) -> None:
    for rule in rules:
        session.add(
            PayItemRuleRow(
                type_id=type_id,
                pay_item=rule.pay_item,
                pay_item_key=normal(rule.pay_item),
                account_code=rule.account_code,
                sign=rule.sign,
                description=rule.description,
            )
        )
    session.flush()


def _existing(session: Session, workspace_id: str, connection_id: str, name: str) -> str:
    get_connection(session, workspace_id, connection_id)
    row = _find(session, connection_id, name)
    if row is None:
        raise LedgerlinkError(
            "NOT_FOUND", f"No pay-item type named {name!r} on this connection.", field="name"
        )
    return row.id


def put_rule(
    session: Session, workspace_id: str, connection_id: str, type_name: str, data: Any
) -> PayItemRule:
    """Add a pay item to a type, or replace what it maps to there."""
    rule = check_rule(data, "item")
    type_id = _existing(session, workspace_id, connection_id, type_name)
    session.execute(
        delete(PayItemRuleRow).where(
            PayItemRuleRow.type_id == type_id,
            PayItemRuleRow.pay_item_key == normal(rule.pay_item),
        )
    )
    _insert_rules(session, type_id, [rule])
    return rule


def delete_rule(
    session: Session, workspace_id: str, connection_id: str, type_name: str, pay_item: str
) -> None:
    type_id = _existing(session, workspace_id, connection_id, type_name)
    gone = session.execute(
        delete(PayItemRuleRow)
        .where(PayItemRuleRow.type_id == type_id, PayItemRuleRow.pay_item_key == normal(pay_item))
        .execution_options(synchronize_session=False)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise LedgerlinkError(
            "NOT_FOUND", f"No pay item {pay_item!r} in type {type_name!r}.", field="pay_item"
        )


def delete_type(session: Session, workspace_id: str, connection_id: str, name: str) -> None:
    type_id = _existing(session, workspace_id, connection_id, name)
    session.execute(delete(PayItemRuleRow).where(PayItemRuleRow.type_id == type_id))
    session.execute(delete(PayItemTypeRow).where(PayItemTypeRow.id == type_id))


def as_json(type_: PayItemType) -> dict[str, Any]:
    """A type as the REST API shows it."""
    return {
        "name": type_.name,
        "payee": type_.payee,
        "items": [
            {
                "pay_item": r.pay_item,
                "account_code": r.account_code,
                "sign": r.sign,
                "description": r.description,
            }
            for r in type_.items
        ],
    }
