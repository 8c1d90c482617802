"""Tables of an engagement's objectives: the objectives, their indicators, the indicators' measurements, and
the approvals the local actors give to the objectives (by role: seed 000 asks that indicators be validated by
the local actors, not by the consultant alone)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, UTCDateTime


class ObjectiveRow(Base):
    """One objective of an engagement. ``version`` grows with every change: approvals are given to a
    version, so changing an objective asks for them again."""

    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("engagement_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IndicatorRow(Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("engagement_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    objective_id: Mapped[int] = mapped_column(BigId, ForeignKey("objectives.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float] = mapped_column(Float)
    baseline_on: Mapped[date] = mapped_column(Date)
    target: Mapped[float] = mapped_column(Float)
    deadline: Mapped[date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(10))  # Direction's values: hausse | baisse
    frequency: Mapped[str] = mapped_column(String(20))  # Frequency's values
    source: Mapped[str] = mapped_column(String(300))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeasurementRow(Base):
    """One value of an indicator on one day; a second value for the same day replaces the first."""

    __tablename__ = "measurements"
    __table_args__ = (UniqueConstraint("indicator_id", "measured_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_id: Mapped[int] = mapped_column(BigId, ForeignKey("indicators.id"))
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObjectiveApprovalRow(Base):
    """A role's approval of one version of an objective, with its indicators."""

    __tablename__ = "objective_approvals"
    __table_args__ = (UniqueConstraint("objective_id", "objective_version", "role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    objective_id: Mapped[int] = mapped_column(BigId, ForeignKey("objectives.id"), index=True)
    objective_version: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(40))
    login: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeansRow(Base):
    """Means allocated to an objective: a budget line (€ TTC) and/or staff time (days)."""

    __tablename__ = "objective_means"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    objective_id: Mapped[int] = mapped_column(BigId, ForeignKey("objectives.id"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    budget_eur: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    staff_days: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ActionRow(Base):
    """An item of the action plan, serving one objective."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("objective_id", "title"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    objective_id: Mapped[int] = mapped_column(BigId, ForeignKey("objectives.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))  # a service or a person, as the plan names them
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # ActionStatus's values
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
