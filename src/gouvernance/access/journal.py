"""The record of who changed access: a role given or taken back, an invitation sent or accepted, an account
deleted. Each change is written in the transaction that makes it, and never edited.

A change on one engagement is an event of that engagement's log, so it shows in its timeline and is chained
in its verifiable register. A change that concerns the whole organisation (an organisation-wide role, an
invitation to one, an account) is an organisation event: the events table and its hash chain belong to one
engagement each, so those have an append-only table of their own (``organisation_events``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.records import OrganisationEventRow
from gouvernance.history.log import append_event

ROLE_GRANTED = "role_granted"
ROLE_REVOKED = "role_revoked"
INVITATION_SENT = "invitation_sent"
INVITATION_ACCEPTED = "invitation_accepted"
ACCOUNT_DELETED = "account_deleted"
# The actor's role in the engagement's log: they act as an administrator of the organisation.
ADMIN_ROLE = "administrateur"


def record_access_change(
    session: Session,
    *,
    event: str,
    login: str,
    actor: str,
    at: datetime,
    organisation: str,
    engagement_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Records ``event`` about ``login``, made by ``actor``: in the engagement's log when ``engagement_id`` is
    given, among ``organisation``'s events otherwise."""
    payload = {"login": login, **(details or {})}
    if engagement_id is not None:
        append_event(
            session,
            engagement_id=engagement_id,
            step=None,
            event=event,
            from_state=None,
            to_state=None,
            actor=actor,
            actor_role=ADMIN_ROLE,
            at=at,
            comment=None,
            payload=payload,
            version=None,
        )
        return
    session.add(
        OrganisationEventRow(
            organisation_key=organisation,
            event=event,
            login=login,
            actor=actor,
            occurred_at=at,
            payload=payload,
        )
    )
    session.flush()


def organisation_events(
    session: Session, organisation: str, *, limit: int | None = None, offset: int = 0
) -> list[OrganisationEventRow]:
    """The organisation's access events, oldest first."""
    return list(
        session.scalars(
            select(OrganisationEventRow)
            .where(OrganisationEventRow.organisation_key == organisation)
            .order_by(OrganisationEventRow.id)
            .limit(limit)
            .offset(offset)
        )
    )
