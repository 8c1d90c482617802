"""Tables of the stakeholder register of each engagement: stakeholders, their contact details (kept apart, so
that erasing them is one DELETE and no export reads them by accident), relations, and the consultation log
with its participants.

Codes are the vocabulary's (``vocabulary.py``): the same in the database, the API and the exports.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class StakeholderRow(Base):
    """One stakeholder (partie prenante) of one engagement. ``key`` is its stable identifier within the
    engagement (the « Identifiant » column of a spreadsheet, or made from the name)."""

    __tablename__ = "stakeholders"
    __table_args__ = (
        UniqueConstraint("engagement_id", "key"),
        UniqueConstraint("engagement_id", "name"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    power: Mapped[int] = mapped_column(SmallInteger)
    interest: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[str] = mapped_column(String(20))
    salience: Mapped[list[str]] = mapped_column(Json, default=list)  # attribute codes, in vocabulary order
    target_level: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    notes: Mapped[str | None] = mapped_column(
        Text
    )  # free notes: « conflit sur le parc », « porteur politique »
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StakeholderContactRow(Base):
    """Personal data (RGPD): optional, never exported unless asked for, erased by deleting the row."""

    __tablename__ = "stakeholder_contacts"

    stakeholder_id: Mapped[int] = mapped_column(BigId, ForeignKey("stakeholders.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StakeholderRelationRow(Base):
    """A typed relation. For the symmetric types (partenaire, conflit) the lower stakeholder id is stored as
    the source, so that A–B and B–A are the same row."""

    __tablename__ = "stakeholder_relations"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "type"),
        Index("ix_stakeholder_relations_engagement", "engagement_id"),
        Index("ix_stakeholder_relations_target", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    source_id: Mapped[int] = mapped_column(BigId, ForeignKey("stakeholders.id"))
    target_id: Mapped[int] = mapped_column(BigId, ForeignKey("stakeholders.id"))
    type: Mapped[str] = mapped_column(String(20))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsultationRow(Base):
    """One entry of the consultation log: when, how, for which step (and so which stage), what came of it."""

    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_engagement_stage", "engagement_id", "stage_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    step_key: Mapped[str] = mapped_column(String(80))
    stage_key: Mapped[str] = mapped_column(String(80))  # the step's stage, from the engagement's model
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsultationParticipantRow(Base):
    __tablename__ = "consultation_participants"
    __table_args__ = (Index("ix_consultation_participants_stakeholder", "stakeholder_id"),)

    consultation_id: Mapped[int] = mapped_column(BigId, ForeignKey("consultations.id"), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(BigId, ForeignKey("stakeholders.id"), primary_key=True)


def as_plain(row: Any) -> dict[str, Any]:
    """The columns of a row as a dict (for API responses and JSON output)."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}
