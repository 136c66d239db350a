"""Payroll: each connection's pay-item types with their pay items (account code, sign,
description), and the record of every generation of a pay run's bills.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TS = sa.DateTime(timezone=True)


def _fk(column: str, target: str, table: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{referred}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "pay_item_types",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("payee", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("connection_id", "connections.id", "pay_item_types"),
        sa.PrimaryKeyConstraint("id", name="pk_pay_item_types"),
        sa.UniqueConstraint("connection_id", "name", name="uq_pay_item_types_connection_id_name"),
    )
    op.create_table(
        "pay_item_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type_id", sa.String(36), nullable=False),
        sa.Column("pay_item", sa.String(100), nullable=False),
        sa.Column("pay_item_key", sa.String(100), nullable=False),
        sa.Column("account_code", sa.String(10), nullable=False),
        sa.Column("sign", sa.String(1), nullable=False),
        sa.Column("description", sa.String(4000), nullable=True),
        _fk("type_id", "pay_item_types.id", "pay_item_rules"),
        sa.PrimaryKeyConstraint("id", name="pk_pay_item_rules"),
        sa.UniqueConstraint(
            "type_id", "pay_item_key", name="uq_pay_item_rules_type_id_pay_item_key"
        ),
    )
    op.create_table(
        "pay_run_generations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(60), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("bills", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("connection_id", "connections.id", "pay_run_generations"),
        _fk("document_id", "documents.id", "pay_run_generations"),
        sa.PrimaryKeyConstraint("id", name="pk_pay_run_generations"),
    )
    op.create_index(
        "ix_pay_run_generations_connection",
        "pay_run_generations",
        ["connection_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_pay_run_generations_connection", table_name="pay_run_generations")
    for table in ("pay_run_generations", "pay_item_rules", "pay_item_types"):
        op.drop_table(table)
