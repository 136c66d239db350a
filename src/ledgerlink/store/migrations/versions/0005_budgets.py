"""The limiter decides in one statement; a workspace's own Xero app says its pricing tier.

``rate_buckets`` keeps one row per organisation of an app (minute, day, calls in flight) and one
per app, instead of a row per limit and per concurrency slot, so taking a call is a single
``UPDATE ... RETURNING``: the calls in flight become a count with an expiry and an epoch, and
the day limit the tier gave is kept for the budget views. The old rows are dropped: they held
only the current minute's spacing and the day's count, which Xero's X-DayLimit-Remaining puts
back on the next reply. ``workspaces.xero_app_tier`` is the tier of the workspace's own app
(Starter's 1,000 calls a day per organisation; null: the other tiers' 5,000).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM rate_buckets")
    with op.batch_alter_table("rate_buckets") as batch:
        batch.add_column(sa.Column("in_flight", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("in_flight_until", sa.Float(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("slot_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("day_limit", sa.Integer(), nullable=True))
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("xero_app_tier", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("xero_app_tier")
    op.execute("DELETE FROM rate_buckets")
    with op.batch_alter_table("rate_buckets") as batch:
        batch.drop_column("day_limit")
        batch.drop_column("slot_epoch")
        batch.drop_column("in_flight_until")
        batch.drop_column("in_flight")
