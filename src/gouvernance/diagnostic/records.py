"""The findings of an engagement's diagnostic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_engagement_kind", "engagement_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    kind: Mapped[str] = mapped_column(String(20))  # FindingKind's values
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    stakeholder_ids: Mapped[list[int]] = mapped_column(Json, default=list)  # where it came from
    consultation_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
