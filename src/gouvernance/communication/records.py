"""The communication plan's actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, UTCDateTime


class CommunicationActionRow(Base):
    __tablename__ = "communication_actions"
    __table_args__ = (UniqueConstraint("engagement_id", "title"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(200))  # « habitants du quartier Renaudie »
    channel: Mapped[str] = mapped_column(String(30))  # Channel's values
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # a period, or a single day when None
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # CommunicationStatus's values
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    message: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
