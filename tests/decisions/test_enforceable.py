"""``decision_recorded`` with ``transmitted``/``published``: a deliberation is enforceable once transmitted to
the contrôle de légalité and published (CGCT L2131-1); the guard names what the register still lacks."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import TransitionRefused
from gouvernance.spec.validation import load_model_file
from tests.engagements.helpers import fire

CHEF = ActorRef.of("julien", "chef_de_projet")
COLLEAGUE = ActorRef.of("nadia", "chef_de_projet")  # approves what julien submitted (separation of duties)
VOTED = DecisionData(
    number="2026-031",
    title="Lancement de la démarche de gouvernance partagée",
    decided_on=date(2026, 3, 2),
    body=DecidingBody.CONSEIL_MUNICIPAL,
    legal_basis="CGCT L2121-29",
    votes_for=19,
    votes_against=4,
    abstentions=0,
    step_key="vote",
)


@pytest.fixture(scope="module")
def model():
    return load_model_file(Path(__file__).parent / "models" / "executoire.yaml")


def _record(db, clock, engagement_id, data) -> None:
    with db.transaction() as session:
        record_decision(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock)


def _refusal(db, clock, engagement_id) -> list[str]:
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "publication", "submit", CHEF)
    return [reason.fr for reason in refused.value.reasons]


def test_the_publication_step_waits_for_the_dates_of_transmission_and_publication(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    _record(db, clock, engagement_id, VOTED)
    for event in ("start", "submit"):
        fire(db, clock, engagement_id, "vote", event, CHEF)
    fire(db, clock, engagement_id, "vote", "approve", COLLEAGUE)
    fire(db, clock, engagement_id, "publication", "start", CHEF)
    assert _refusal(db, clock, engagement_id) == [
        "la décision n° 2026-031 (conseil municipal) n'est pas encore exécutoire, il manque la date de "
        "transmission au contrôle de légalité et la date de publication au registre"
    ]
    transmitted = dataclasses.replace(VOTED, number="2026-031-bis", transmitted_on=date(2026, 3, 4))
    _record(db, clock, engagement_id, transmitted)
    assert _refusal(db, clock, engagement_id) == [
        "la décision n° 2026-031-bis (conseil municipal) n'est pas encore exécutoire, il manque la date de "
        "publication au registre"
    ]
    enforceable = dataclasses.replace(transmitted, number="2026-032", published_on=date(2026, 3, 5))
    _record(db, clock, engagement_id, enforceable)
    assert fire(db, clock, engagement_id, "publication", "submit", CHEF).to_state == "in_review"


def test_without_any_decision_the_guard_names_the_step_whose_decision_it_waits_for(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    fire(db, clock, engagement_id, "vote", "start", CHEF)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "vote", "submit", CHEF)
    assert [r.fr for r in refused.value.reasons] == [
        "aucune décision (conseil municipal) n'est au registre pour cette étape"
    ]
