"""The way back: Xero's webhook events, pull items, poll marks, and the source app's events.

``xero_events`` stores each event of a Xero webhook delivery once (by a key over its fields)
before the delivery is answered; ``pull_items`` are the linked resources to read back, one row
per connection and Xero id; ``poll_marks`` say how far each connection's poll of a kind has
read. ``events`` is what the source app hears of (its feed's cursor is the id), sent to its
``endpoints`` with each attempt in ``deliveries``. A link keeps Xero's ``UpdatedDateUTC`` of
what it last wrote (an older read changes nothing); a workspace's own Xero app keeps its
webhook key, encrypted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("xero_webhook_key_enc", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("xero_updated_at", TS, nullable=True))
    op.create_table(
        "xero_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receiver", sa.String(36), nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(36), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("event_type", sa.String(30), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("event_date", sa.String(40), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_xero_events_dedupe_key")),
    )
    op.create_index("ix_xero_events_resource", "xero_events", ["tenant_id", "resource_id"])
    op.create_table(
        "pull_items",
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("xero_id", sa.String(36), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_pull_items_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_pull_items_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("connection_id", "xero_id", name=op.f("pk_pull_items")),
    )
    op.create_index("ix_pull_items_due", "pull_items", ["connection_id", "not_before"])
    op.create_table(
        "poll_marks",
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("modified_since", TS, nullable=True),
        sa.Column("next_at", TS, nullable=False),
        sa.Column("polled_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_poll_marks_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("connection_id", "kind", name=op.f("pk_poll_marks")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_workspace", "events", ["workspace_id", "id"])
    op.create_table(
        "endpoints",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("delivered_through", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_endpoints_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endpoints")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("endpoint_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("note", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.id"],
            name=op.f("fk_deliveries_endpoint_id_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index("ix_deliveries_endpoint", "deliveries", ["endpoint_id", "event_id"])


def downgrade() -> None:
    for table in ("deliveries", "endpoints", "events", "poll_marks", "pull_items", "xero_events"):
        op.drop_table(table)
    with op.batch_alter_table("links") as batch:
        batch.drop_column("xero_updated_at")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("xero_webhook_key_enc")
