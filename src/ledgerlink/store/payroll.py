"""The payroll tables: each connection's pay-item types (its "Financial Accounting Mapping")
and the record of every generation of a pay run's bills.

Kept apart from ``store.models`` like ``store.twoway``; one ``Base``, one migration history.
The functions that read and change them are in ``store.pay_items``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerlink.store.models import Base, DateTime, new_id, utcnow


class PayItemTypeRow(Base):
    """One pay-item type of a connection: its name and its payee ("employee": each employee
    gets a bill; else the name of the contact that gets one bill for the run)."""

    __tablename__ = "pay_item_types"
    __table_args__ = (UniqueConstraint("connection_id", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    payee: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PayItemRuleRow(Base):
    """One pay item of a type: the account code its amounts go to and the sign they take."""

    __tablename__ = "pay_item_rules"
    __table_args__ = (UniqueConstraint("type_id", "pay_item_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type_id: Mapped[str] = mapped_column(ForeignKey("pay_item_types.id", ondelete="CASCADE"))
    pay_item: Mapped[str] = mapped_column(String(100))
    pay_item_key: Mapped[str] = mapped_column(String(100))  # mapping.pay_items.normal
    account_code: Mapped[str] = mapped_column(String(10))
    sign: Mapped[str] = mapped_column(String(1))
    description: Mapped[str | None] = mapped_column(String(4000))


class PayRunGeneration(Base):
    """One generation of a pay run's bills: when, from which version, what came of it
    (``generated``, ``unchanged``, ``voided`` or ``held``) and into which bills
    (``bills``: source id, payee, total, intake's outcome for each)."""

    __tablename__ = "pay_run_generations"
    __table_args__ = (Index("ix_pay_run_generations_connection", "connection_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    bills: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
