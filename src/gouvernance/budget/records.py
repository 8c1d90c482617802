"""Tables of the participatory budget: proposals (numbered within the engagement), vote counts per proposal
and channel, and the closed vote with its results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


class ProposalRow(Base):
    __tablename__ = "budget_proposals"
    __table_args__ = (UniqueConstraint("engagement_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str] = mapped_column(String(120), default="")  # quartier, commune of an EPCI…
    estimated_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # € TTC
    status: Mapped[str] = mapped_column(String(20))  # ProposalStatus's values
    status_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VoteCountRow(Base):
    __tablename__ = "budget_vote_counts"
    __table_args__ = (UniqueConstraint("proposal_id", "channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(BigId, ForeignKey("budget_proposals.id"))
    channel: Mapped[str] = mapped_column(String(20))  # VoteChannel's values
    votes: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClosedVoteRow(Base):
    """The vote, once closed: the envelope it was counted against and the results, as announced."""

    __tablename__ = "budget_closed_votes"

    engagement_id: Mapped[str] = mapped_column(String(36), ForeignKey("engagements.id"), primary_key=True)
    envelope: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    results: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    closed_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
