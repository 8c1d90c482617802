"""Rendered deliverables: one row per (engagement, deliverable, format, version). The bytes live in the blob
store under their SHA-256; each rebuild adds a version, so the history stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, UTCDateTime


class DeliverableRow(Base):
    __tablename__ = "deliverables"
    __table_args__ = (
        UniqueConstraint("engagement_id", "key", "format", "version"),
        # A rendering caused by an event is recorded once, however often the consumer runs.
        UniqueConstraint("engagement_id", "key", "format", "source"),
        Index("ix_deliverables_engagement", "engagement_id", "key", "version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    # "event:<id>" for a rendering the journey triggered, "demand:<uuid>" for one somebody asked for.
    source: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
