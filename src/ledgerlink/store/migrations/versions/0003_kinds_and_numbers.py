"""Links carry what Xero says beyond the status; connections hand out invoice numbers.

A link keeps the credited amount, the paid date and kind-specific details (a credit note's
allocations, a payment's document) that "Refresh from Xero" and replies bring back. Number
counters and assigned numbers make a connection's invoice sequence: one atomic UPDATE takes a
number, and the number stays with its document for every resend.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("amount_credited", sa.String(40), nullable=True))
        batch.add_column(sa.Column("paid_date", sa.String(10), nullable=True))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "number_counters",
        sa.Column(
            "connection_id",
            sa.String(36),
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("next_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "assigned_numbers",
        sa.Column(
            "document_id",
            sa.String(36),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "connection_id",
            sa.String(36),
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("number", sa.String(255), nullable=False),
        sa.UniqueConstraint("connection_id", "kind", "number"),
    )


def downgrade() -> None:
    op.drop_table("assigned_numbers")
    op.drop_table("number_counters")
    with op.batch_alter_table("links") as batch:
        batch.drop_column("refreshed_at")
        batch.drop_column("details")
        batch.drop_column("paid_date")
        batch.drop_column("amount_credited")
