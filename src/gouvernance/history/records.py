"""The event log (append-only: the database refuses UPDATE and DELETE) and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_engagement", "engagement_id", "id"),
        Index("ix_events_step", "step_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    step_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("steps.id"))
    step_key: Mapped[str | None] = mapped_column(String(80))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # The subject's version after this event, so the timeline tells which version each change produced.
    version: Mapped[int | None] = mapped_column(Integer)


class OutboxRow(Base):
    """A side effect to perform (notify, render a deliverable), written in the same transaction as its event.
    Consumers claim rows by status; (event, topic) is unique, so a side effect is recorded once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"), UniqueConstraint("event_id", "topic"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"))
    engagement_id: Mapped[str] = mapped_column(String(36))
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    event: Mapped[EventRow] = relationship()


class OutboxReceiptRow(Base):
    """That one consumer (deliverables, notifications…) has handled one outbox row. Written in the same
    transaction as the consumer's effects, so an outbox row is handled once per consumer even when a worker
    dies half-way; the outbox row itself is marked done once every consumer has a receipt."""

    __tablename__ = "outbox_receipts"

    consumer: Mapped[str] = mapped_column(String(40), primary_key=True)
    outbox_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())
