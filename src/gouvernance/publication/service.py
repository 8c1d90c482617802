"""Publishing an engagement (its leads decide) and finding the public ones. A non-public engagement is
reported exactly as a missing one, so the public routes do not even show that it exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.records import OrganisationRow
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Message, NotFound
from gouvernance.messages import engagement_not_found
from gouvernance.publication.records import PublicEngagementRow


@dataclass(frozen=True)
class Publication:
    engagement_id: str
    public: bool
    published_at: datetime | None


def set_public(
    session: Session, *, engagement_id: str, public: bool, actor: ActorRef, clock: Clock
) -> Publication:
    """Opens (or closes) the engagement's public record; a change is logged in its history."""
    engagement_or_not_found(session, engagement_id)
    row = session.get(PublicEngagementRow, engagement_id)
    if public and row is None:
        row = PublicEngagementRow(
            engagement_id=engagement_id, published_at=clock.now(), published_by=actor.login
        )
        session.add(row)
        session.flush()
        log_change(session, engagement_id, "engagement.published", {"public": True}, actor, clock)
    elif not public and row is not None:
        session.delete(row)
        session.flush()
        log_change(session, engagement_id, "engagement.unpublished", {"public": False}, actor, clock)
        row = None
    return Publication(engagement_id, row is not None, row.published_at if row else None)


def publication(session: Session, engagement_id: str) -> Publication:
    engagement_or_not_found(session, engagement_id)
    row = session.get(PublicEngagementRow, engagement_id)
    return Publication(engagement_id, row is not None, row.published_at if row else None)


@dataclass(frozen=True)
class PublicEngagement:
    engagement: EngagementRow
    published_at: datetime
    organisation_name: str | None


def public_engagement(session: Session, engagement_id: str) -> PublicEngagement:
    """The engagement if its organisation made it public; NotFound, in the door's words, otherwise."""
    found = _public(session, EngagementRow.id == engagement_id)
    if not found:
        raise NotFound(engagement_not_found(engagement_id))
    return found[0]


def public_engagements(session: Session, *, organisation: str | None = None) -> list[PublicEngagement]:
    """Every public engagement (of one organisation), by territory."""
    return _public(session, EngagementRow.organisation_id == organisation if organisation else None)


def organisation_engagement_ids(session: Session, organisation: str) -> list[str]:
    """Every engagement an organisation owns, public or not (its leads' open-data portfolio)."""
    if session.get(OrganisationRow, organisation) is None:
        raise organisation_not_found(organisation)
    return list(
        session.scalars(
            select(EngagementRow.id)
            .where(EngagementRow.organisation_id == organisation)
            .order_by(EngagementRow.territory_name, EngagementRow.id)
        )
    )


def organisation_not_found(organisation: str) -> NotFound:
    return NotFound(
        Message(
            "organisation.not_found",
            f"organisation introuvable : « {organisation} »",
            f"organisation not found: '{organisation}'",
            details={"organisation": organisation},
        )
    )


def _public(session: Session, condition: object | None) -> list[PublicEngagement]:
    query = (
        select(EngagementRow, PublicEngagementRow.published_at, OrganisationRow.name)
        .join(PublicEngagementRow, PublicEngagementRow.engagement_id == EngagementRow.id)
        .outerjoin(OrganisationRow, OrganisationRow.key == EngagementRow.organisation_id)
        .order_by(EngagementRow.territory_name, EngagementRow.id)
    )
    if condition is not None:
        query = query.where(condition)  # type: ignore[arg-type]
    return [PublicEngagement(row, published_at, name) for row, published_at, name in session.execute(query)]
