"""The tables of the way back: Xero's webhook events, what is to be read from Xero, and the
events the source app hears of (its feed and its signed notifications).

Kept apart from ``store.models`` (the way out) so each file holds one direction; both share
one ``Base``, so one migration history covers them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerlink.store.models import Base, DateTime, new_id, utcnow


class XeroEvent(Base):
    """One event of a Xero webhook delivery, stored before the delivery is answered.

    ``dedupe_key`` makes a repeated event (Xero retries a delivery with the same events, and
    may send one again in a later delivery) one row. ``state``: ``new`` (stored by the
    receiver), then ``queued`` (a pull was queued for it) or ``ignored`` (nothing ledgerlink
    sent: recorded, nothing read), as ``sync.xero_webhooks.route`` finds.
    """

    __tablename__ = "xero_events"
    __table_args__ = (
        Index("ix_xero_events_resource", "tenant_id", "resource_id"),
        Index("ix_xero_events_state", "state", "id"),
        Index("ix_xero_events_arrived", "tenant_id", "received_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The receiver it came to: a workspace id for a workspace's own Xero app, "" for the
    # service's app.
    receiver: Mapped[str] = mapped_column(String(36))
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(30))
    event_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[str] = mapped_column(String(36))
    event_date: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PullItem(Base):
    """A linked resource to read back from Xero: one row per connection and Xero id, however
    many events or polls asked for it, deleted in the transaction that writes what was read
    (a worker killed mid-pull leaves it for the next)."""

    __tablename__ = "pull_items"
    __table_args__ = (Index("ix_pull_items_due", "connection_id", "not_before"),)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    xero_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(20))  # webhook | poll
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PollMark(Base):
    """How far a connection's poll of one kind has read: the newest ``UpdatedDateUTC`` seen
    (the next poll's If-Modified-Since) and when the next poll is due."""

    __tablename__ = "poll_marks"
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    modified_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """Something the source app hears of, written in the transaction of the change it tells.

    ``id`` orders every workspace's events and is the feed's cursor (``GET /events?after=``).
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_workspace", "workspace_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    connection_id: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Endpoint(Base):
    """A URL of the source app that is sent the workspace's events, signed with its secret.

    Events go in order: ``delivered_through`` is the last event id it acknowledged or that
    was given up after a day of retries; ``failures`` and ``next_attempt`` are the back-off
    of the event after it.
    """

    __tablename__ = "endpoints"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    types: Mapped[list[Any]] = mapped_column(default=list)  # empty: every type
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    delivered_through: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """One attempt to send one event to one endpoint: the delivery log a person reads."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_endpoint", "endpoint_id", "event_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    # "given_up": the last try of the day of retries; "again": a person's "send again".
    note: Mapped[str | None] = mapped_column(String(20))
