"""Tables for access control. Tokens are stored as SHA-256 hashes: the clear token is shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime


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


class PasswordRow(Base):
    """A person's password for the web interface, hashed with Argon2id (the hash carries its parameters)."""

    __tablename__ = "user_passwords"

    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"))
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginAttemptRow(Base):
    """A failed sign-in, by login and by address: the throttle counts them in the database, so that every
    process serving the site agrees."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_login", "login", "attempted_at"),
        Index("ix_login_attempts_address", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessLinkRow(Base):
    """A link sent by e-mail to choose a password: an invitation or a reset. Random, stored as its SHA-256,
    good once and until ``expires_at``."""

    __tablename__ = "access_links"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"))
    purpose: Mapped[str] = mapped_column(String(12))  # invitation | reset
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OrganisationEventRow(Base):
    """What changed an organisation's access that belongs to no engagement: a role organisation-wide, an
    invitation to one, an invitation accepted, an account deleted. Append-only (the database refuses UPDATE
    and DELETE), like the engagements' event log, which records the same changes made on one engagement."""

    __tablename__ = "organisation_events"
    __table_args__ = (Index("ix_organisation_events_organisation", "organisation_key", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    organisation_key: Mapped[str] = mapped_column(String(80), ForeignKey("organisations.key"))
    event: Mapped[str] = mapped_column(String(40))
    # The person concerned; no foreign key: the record outlives a deleted account.
    login: Mapped[str] = mapped_column(String(120))
    actor: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
