"""The call log keeps what Xero sent back; a queued operation keeps the request that queued it.

``api_calls.response_bytes`` is the size of each reply's body (egress: what a benchmark prices
per document synced and per read). ``queue_items.request_id`` is the ``X-Request-ID`` of the
REST request that pushed the document, so the worker's log line of the Xero call that sends it
carries the same correlation id as the request's own lines.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_calls") as batch:
        batch.add_column(
            sa.Column("response_bytes", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_column("request_id")
    with op.batch_alter_table("api_calls") as batch:
        batch.drop_column("response_bytes")
