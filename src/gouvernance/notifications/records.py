"""A notification is a fact to tell (once per step, level and round); a delivery is one way of telling it to
one recipient. Unique keys make re-running a sweep or a consumer harmless; status columns make re-running a
dispatch send only what is not sent yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from gouvernance.db.base import Base, BigId, Json, UTCDateTime

# A notification whose body holds a secret (a sign-in link) keeps, in its data under this key, the body to
# store once its delivery is over (sent, or given up): dispatch swaps them, so that the database does not
# keep a working secret. For notifications with a single delivery.
BODY_AFTER_SENDING = "body_after_sending"


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_engagement", "engagement_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # reminder:<step id>:<round>:before:7, overdue…, escalation…, event:<event id>:…, digest:<login>:<date>
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # reminder | overdue | escalation | event | digest
    engagement_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("engagements.id"))
    step_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("steps.id"))
    role: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", "recipient"),
        Index("ix_deliveries_status_id", "status", "id"),
        Index("ix_deliveries_inbox", "channel", "recipient", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(BigId, ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(10))  # email | webhook | in_app
    recipient: Mapped[str] = mapped_column(String(200))  # a login, or webhook:<id>
    address: Mapped[str | None] = mapped_column(Text)  # e-mail address or URL
    # pending → sending (claimed, with a lease) → sent | failed; in_app deliveries are born "sent".
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookRow(Base):
    """An organisation's endpoint: the events of its engagements are posted there, signed with ``secret``.
    ``events`` lists the event kinds (outbox topics such as ``step.submit``) to post; empty means all."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    organisation_key: Mapped[str] = mapped_column(String(80), ForeignKey("organisations.key"))
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(Json, default=list, server_default=text("'[]'"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ContactRow(Base):
    """How to reach a user: their e-mail address, the language they read, and how notifications reach them
    besides the application (``delivery``: immediate | daily_digest | none)."""

    __tablename__ = "user_contacts"

    login: Mapped[str] = mapped_column(String(120), ForeignKey("users.login"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="fr", server_default="fr")
    delivery: Mapped[str] = mapped_column(String(20), default="immediate", server_default="immediate")

    # The former boolean, derived from ``delivery`` (the one source of truth) for the code that reads it.
    @hybrid_property
    def daily_digest(self) -> bool:
        return self.delivery == "daily_digest"

    @daily_digest.inplace.setter
    def _daily_digest_setter(self, value: bool) -> None:
        if value:
            self.delivery = "daily_digest"
        elif self.delivery in (None, "daily_digest"):
            self.delivery = "immediate"

    @daily_digest.inplace.expression
    @classmethod
    def _daily_digest_expression(cls) -> ColumnElement[bool]:
        return cls.delivery == "daily_digest"
