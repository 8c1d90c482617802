"""Finding a person: a login, a name or an e-mail address, matched (case-insensitively) against the accounts
and the stakeholder registers within the organisations the caller may see (``organisation`` None: all)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from gouvernance.access.records import UserRow
from gouvernance.access.service import LEAD_ROLES, Principal
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Forbidden, Message
from gouvernance.notifications.records import ContactRow
from gouvernance.stakeholders.tables import StakeholderContactRow, StakeholderRow


@dataclass(frozen=True)
class Person:
    """Who is asked about: the words given, and the login when they name an account in scope."""

    query: str
    login: str | None
    terms: frozenset[str]  # lower-cased names and e-mail addresses that stand for the person


def find_person(session: Session, query: str, *, organisation: str | None) -> Person:
    terms = {query.strip().lower()}
    user = session.get(UserRow, query.strip())
    if user is not None and organisation not in (None, user.organisation_key):
        user = None
    if user is not None:
        if user.display_name:
            terms.add(user.display_name.strip().lower())
        contact = session.get(ContactRow, user.login)
        if contact is not None and contact.email:
            terms.add(contact.email.strip().lower())
    return Person(query.strip(), user.login if user else None, frozenset(t for t in terms if t))


def engagements_in_scope(organisation: str | None) -> Select[tuple[str]]:
    query = select(EngagementRow.id)
    return query.where(EngagementRow.organisation_id == organisation) if organisation else query


def matching_stakeholders(
    session: Session, person: Person, *, organisation: str | None
) -> list[StakeholderRow]:
    """The register entries whose name, or whose contact's e-mail address, is one of the person's."""
    terms = sorted(person.terms)
    query = (
        select(StakeholderRow)
        .outerjoin(StakeholderContactRow, StakeholderContactRow.stakeholder_id == StakeholderRow.id)
        .where(
            or_(
                func.lower(StakeholderRow.name).in_(terms),
                func.lower(StakeholderContactRow.email).in_(terms),
            ),
            StakeholderRow.engagement_id.in_(engagements_in_scope(organisation)),
        )
        .order_by(StakeholderRow.id)
    )
    return list(session.scalars(query))


def privacy_scope(session: Session, principal: Principal) -> str:
    """The organisation whose people ``principal`` may ask about: its admins and its leads (a lead role held
    organisation-wide). Forbidden for anybody else."""
    user = session.get(UserRow, principal.login)
    if (user is not None and user.org_admin) or principal.organisation_roles & LEAD_ROLES:
        return principal.organisation
    raise Forbidden(
        Message(
            "privacy.forbidden",
            "Seuls les administrateurs et les responsables de l'organisation consultent les données d'une "
            "personne.",
            "Only the organisation's admins and leads may read a person's data.",
        )
    )
