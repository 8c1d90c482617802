"""An engagement where one person acted, recorded a decision and a consultation, and sits in the stakeholder
register with contact details, beside another person who must be left alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from gouvernance.access.service import add_user, grant
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.notifications.records import ContactRow
from gouvernance.stakeholders import consultations, register_service
from gouvernance.stakeholders.records import Contact, StakeholderData
from tests.engagements.helpers import fire


@dataclass(frozen=True)
class Case:
    engagement_id: str
    login: str
    name: str
    email: str
    phone: str
    other_name: str
    other_email: str


def _stakeholder(session, engagement_id, key, name, email, phone, clock, actor):
    row = register_service.add_stakeholder(
        session,
        engagement_id=engagement_id,
        data=StakeholderData(
            id=key,
            name=name,
            kind="personne",
            category="habitant_usager",
            power=2,
            interest=3,
            notes=f"Voir {name}",
        ),
        actor=actor,
        clock=clock,
    )
    register_service.set_contact(
        session,
        engagement_id=engagement_id,
        stakeholder_id=row.id,
        contact=Contact(email=email, phone=phone),
        actor=actor,
        clock=clock,
    )
    return row


@pytest.fixture
def case(db: Database, clock: FrozenClock, launch_engagement, mini_model) -> Case:
    tag = uuid.uuid4().hex[:8]
    login, name, email, phone = (
        f"marie{tag}",
        f"Marie Curie {tag}",
        f"marie.{tag}@exemple.fr",
        "06 11 22 33 44",
    )
    other_name, other_email = f"Paul Martin {tag}", f"paul.{tag}@exemple.fr"
    engagement_id = launch_engagement(mini_model)
    actor = ActorRef.of(login, "consultant")
    with db.transaction() as session:
        add_user(session, login, organisation=f"org{tag}", clock=clock, display_name=name)
        grant(session, login, "agent", clock=clock)
        session.add(ContactRow(login=login, email=email))
    fire(db, clock, engagement_id, "a1", "start", actor, comment="Je commence")
    with db.transaction() as session:
        person = _stakeholder(session, engagement_id, f"p{tag}", name, email, phone, clock, actor)
        _stakeholder(
            session, engagement_id, f"o{tag}", other_name, other_email, "07 00 00 00 00", clock, actor
        )
        consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key="a1",
            held_on="2026-03-01",
            format="entretien",
            stakeholder_ids=[person.id],
            summary="Entretien",
            actor=actor,
            clock=clock,
        )
        record_decision(
            session,
            engagement_id=engagement_id,
            data=DecisionData(
                number=f"2026-{tag}",
                title="Lancement",
                decided_on=date(2026, 3, 1),
                body=DecidingBody.CONSEIL_MUNICIPAL,
                votes_for=20,
            ),
            actor=actor,
            clock=clock,
        )
    return Case(engagement_id, login, name, email, phone, other_name, other_email)
