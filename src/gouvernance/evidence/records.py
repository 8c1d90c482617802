"""Evidence rows. File contents live in the blob store, addressed by their SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, UTCDateTime


class EvidenceRow(Base):
    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_step", "step_id", "label"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    step_id: Mapped[int] = mapped_column(BigId, ForeignKey("steps.id"))
    kind: Mapped[str] = mapped_column(String(10))  # file | link
    label: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    attached_by: Mapped[str] = mapped_column(String(120))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())
