"""The decision register's table: one row per deliberation or decision, numbered within its engagement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("engagement_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    number: Mapped[str] = mapped_column(String(40))  # as the body numbers it: « 2027-014 », « D-12 »
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(String(40))  # DecidingBody's values
    legal_basis: Mapped[str] = mapped_column(String(200), default="")  # « CGCT L2121-29 »
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    transmitted_on: Mapped[date | None] = mapped_column(Date)  # to the contrôle de légalité (préfecture)
    published_on: Mapped[date | None] = mapped_column(Date)
    step_key: Mapped[str | None] = mapped_column(String(80))
    consultation_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
