"""Export and erasure reach the data added after the stakeholder register: training attendance lists and
trainers, convention representatives, the communication plan, other entries' notes, consultations' texts and
decisions. SQLite, and PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL.

Which fields match the person (their terms: the login asked about, the account's display name and e-mail):
- equal to a term, case-insensitively: ``training_attendees.name``, ``training_sessions.trainer``,
  ``convention_parties.representative``, ``communication_actions.owner``;
- a term as whole words in a free text: ``stakeholders.notes`` (of other entries),
  ``communication_actions.title/audience/message``, ``consultations.summary/outcome``,
  ``decisions.title/text``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from gouvernance.audit.verify import verify
from gouvernance.communication.records import CommunicationActionRow
from gouvernance.communication.service import ActionData, Channel, add_action
from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.history.records import EventRow
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.partnership.service import PartyData, PartyKind, add_party
from gouvernance.privacy import mentions
from gouvernance.privacy.erasure import erase_person
from gouvernance.privacy.export import export_person, summary
from gouvernance.privacy.people import Person
from gouvernance.privacy.registre import processings
from gouvernance.settings import Settings
from gouvernance.stakeholders import consultations, register_service
from gouvernance.stakeholders.records import StakeholderData
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderRow
from gouvernance.training.records import AttendeeRow, TrainingSessionRow
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
)


@dataclass(frozen=True)
class Ids:
    training: int
    attendee: int
    other_attendee: int
    party: int
    action: int
    noting: int
    consultation: int
    decision: int


@pytest.fixture
def more(db, case, clock) -> Ids:
    """The case's person, and the other one, in every later feature of the same engagement."""
    actor = ActorRef.of("claire", "consultant")
    e = case.engagement_id
    with db.transaction() as session:
        training = add_session(
            session,
            engagement_id=e,
            data=SessionData(
                title="Concertation : les bases",
                held_on=date(2026, 3, 1),
                duration_hours=Decimal(3),
                audience=Audience.ELUS,
                trainer=case.name.upper(),  # equal but for case: matches
                status=SessionStatus.TENUE,
            ),
            actor=actor,
            clock=clock,
        )
        attendee = add_attendee(
            session,
            engagement_id=e,
            session_id=training.id,
            data=AttendeeData(name=case.name.lower(), quality="conseillère municipale", present=True),
            actor=actor,
            clock=clock,
        )
        other_attendee = add_attendee(
            session,
            engagement_id=e,
            session_id=training.id,
            data=AttendeeData(name=case.other_name, present=False),
            actor=actor,
            clock=clock,
        )
        party = add_party(
            session,
            engagement_id=e,
            data=PartyData(
                name="Association des habitants",
                kind=PartyKind.ASSOCIATION,
                representative=case.name,
                representative_title="Présidente",
            ),
            actor=ActorRef.of(case.login, "consultant"),
            clock=clock,
        )
        action = add_action(
            session,
            engagement_id=e,
            data=ActionData(
                title="Porte-à-porte",
                audience="habitants du quartier",
                channel=Channel.AUTRE,
                starts_on=date(2026, 4, 1),
                owner=case.name,
                message=f"Rendez-vous chez {case.name}, avec {case.other_name}.",
            ),
            actor=actor,
            clock=clock,
        )
        noting = register_service.add_stakeholder(
            session,
            engagement_id=e,
            data=StakeholderData(
                id=f"n{case.login}",
                name=f"Conseil citoyen {case.login}",
                kind="organisation",
                category="habitant_usager",
                power=2,
                interest=3,
                # the second mention is part of a longer word: not the person
                notes=f"Animé par {case.name} ; voir {case.name}x.",
            ),
            actor=actor,
            clock=clock,
        )
        consultation = consultations.add_consultation(
            session,
            engagement_id=e,
            step_key="a1",
            held_on="2026-03-05",
            format="entretien",
            stakeholder_ids=[noting.id],
            summary=f"{case.name} présente le projet.",
            outcome=f"{case.other_name} relira.",
            actor=actor,
            clock=clock,
        )
        decision = record_decision(
            session,
            engagement_id=e,
            data=DecisionData(
                number=f"D-{case.login}",
                title="Désignation",
                text=f"{case.name} est désignée référente.",
                decided_on=date(2026, 3, 6),
                body=DecidingBody.CONSEIL_MUNICIPAL,
            ),
            actor=actor,
            clock=clock,
        )
        ids = Ids(
            training.id,
            attendee.id,
            other_attendee.id,
            party.id,
            action.id,
            noting.id,
            consultation.row.id,
            decision.id,
        )
    return ids


def test_the_export_finds_the_person_in_every_later_feature(db, case, more) -> None:
    with db.reading() as session:
        data = export_person(session, case.login, organisation=None)
    (attendance,) = data["formations"]["emargements"]
    assert (attendance["nom"], attendance["qualite"], attendance["present"]) == (
        case.name.lower(),
        "conseillère municipale",
        True,
    )
    assert [t["session"] for t in data["formations"]["animations"]] == ["Concertation : les bases"]
    assert [(c["partie"], c["qualite"]) for c in data["conventions"]] == [
        ("Association des habitants", "Présidente")
    ]
    assert [a["action"] for a in data["communication"]] == ["Porte-à-porte"]
    found = data["mentions"]
    assert [n["id"] for n in found["notes_parties_prenantes"]] == [more.noting]
    assert [c["id"] for c in found["consultations"]] == [more.consultation]
    assert [d["numero"] for d in found["decisions"]] == [f"D-{case.login}"]
    text = summary(data)
    for heading in ("## Formations", "## Conventions de partenariat", "## Plan de communication"):
        assert heading in text
    assert f"n° D-{case.login}" in text
    assert "; présence : oui" in text  # no « présent(e) »


