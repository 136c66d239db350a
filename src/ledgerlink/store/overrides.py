"""Item overrides: per item code and usage (sales or purchase), the account code and tax type
its lines take on one connection, between a line's own code and the connection's defaults.

The REST routes (``api.routes_overrides``) and the dashboard's Mappings page both go through
these functions; every one takes the workspace and treats another workspace's connection as
not found.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.connections import get_connection
from ledgerlink.store.models import ItemOverride

USAGES = ("sales", "purchase")
MAX_ITEM_CODE = 100


def check_key(usage: str, item_code: str) -> None:
    """An override is found by its usage and item code: both must be usable."""
    if usage not in USAGES:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"usage must be one of {', '.join(USAGES)}.", field="usage"
        )
    if not item_code or len(item_code) > MAX_ITEM_CODE:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"item_code must be 1 to {MAX_ITEM_CODE} characters long.",
            field="item_code",
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in item_code):
        raise LedgerlinkError(
            "VALIDATION_FAILED", "item_code must not contain control characters.", field="item_code"
        )


def list_overrides(session: Session, workspace_id: str, connection_id: str) -> list[ItemOverride]:
    """The connection's item overrides, by usage and item code."""
    get_connection(session, workspace_id, connection_id)
    query = (
        select(ItemOverride)
        .where(ItemOverride.connection_id == connection_id)
        .order_by(ItemOverride.usage, ItemOverride.item_code)
    )
    return list(session.scalars(query))


def find_override(
    session: Session, connection_id: str, usage: str, item_code: str
) -> ItemOverride | None:
    return session.scalars(
        select(ItemOverride)
        .where(
            ItemOverride.connection_id == connection_id,
            ItemOverride.usage == usage,
            ItemOverride.item_code == item_code,
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


def put_override(
    session: Session,
    workspace_id: str,
    connection_id: str,
    usage: str,
    item_code: str,
    account_code: str | None,
    tax_type: str | None,
) -> ItemOverride:
    """Set what the item's lines take (replacing what was set): at least one of the two.

    One statement, so two people saving the same item at once leave one row, not an error.
    """
    check_key(usage, item_code)
    if account_code is None and tax_type is None:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "Give account_code, tax_type or both (to remove the override, DELETE it).",
            field="account_code",
        )
    get_connection(session, workspace_id, connection_id)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"account_code": account_code, "tax_type": tax_type}
    session.execute(
        insert(ItemOverride)
        .values(connection_id=connection_id, item_code=item_code, usage=usage, **values)
        .on_conflict_do_update(
            index_elements=[ItemOverride.connection_id, ItemOverride.item_code, ItemOverride.usage],
            set_=values,
        )
    )
    row = find_override(session, connection_id, usage, item_code)
    assert row is not None
    return row


def delete_override(
    session: Session, workspace_id: str, connection_id: str, usage: str, item_code: str
) -> None:
    """Remove the override: the item's lines fall back to Xero's item or the default."""
    check_key(usage, item_code)
    get_connection(session, workspace_id, connection_id)
    gone = session.execute(
        delete(ItemOverride)
        .where(
            ItemOverride.connection_id == connection_id,
            ItemOverride.usage == usage,
            ItemOverride.item_code == item_code,
        )
        .execution_options(synchronize_session=False)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise LedgerlinkError(
            "NOT_FOUND",
            f"No {usage} override for item {item_code} on this connection.",
            field="item_code",
        )
