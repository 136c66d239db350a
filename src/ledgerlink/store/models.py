"""The tables: one schema for SQLite (embedded) and PostgreSQL (scale-out).

Every row a person may need to see (queue items, intents, links, jobs) is a plain row, so the
CLI, the REST API and the dashboard read the same truth. Secrets are stored only encrypted
(columns ending ``_enc``), sealed with the row's identity as associated data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class DateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware UTC in Python and plain UTC in the database.

    SQLite keeps a datetime as text without its offset: without this, an aware local time would
    be stored as wall time, and values would read back naive and fail to compare with now().
    """

    impl = _DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=timezone)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Named constraints, so later migrations (batch mode on SQLite) can find them by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Workspace(Base):
    """One customer of the source app. Nothing crosses workspaces."""

    __tablename__ = "workspaces"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    xero_client_id: Mapped[str | None] = mapped_column(String(100))
    xero_client_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    xero_app_tier: Mapped[str | None] = mapped_column(String(20))  # see sync.limiter's tiers
    # The webhook key Xero shows for that app: its receiver verifies deliveries with it.
    xero_webhook_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """A source app's key for one workspace; only its hash is kept."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="default")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthState(Base):
    """A connect attempt in progress: the state and PKCE verifier until the callback."""

    __tablename__ = "oauth_states"
    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(100))
    redirect_uri: Mapped[str] = mapped_column(Text)
    code_verifier_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # Where the person goes once connected: a dashboard path; None: the callback's own page.
    return_to: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenSet(Base):
    """One consent's tokens, shared by every organisation it covered (Xero rotates them all).

    ``version`` grows on every refresh; a refresh is done under a row lock so that only one
    worker spends a refresh token, and the new tokens are committed before they are used.
    """

    __tablename__ = "token_sets"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="oauth")  # oauth | custom
    # A custom connection's own client secret (client credentials); None for oauth sets.
    client_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scopes: Mapped[str] = mapped_column(Text, default="")
    auth_event_id: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | needs_reauth
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Connection(Base):
    """One workspace's link to one Xero organisation, with its settings."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("workspace_id", "tenant_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_set_id: Mapped[str | None] = mapped_column(ForeignKey("token_sets.id"))
    tenant_id: Mapped[str] = mapped_column(String(36))
    tenant_name: Mapped[str] = mapped_column(String(300), default="")
    xero_connection_id: Mapped[str | None] = mapped_column(String(36))
    short_code: Mapped[str | None] = mapped_column(String(20))
    base_currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="active")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReferenceItem(Base):
    """Cached reference data: accounts, tax rates, currencies, contacts, tracking, items."""

    __tablename__ = "reference_items"
    __table_args__ = (UniqueConstraint("connection_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReferenceSync(Base):
    """When each kind of reference data was last fetched, and the If-Modified-Since mark."""

    __tablename__ = "reference_syncs"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified_mark: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ItemOverride(Base):
    """Per product/item account code and tax type, between a line's own and the defaults."""

    __tablename__ = "item_overrides"
    __table_args__ = (UniqueConstraint("connection_id", "item_code", "usage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(100))
    usage: Mapped[str] = mapped_column(String(10))  # sales | purchase
    account_code: Mapped[str | None] = mapped_column(String(10))
    tax_type: Mapped[str | None] = mapped_column(String(50))


class ContactLink(Base):
    """A source contact's stable key and the Xero contact it became, so none is made twice."""

    __tablename__ = "contact_links"
    __table_args__ = (UniqueConstraint("connection_id", "contact_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    contact_key: Mapped[str] = mapped_column(String(300))
    xero_contact_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300), default="")


class Document(Base):
    """A source document, keyed by (workspace, kind, source id)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "source_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    kind: Mapped[str] = mapped_column(String(30))  # a name in ledgerlink.kinds
    source_id: Mapped[str] = mapped_column(String(200))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentVersion(Base):
    """Every accepted change of a document, with its content hash."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Link(Base):
    """A document's counterpart in Xero (the "Xero stamp")."""

    __tablename__ = "links"
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    xero_id: Mapped[str] = mapped_column(String(36), index=True)
    xero_number: Mapped[str | None] = mapped_column(String(255))
    xero_type: Mapped[str | None] = mapped_column(String(20))
    xero_status: Mapped[str | None] = mapped_column(String(20))
    amount_due: Mapped[str | None] = mapped_column(String(40))
    amount_paid: Mapped[str | None] = mapped_column(String(40))
    total: Mapped[str | None] = mapped_column(String(40))
    pushed_version: Mapped[int] = mapped_column(Integer, default=0)
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    line_item_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(Text)
    # What "Refresh from Xero" and the replies bring back besides the status.
    amount_credited: Mapped[str | None] = mapped_column(String(40))
    paid_date: Mapped[str | None] = mapped_column(String(10))
    # Kind-specific facts of Xero's record: a credit note's allocations made, a payment's
    # document and account.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Xero's UpdatedDateUTC of the record last written here: an older read changes nothing.
    xero_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NumberCounter(Base):
    """A connection's invoice number sequence: the next number handed out, one row per kind.

    Taken with one atomic UPDATE, so two workers never hand out the same number."""

    __tablename__ = "number_counters"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class AssignedNumber(Base):
    """The number a document was given from its connection's sequence, kept for every resend."""

    __tablename__ = "assigned_numbers"
    __table_args__ = (UniqueConstraint("connection_id", "kind", "number"),)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(255))


class QueueItem(Base):
    """One pending operation a person can see: state, attempts, last error."""

    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_claim", "state", "connection_id", "not_before"),
        Index("ix_queue_document", "document_id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(20), default="push")
    # queued | in_flight | done | failed | needs_attention | superseded | dismissed
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Times it waited on Xero (down, a 429, our budget): grows the back-off, spends no attempt.
    waits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    intent_id: Mapped[str | None] = mapped_column(ForeignKey("send_intents.id"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("sync_jobs.id"))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(200))
    # The X-Request-ID of the REST request that queued it: the worker logs the Xero call that
    # sends the document under the same id (None: queued by the engine itself, or the CLI).
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Lease(Base):
    """Which worker drives which connection, until when (one worker per connection)."""

    __tablename__ = "leases"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SendIntent(Base):
    """Written and committed before a write is sent to Xero; its key is the Idempotency-Key.

    state, one of:

    - ``pending``: about to be sent, or sent with the reply unknown (lost, a 5xx, the worker
      died). Replayed with the same key while young, else settled by looking the documents up.
    - ``lookup``: Xero refused the whole request (a 400), which may have been partly applied;
      settled only by looking the documents up, never by sending it again.
    - ``applied``: Xero's reply to the send or to a replay was recorded.
    - ``resolved``: a ``pending`` or ``lookup`` intent settled by a lookup.
    - ``abandoned``: the send failed with nothing applied (a 429, a request that never left,
      tokens refused); its items wait for a retry under a new intent, or for a person.

    ``pending`` and ``lookup`` are open: their items keep the intent and are not sent anew.
    """

    __tablename__ = "send_intents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    document_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    # The worker that sent it: another worker does not replay it while Xero may still be on it.
    owner: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncJob(Base):
    """One run, on demand or scheduled, grouping queue items, with counts and a log."""

    __tablename__ = "sync_jobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    connection_id: Mapped[str | None] = mapped_column(ForeignKey("connections.id"))
    kind: Mapped[str] = mapped_column(String(30), default="push")
    state: Mapped[str] = mapped_column(String(20), default="running")
    # The worker running it; a running job whose owner holds no live lease is reaped.
    owner: Mapped[str | None] = mapped_column(String(100))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    log: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RateBucket(Base):
    """Shared limiter state (``sync.limiter``), one row per organisation and one per app.

    key: ``tenant:<tenant>`` or ``app:<client>``. ``tat``: the minute's GCRA time;
    ``count`` and ``window_start``: the day's calls and when its window began; ``in_flight``,
    ``in_flight_until`` and ``slot_epoch``: calls in flight, when that count goes stale (its
    workers were killed) and which generation of slots it counts; ``blocked_until``: a 429's
    Retry-After; ``remaining_hint``: Xero's last X-DayLimit-Remaining (the app's
    X-AppMinLimit-Remaining); ``day_limit``: the app tier's calls a day, as last used.
    """

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(150), primary_key=True)
    tat: Mapped[float] = mapped_column(Float, default=0.0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[float] = mapped_column(Float, default=0.0)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    remaining_hint: Mapped[int | None] = mapped_column(Integer)
    in_flight: Mapped[int] = mapped_column(Integer, default=0)
    in_flight_until: Mapped[float] = mapped_column(Float, default=0.0)
    slot_epoch: Mapped[int] = mapped_column(Integer, default=0)
    day_limit: Mapped[int | None] = mapped_column(Integer)


class ApiCall(Base):
    """Every call made to Xero, for the "API calls used" figures and the dashboard."""

    __tablename__ = "api_calls"
    __table_args__ = (Index("ix_api_calls_connection", "connection_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    # Size of the reply's body (what Xero sent back: egress), 0 when there was no answer.
    response_bytes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
