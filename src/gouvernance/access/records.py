"""Tables for access control. Tokens are stored as SHA-256 hashes: the clear token is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, UTCDateTime


class OrganisationRow(Base):
    """A collectivité or a consultancy. Engagements belong to one organisation."""

    __tablename__ = "organisations"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # collectivite | cabinet
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserRow(Base):
    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(120), primary_key=True)
    organisation_key: Mapped[str] = mapped_column(String(80), ForeignKey("organisations.key"))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # An organisation admin manages what belongs to the organisation itself (its webhooks), not the work.
    org_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GrantRow(Base):
    """A role held by a user, on one engagement or (engagement_id NULL) on every engagement of the user's
    organisation."""

    __tablename__ = "grants"
    __table_args__ = (Index("ix_grants_login", "login"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"))
    role: Mapped[str] = mapped_column(String(40))
    engagement_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("engagements.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"))
    token_sha256: Mapped[str] = mapped_column(String(64))
    # The first characters of the token, so that a user can tell their tokens apart in a listing.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
