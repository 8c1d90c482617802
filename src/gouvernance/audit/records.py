"""The chain's table. Entries are append-only (the database refuses UPDATE and DELETE, apart from erasing the
salts of personal fields); the head of each engagement's chain is on its row (``engagements.audit_seq``,
``engagements.audit_head``), which appends lock and the database moves to each entry stored (trigger of
migration 0022)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_ref", "kind", "ref_id"),)

    engagement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(30))
    # The event, decision or consultation the entry records (not hashed: the canonical form holds the id).
    ref_id: Mapped[int] = mapped_column(BigId)
    # When the change it records happened (in the canonical form as ``at``): the heads of a given day.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    canonical: Mapped[str] = mapped_column(Text)
    # The salt of each personal field (outside the hash): erased together with the value it protects.
    salts: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
