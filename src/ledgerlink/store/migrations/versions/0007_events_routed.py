"""Xero's webhook events are routed into pulls by the workers: they find the new ones by state;
a poll asks whether webhooks arrive for an organisation lately (tenant, time received).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_xero_events_state", "xero_events", ["state", "id"])
    op.create_index("ix_xero_events_arrived", "xero_events", ["tenant_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_xero_events_arrived", table_name="xero_events")
    op.drop_index("ix_xero_events_state", table_name="xero_events")
