"""The parties of an engagement's partnership convention."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class ConventionPartyRow(Base):
    __tablename__ = "convention_parties"
    __table_args__ = (UniqueConstraint("engagement_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))  # PartyKind's values
    representative: Mapped[str] = mapped_column(String(200), default="")
    representative_title: Mapped[str] = mapped_column(String(200), default="")  # « Maire », « Présidente »
    designation: Mapped[str] = mapped_column(String(100), default="")  # « l'Association »
    address: Mapped[str] = mapped_column(String(300), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    contributions: Mapped[list[str]] = mapped_column(Json, default=list)  # what it brings (moyens)
    commitments: Mapped[list[str]] = mapped_column(Json, default=list)  # what it undertakes (obligations)
    valuation_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # its contributions, valued
    stakeholder_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("stakeholders.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
