"""The first schema: workspaces, connections, tokens, documents, queue, intents, limiter.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(36), nullable=False)


def _fk(column: str, target: str, table: str, cascade: bool = True) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=f"fk_{table}_{column}_{referred}",
        ondelete="CASCADE" if cascade else None,
    )


def _identity_tables() -> None:
    op.create_table(
        "workspaces",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("xero_client_id", sa.String(100), nullable=True),
        sa.Column("xero_client_secret_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
    )
    op.create_table(
        "api_keys",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        _fk("workspace_id", "workspaces.id", "api_keys"),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("code_verifier_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        _fk("workspace_id", "workspaces.id", "oauth_states"),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_states"),
    )
    op.create_table(
        "token_sets",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("client_secret_enc", sa.LargeBinary(), nullable=True),
        sa.Column("access_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("refresh_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("auth_event_id", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("workspace_id", "workspaces.id", "token_sets"),
        sa.PrimaryKeyConstraint("id", name="pk_token_sets"),
    )
    op.create_table(
        "connections",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("token_set_id", sa.String(36), nullable=True),
        sa.Column("tenant_id", sa.String(36), nullable=False),
        sa.Column("tenant_name", sa.String(300), nullable=False),
        sa.Column("xero_connection_id", sa.String(36), nullable=True),
        sa.Column("short_code", sa.String(20), nullable=True),
        sa.Column("base_currency", sa.String(3), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("workspace_id", "workspaces.id", "connections"),
        _fk("token_set_id", "token_sets.id", "connections", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint(
            "workspace_id", "tenant_id", name="uq_connections_workspace_id_tenant_id"
        ),
    )


def _reference_tables() -> None:
    op.create_table(
        "reference_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("connection_id", "connections.id", "reference_items"),
        sa.PrimaryKeyConstraint("id", name="pk_reference_items"),
        sa.UniqueConstraint(
            "connection_id", "kind", "key", name="uq_reference_items_connection_id_kind_key"
        ),
    )
    op.create_table(
        "reference_syncs",
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("modified_mark", TS, nullable=True),
        _fk("connection_id", "connections.id", "reference_syncs"),
        sa.PrimaryKeyConstraint("connection_id", "kind", name="pk_reference_syncs"),
    )
    op.create_table(
        "item_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("item_code", sa.String(100), nullable=False),
        sa.Column("usage", sa.String(10), nullable=False),
        sa.Column("account_code", sa.String(10), nullable=True),
        sa.Column("tax_type", sa.String(50), nullable=True),
        _fk("connection_id", "connections.id", "item_overrides"),
        sa.PrimaryKeyConstraint("id", name="pk_item_overrides"),
        sa.UniqueConstraint(
            "connection_id",
            "item_code",
            "usage",
            name="uq_item_overrides_connection_id_item_code_usage",
        ),
    )
    op.create_table(
        "contact_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("contact_key", sa.String(300), nullable=False),
        sa.Column("xero_contact_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        _fk("connection_id", "connections.id", "contact_links"),
        sa.PrimaryKeyConstraint("id", name="pk_contact_links"),
        sa.UniqueConstraint(
            "connection_id", "contact_key", name="uq_contact_links_connection_id_contact_key"
        ),
    )


def _document_tables() -> None:
    op.create_table(
        "documents",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("workspace_id", "workspaces.id", "documents"),
        _fk("connection_id", "connections.id", "documents", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint(
            "workspace_id",
            "kind",
            "source_id",
            name="uq_documents_workspace_id_kind_source_id",
        ),
    )
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("document_id", "documents.id", "document_versions"),
        sa.PrimaryKeyConstraint("id", name="pk_document_versions"),
        sa.UniqueConstraint(
            "document_id", "version", name="uq_document_versions_document_id_version"
        ),
    )
    op.create_table(
        "links",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("xero_id", sa.String(36), nullable=False),
        sa.Column("xero_number", sa.String(255), nullable=True),
        sa.Column("xero_type", sa.String(20), nullable=True),
        sa.Column("xero_status", sa.String(20), nullable=True),
        sa.Column("amount_due", sa.String(40), nullable=True),
        sa.Column("amount_paid", sa.String(40), nullable=True),
        sa.Column("total", sa.String(40), nullable=True),
        sa.Column("pushed_version", sa.Integer(), nullable=False),
        sa.Column("pushed_hash", sa.String(64), nullable=True),
        sa.Column("line_item_ids", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _fk("document_id", "documents.id", "links"),
        _fk("connection_id", "connections.id", "links", cascade=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_links"),
    )
    op.create_index("ix_links_xero_id", "links", ["xero_id"])


def _work_tables() -> None:
    op.create_table(
        "send_intents",
        _id(),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _fk("connection_id", "connections.id", "send_intents", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_send_intents"),
        sa.UniqueConstraint("idempotency_key", name="uq_send_intents_idempotency_key"),
    )
    op.create_table(
        "sync_jobs",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _fk("workspace_id", "workspaces.id", "sync_jobs"),
        _fk("connection_id", "connections.id", "sync_jobs", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_jobs"),
    )
    op.create_table(
        "queue_items",
        _id(),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", TS, nullable=False),
        sa.Column("intent_id", sa.String(36), nullable=True),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("error_code", sa.String(60), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_field", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("workspace_id", "workspaces.id", "queue_items"),
        _fk("connection_id", "connections.id", "queue_items", cascade=False),
        _fk("document_id", "documents.id", "queue_items"),
        _fk("intent_id", "send_intents.id", "queue_items", cascade=False),
        _fk("job_id", "sync_jobs.id", "queue_items", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_queue_items"),
    )
    op.create_index("ix_queue_claim", "queue_items", ["state", "connection_id", "not_before"])
    op.create_index("ix_queue_document", "queue_items", ["document_id"])
    op.create_table(
        "leases",
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        _fk("connection_id", "connections.id", "leases"),
        sa.PrimaryKeyConstraint("connection_id", name="pk_leases"),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(150), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.Column("remaining_hint", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_rate_buckets"),
    )
    op.create_table(
        "api_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(36), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_calls"),
    )
    op.create_index("ix_api_calls_connection", "api_calls", ["connection_id", "at"])


def upgrade() -> None:
    _identity_tables()
    _reference_tables()
    _document_tables()
    _work_tables()


def downgrade() -> None:
    for table in (
        "api_calls",
        "rate_buckets",
        "leases",
        "queue_items",
        "sync_jobs",
        "send_intents",
        "links",
        "document_versions",
        "documents",
        "contact_links",
        "item_overrides",
        "reference_syncs",
        "reference_items",
        "connections",
        "token_sets",
        "oauth_states",
        "api_keys",
        "workspaces",
    ):
        op.drop_table(table)
