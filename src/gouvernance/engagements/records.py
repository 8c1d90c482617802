"""Tables for engagements and their steps. Only the one door (transitions.py) writes ``state``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class ProcessModelRow(Base):
    """A snapshot of a process model, stored when first launched: editing the YAML file later never
    changes the engagements that were launched from it."""

    __tablename__ = "process_models"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The shape of ``document`` (spec.catalog.SNAPSHOT_FORMAT): a reader refuses a format it does not know.
    format_version: Mapped[int] = mapped_column(Integer, server_default="1")


class EngagementRow(Base):
    __tablename__ = "engagements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["model_key", "model_version"], ["process_models.key", "process_models.version"]
        ),
        Index("ix_engagements_state", "state"),
        Index("ix_engagements_territory", "territory_name"),
        Index("ix_engagements_organisation", "organisation_id"),
        Index("ix_engagements_previous", "previous_engagement_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    model_key: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[int] = mapped_column(Integer)
    territory_name: Mapped[str] = mapped_column(String(200))
    territory_kind: Mapped[str] = mapped_column(String(20), default="commune")
    territory_insee: Mapped[str | None] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    lead: Mapped[str | None] = mapped_column(String(120))
    # The organisation that owns the engagement (access control); None for engagements launched from the CLI.
    organisation_id: Mapped[str | None] = mapped_column(String(80), ForeignKey("organisations.key"))
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The cycle of a recurring journey this one follows on from (spec ``recurrence``). No foreign key: SQLite
    # could not drop it again without rebuilding the table every other table points at; only the engine
    # writes it (``recurrence.open_next_cycle``), with the id of the engagement it has just completed.
    previous_engagement_id: Mapped[str | None] = mapped_column(String(36))
    # The head of the engagement's audit chain (gouvernance.audit): the last entry's number and hash. Moved
    # only by the database, to each entry stored (trigger of migration 0022); not loaded with the row.
    audit_seq: Mapped[int] = mapped_column(Integer, server_default="0", deferred=True)
    audit_head: Mapped[str | None] = mapped_column(String(64), deferred=True)

    # Optimistic locking: every UPDATE says "WHERE version = <the version I read>". The door bumps the
    # version itself (generator off) so that a change the row does not show, such as an endorsement, still
    # produces a new version.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class StepRow(Base):
    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("engagement_id", "step_key"),
        Index("ix_steps_engagement_stage_state", "engagement_id", "stage_key", "state"),
        Index("ix_steps_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    stage_key: Mapped[str] = mapped_column(String(80))
    step_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Incremented each time the work goes back (rework, send back, reopen): approvals count per round.
    round: Mapped[int] = mapped_column(Integer, default=1)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class LaunchKeyRow(Base):
    """A client-supplied key for one launch: a retried launch finds the engagement it already created."""

    __tablename__ = "launch_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
