"""A database of its own whose append-only triggers are dropped, as whoever holds the database could do, and
an engagement with events, a decision and consultations in its chain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.stakeholders import consultations, register_service
from gouvernance.stakeholders.records import StakeholderData
from tests.conftest import TEST_DATABASE_URL, postgres_schema_url
from tests.engagements.helpers import attach_note, fire

CHEF = ActorRef.of("julien", "chef_de_projet")
TRIGGERS = {
    "postgresql": (
        "DROP TRIGGER events_append_only ON events",
        "DROP TRIGGER audit_entries_append_only ON audit_entries",
    ),
    "sqlite": (
        "DROP TRIGGER events_no_update",
        "DROP TRIGGER events_no_delete",
        "DROP TRIGGER audit_entries_no_update",
        "DROP TRIGGER audit_entries_no_delete",
    ),
}


@pytest.fixture(scope="module")
def tampered_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A fresh database, the triggers that refuse to edit history dropped."""
    if not TEST_DATABASE_URL:
        database = Database(f"sqlite:///{tmp_path_factory.mktemp('tamper') / 'tamper.db'}")
        drop = database.dispose
    else:
        schema = f"gv_tamper_{uuid.uuid4().hex[:12]}"
        admin = Database(TEST_DATABASE_URL)
        with admin.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database(postgres_schema_url(TEST_DATABASE_URL, schema))

        def drop() -> None:
            database.dispose()
            with admin.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    upgrade(database)
    with database.engine.begin() as connection:
        for statement in TRIGGERS[database.dialect]:
            connection.execute(text(statement))
    yield database
    drop()


def tamper(db: Database, *statements: str, **params: object) -> None:
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


@pytest.fixture
def journey(tampered_db: Database, clock: FrozenClock, mini_model, people) -> str:
    """An engagement with a few transitions, a decision, a consultation recorded then updated, another
    recorded then deleted."""
    db = tampered_db
    from gouvernance.engagements.service import LaunchRequest, Territory, launch

    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(mini_model, Territory("Saint-Jean-de-Braye", "commune"), date(2026, 3, 2)),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    attach_note(db, clock, engagement_id, people.consultant)
    fire(db, clock, engagement_id, "a1", "submit", people.consultant, comment="Première version")
    with db.transaction() as session:
        record_decision(
            session,
            engagement_id=engagement_id,
            data=DecisionData(
                number="2026-001",
                title="Lancement de la démarche",
                decided_on=date(2026, 3, 1),
                body=DecidingBody.CONSEIL_MUNICIPAL,
                votes_for=20,
            ),
            actor=CHEF,
            clock=clock,
        )
        person = register_service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            data=StakeholderData(
                id="mme-durand",
                name="Mme Durand",
                kind="personne",
                category="habitant_usager",
                power=2,
                interest=3,
            ),
            actor=people.consultant,
            clock=clock,
        )
        kept = consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key="a1",
            held_on="2026-03-01",
            format="entretien",
            stakeholder_ids=[person.id],
            summary="Entretien avec Mme Durand",
            actor=people.consultant,
            clock=clock,
        )
        gone = consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key="a1",
            held_on="2026-03-01",
            format="entretien",
            stakeholder_ids=[person.id],
            actor=people.consultant,
            clock=clock,
        )
    with db.transaction() as session:
        consultations.update_consultation(
            session,
            engagement_id=engagement_id,
            consultation_id=kept.row.id,
            changes={"outcome": "Favorable"},
            actor=people.consultant,
            clock=clock,
        )
        consultations.delete_consultation(
            session,
            engagement_id=engagement_id,
            consultation_id=gone.row.id,
            actor=people.consultant,
            clock=clock,
        )
    return engagement_id


MODELS = Path(__file__).parent.parent / "fixtures" / "models"