def test_the_other_person_is_found_only_where_named(db, case, more) -> None:
    with db.reading() as session:
        data = export_person(session, case.other_name, organisation=None)
    assert [a["nom"] for a in data["formations"]["emargements"]] == [case.other_name]
    assert data["formations"]["animations"] == []
    assert data["conventions"] == []
    assert [a["action"] for a in data["communication"]] == ["Porte-à-porte"]  # named in the message
    assert [c["id"] for c in data["mentions"]["consultations"]] == [more.consultation]
    assert data["mentions"]["decisions"] == []
    assert case.email not in json.dumps(data["formations"], ensure_ascii=False)


def test_the_export_stays_within_the_callers_organisation(db, case, more) -> None:
    with db.reading() as session:
        data = export_person(session, case.name, organisation="une-autre")
    assert data["formations"] == {"emargements": [], "animations": []}
    assert data["conventions"] == data["communication"] == []
    assert all(not found for found in data["mentions"].values())


def test_erasure_pseudonymises_every_later_feature_and_the_chain_verifies(db, case, more, clock) -> None:
    with db.transaction() as session:
        report = erase_person(session, case.login, clock=clock)
    label = _own_pseudonym(db, case)
    assert report.elsewhere == {
        "attendees": 1,
        "communication_actions": 1,
        "consultations": 1,
        "notes": 1,
        "recorded_by": 1,  # the party, entered by the person
        "representatives": 1,
        "trainers": 1,
    }
    with db.reading() as session:
        attendee = session.get(AttendeeRow, more.attendee)
        other = session.get(AttendeeRow, more.other_attendee)
        training = session.get(TrainingSessionRow, more.training)
        party = session.get(ConventionPartyRow, more.party)
        action = session.get(CommunicationActionRow, more.action)
        noting = session.get(StakeholderRow, more.noting)
        consultation = session.get(ConsultationRow, more.consultation)
        decision = session.get(DecisionRow, more.decision)
        assert (attendee.name, attendee.present, attendee.quality) == (label, True, "")
        assert other.name == case.other_name
        assert training.trainer == label
        assert (party.representative, party.name) == (label, "Association des habitants")
        assert party.recorded_by == "personne-effacee"
        assert action.owner == label
        assert action.message == f"Rendez-vous chez {label}, avec {case.other_name}."
        assert noting.notes == f"Animé par {label} ; voir {case.name}x."
        assert consultation.summary == f"{label} présente le projet."
        assert consultation.outcome == f"{case.other_name} relira."
        assert decision.text == f"{case.name} est désignée référente."  # a public act, kept as voted
        report_ = verify(session, case.engagement_id)
        assert report_.ok, report_.anomalies
        (event,) = session.scalars(
            select(EventRow).where(
                EventRow.engagement_id == case.engagement_id, EventRow.event == "personal_data_erased"
            )
        )
        assert {k: event.payload[k] for k in ("attendees", "trainers", "representatives", "notes")} == {
            "attendees": 1,
            "trainers": 1,
            "representatives": 1,
            "notes": 1,
        }
        again = export_person(session, case.name, organisation=None)
    assert again["formations"] == {"emargements": [], "animations": []}
    assert again["conventions"] == again["communication"] == []
    assert again["mentions"]["notes_parties_prenantes"] == again["mentions"]["consultations"] == []
    assert [d["numero"] for d in again["mentions"]["decisions"]] == [f"D-{case.login}"]


def _own_pseudonym(db, case) -> str:
    with db.reading() as session:
        (name,) = session.scalars(
            select(StakeholderRow.name).where(
                StakeholderRow.engagement_id == case.engagement_id,
                StakeholderRow.key.like("personne-effacee-%"),
            )
        )
    return name


def test_the_registre_lists_the_later_features_and_what_erasure_and_retention_do() -> None:
    listed = {p.table: p for p in processings(Settings(retention_evidence_days=77))}
    attendees = listed["training_attendees"]
    assert {column for column, _ in attendees.fields} == {"name", "quality"}
    assert "77 jours après la clôture" in attendees.retention
    for table in ("training_sessions", "convention_parties", "communication_actions", "stakeholders"):
        assert "pseudonymisation sur demande" in listed[table].retention, table
    assert "pas encore couvert" not in " ".join(
        listed[t].retention for t in ("training_attendees", "decisions", "consultations")
    )
    assert "name" not in {column for column, _ in listed["convention_parties"].fields}  # an organisation
    assert "representative" in {column for column, _ in listed["convention_parties"].fields}
    assert "message" in {column for column, _ in listed["communication_actions"].fields}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Vu avec Marie Curie.", True),
        ("vu avec MARIE  CURIE, jeudi", True),  # case and spacing aside
        ("Écrire à marie.curie@exemple.fr", True),
        ("Mairie de Sainte-Marie", False),  # « marie », a single word, is not looked for
        ("Marie Curie-Dupont viendra", False),  # part of a longer, hyphenated name
        ("Marie Curiel viendra", False),
        ("", False),
    ],
)
def test_which_free_texts_mention_a_person(text: str, found: bool) -> None:
    person = Person("marie", "marie", frozenset({"marie", "marie curie", "marie.curie@exemple.fr"}))
    assert mentions.mentions(text, person) is found
    replaced = mentions.replace_mentions(text, person, "Personne effacée n° 7")
    assert ("Personne effacée n° 7" in replaced) is found
