"""Training sessions and their attendees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class TrainingSessionRow(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (UniqueConstraint("engagement_id", "title"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    duration_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    audience: Mapped[str] = mapped_column(String(20))  # Audience's values
    trainer: Mapped[str] = mapped_column(String(200))
    trainer_approved: Mapped[bool] = mapped_column(Boolean, default=False)  # organisme agréé (Intérieur)
    dif_funded: Mapped[bool] = mapped_column(Boolean, default=False)  # financed by the élus' DIF
    place: Mapped[str] = mapped_column(String(300), default="")
    objectives: Mapped[list[str]] = mapped_column(Json, default=list)
    status: Mapped[str] = mapped_column(String(20))  # SessionStatus's values
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttendeeRow(Base):
    """A person expected at a session; ``present`` is None until the attendance is taken."""

    __tablename__ = "training_attendees"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    quality: Mapped[str] = mapped_column(String(200), default="")  # « adjointe à la citoyenneté »
    organisation: Mapped[str] = mapped_column(String(200), default="")
    present: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
