"""The convention, the training documents and the communication plan written from what the engagement's
people entered: the entered content is in the text, nothing reads « À compléter », and an engagement with
nothing entered yet says exactly what is missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gouvernance.communication.service import ActionData, Channel, add_action
from gouvernance.deliverables.model import PLACEHOLDER
from gouvernance.deliverables.production import context_for
from gouvernance.deliverables.registry import build_document
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.subject import load_subject
from gouvernance.partnership.service import PartyData, PartyKind, add_party
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
    update_attendee,
    update_session,
)

from .test_builders import all_text

CHEF = ActorRef.of("julien", "chef_de_projet")
KEYS = [
    "convention_partenariat",
    "plan_formation",
    "feuille_emargement",
    "bilan_formation",
    "plan_communication",
]


def _document_text(db, clock, engagement_id: str, key: str) -> str:
    with db.reading() as session:
        subject = load_subject(session, engagement_id, None)
        context = context_for(session, subject.engagement, subject.model, key, today=date(2026, 7, 1))
    return all_text(build_document(key, {**context, "author": "Claire Martin"}, clock=clock))


@pytest.fixture
def filled(db, clock, mini_model, launch_engagement) -> str:
    engagement_id = launch_engagement(mini_model)
    with db.transaction() as session:
        for data in (
            PartyData(
                name="Association Les Jardins partagés",
                kind=PartyKind.ASSOCIATION,
                representative="Martine Lefèvre",
                representative_title="Présidente",
                contributions=("Deux bénévoles référents",),
                commitments=("Ouvrir les jardins aux ateliers",),
                valuation_eur=Decimal(2400),
            ),
            PartyData(name="Commune de Saint-Jean-de-Braye", kind=PartyKind.COLLECTIVITE),
        ):
            add_party(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock)
        elus = add_session(
            session,
            engagement_id=engagement_id,
            data=SessionData(
                title="Le rôle de l'élu",
                held_on=date(2026, 6, 12),
                duration_hours=Decimal("3.5"),
                audience=Audience.ELUS,
                trainer="Institut Territoires",
                trainer_approved=True,
                dif_funded=True,
                place="Salle du conseil",
                objectives=("Arbitrer et rendre compte",),
            ),
            actor=CHEF,
            clock=clock,
        )
        people = [
            add_attendee(
                session,
                engagement_id=engagement_id,
                session_id=elus.id,
                data=AttendeeData(name=name, quality="Conseillère municipale"),
                actor=CHEF,
                clock=clock,
            )
            for name in ("Amina Benali", "Jeanne Morel", "Paul Durand")
        ]
        update_session(
            session,
            engagement_id=engagement_id,
            session_id=elus.id,
            changes={"status": SessionStatus.TENUE},
            actor=CHEF,
            clock=clock,
        )
        for person, present in zip(people, (True, True, False), strict=True):
            update_attendee(
                session,
                engagement_id=engagement_id,
                session_id=elus.id,
                attendee_id=person.id,
                changes={"present": present},
                actor=CHEF,
                clock=clock,
            )
        add_action(
            session,
            engagement_id=engagement_id,
            data=ActionData(
                title="Réunion publique de lancement",
                audience="Habitants du quartier du Pont",
                channel=Channel.REUNION_PUBLIQUE,
                starts_on=date(2026, 5, 20),
                owner="Élue référente",
                budget_eur=Decimal(900),
            ),
            actor=CHEF,
            clock=clock,
        )
    return engagement_id


EXPECTED = {
    "convention_partenariat": [
        "Association Les Jardins partagés",
        "représenté(e) par Martine Lefèvre, Présidente",
        "– Deux bénévoles référents",
        "Ouvrir les jardins aux ateliers",
        "aucune participation financière enregistrée",
        "représentant non désigné",  # the commune's, not entered
    ],
    "plan_formation": [
        "Le rôle de l'élu",
        "Institut Territoires (organisme agréé)",
        "Arbitrer et rendre compte",
        "Droit individuel à la formation des élus (DIFE)",
    ],
    "feuille_emargement": [
        "Le rôle de l'élu – vendredi 12 juin 2026",
        "Amina Benali",
        "3 personnes inscrites.",
    ],
    "bilan_formation": ["Présence par séance", "66,7", "Séances tenues"],
    "plan_communication": [
        "Réunion publique de lancement",
        "Habitants du quartier du Pont",
        "réunion publique",
    ],
}


@pytest.mark.parametrize("key", KEYS)
def test_each_document_carries_what_was_entered_and_no_placeholder(db, clock, filled, key) -> None:
    text = _document_text(db, clock, filled, key).replace("\u00a0", " ").replace("\u202f", " ")
    for fragment in EXPECTED[key]:
        assert fragment in text, fragment
    assert PLACEHOLDER not in text


MISSING = {
    "convention_partenariat": "partenaire non encore enregistré",
    "plan_formation": "Aucune session de formation enregistrée.",
    "feuille_emargement": "Aucune session de formation enregistrée : aucune feuille à émarger.",
    "bilan_formation": "Aucune session de formation enregistrée : il n'y a rien à dresser en bilan.",
    "plan_communication": "aucune action de communication enregistrée",
}


@pytest.mark.parametrize("key", KEYS)
def test_with_nothing_entered_the_documents_say_what_is_missing(
    db, clock, mini_model, launch_engagement, key
):
    text = _document_text(db, clock, launch_engagement(mini_model), key).replace("\u00a0", " ")
    assert MISSING[key] in text
    assert PLACEHOLDER not in text
