"""Queue items count waits apart from attempts; jobs and intents know the worker behind them.

``waits`` grows the back-off of an item that waits on Xero (down, slow, its budget spent)
without using up the attempts that only a document's own errors spend. A job's ``owner`` lets
a job whose worker died be told apart from a live one (it is ended when its lease is gone); an
intent's ``owner`` tells a worker that took a dead one's organisation over that the send may
still be in Xero's hands, so it is not replayed before Xero is done with it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("waits", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("sync_jobs") as batch:
        batch.add_column(sa.Column("owner", sa.String(100), nullable=True))
    with op.batch_alter_table("send_intents") as batch:
        batch.add_column(sa.Column("owner", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("send_intents") as batch:
        batch.drop_column("owner")
    with op.batch_alter_table("sync_jobs") as batch:
        batch.drop_column("owner")
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_column("waits")
