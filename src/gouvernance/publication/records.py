"""The flag that opens an engagement's public record: one row per public engagement, kept apart from the
engagement's own row so that publishing never goes through (or races with) the door's versioned UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, UTCDateTime


class PublicEngagementRow(Base):
    __tablename__ = "public_engagements"

    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(120))
