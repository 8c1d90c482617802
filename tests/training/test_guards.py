"""``training_trainers_approved``: a session financed by the élus' DIF needs an organisme agréé. The service
refuses one when it is entered; the guard catches one already in the register (entered before the rule, or
imported), names it, and passes once it is financed otherwise or its trainer approved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import TransitionRefused
from gouvernance.spec.validation import load_model_file
from gouvernance.training.records import TrainingSessionRow
from gouvernance.training.service import Audience, SessionData, SessionStatus, add_session, update_session
from tests.engagements.helpers import fire

CONSULTANT = ActorRef.of("claire", "consultant")
AGENT = ActorRef.of("karim", "agent")


@pytest.fixture(scope="module")
def model():
    return load_model_file(Path(__file__).parent / "models" / "formation.yaml")


def _legacy_session(db, clock, engagement_id) -> int:
    """A DIF session whose trainer is not approved, as a register filled before the rule would hold it."""
    now = clock.now()
    with db.transaction() as session:
        row = TrainingSessionRow(
            engagement_id=engagement_id,
            title="Prendre la parole en public",
            held_on=date(2026, 5, 20),
            duration_hours=Decimal(3),
            audience=Audience.ELUS.value,
            trainer="Cabinet Parole Libre",
            trainer_approved=False,
            dif_funded=True,
            status=SessionStatus.PREVUE.value,
            recorded_by="karim",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


def test_a_dif_session_without_an_approved_trainer_blocks_the_training_step(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    with db.transaction() as session:
        add_session(
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
            ),
            actor=AGENT,
            clock=clock,
        )
    legacy = _legacy_session(db, clock, engagement_id)
    fire(db, clock, engagement_id, "session_elus", "start", CONSULTANT)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "session_elus", "submit", CONSULTANT)
    assert [reason.fr for reason in refused.value.reasons] == [
        "formation financée par le DIF des élus sans organisme agréé par le ministère de l'Intérieur : "
        "« Prendre la parole en public » (Cabinet Parole Libre)"
    ]
    with db.transaction() as session:
        update_session(
            session,
            engagement_id=engagement_id,
            session_id=legacy,
            changes={"dif_funded": False},
            actor=AGENT,
            clock=clock,
        )
    assert fire(db, clock, engagement_id, "session_elus", "submit", CONSULTANT).to_state == "in_review"
