"""The same (state, event) table, through the one door and the database, for one step of each kind."""

from __future__ import annotations

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.rules import allowed_roles
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import Forbidden, TransitionRefused
from gouvernance.lifecycle.machines import MACHINE_BY_KIND, transition_table
from gouvernance.spec.validation import load_model_file
from tests.conftest import FIXTURES
from tests.engagements.helpers import counts, fire, force_state, step

KINDS_MODEL = load_model_file(FIXTURES / "models" / "kinds.yaml")


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for spec in KINDS_MODEL.steps_by_key.values():
        machine = MACHINE_BY_KIND[spec.kind]
        events = [e.id for e in machine.events]
        cases.extend((spec.key, state.id, event) for state in machine.states for event in events)
    return cases


@pytest.mark.parametrize(("step_key", "state", "event"), _cases())
def test_door_accepts_exactly_the_table(db, clock, launch_engagement, step_key, state, event) -> None:
    engagement_id = launch_engagement(KINDS_MODEL)
    for other in KINDS_MODEL.steps_by_key:  # the other steps are finished: only the pair under test matters
        force_state(db, engagement_id, other, "done")
    force_state(db, engagement_id, step_key, state)
    spec = KINDS_MODEL.steps_by_key[step_key]
    expected = transition_table(MACHINE_BY_KIND[spec.kind]).get((state, event))
    with db.reading() as session:
        roles = allowed_roles(load_subject(session, engagement_id, step_key), event)
    actor = ActorRef.system() if event == "make_ready" else ActorRef("someone", roles)
    before = counts(db, engagement_id)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            fire(db, clock, engagement_id, step_key, event, actor, comment="motif")
        assert [r.code for r in refused.value.reasons] == ["transition.not_allowed"]
        assert step(db, engagement_id, step_key).state == state
        assert counts(db, engagement_id) == before
    else:
        result = fire(db, clock, engagement_id, step_key, event, actor, comment="motif")
        assert (result.from_state, result.to_state) == (state, expected)
        assert step(db, engagement_id, step_key).state == expected


def test_users_cannot_send_system_events(db, clock, launch_engagement) -> None:
    engagement_id = launch_engagement(KINDS_MODEL)
    force_state(db, engagement_id, "task", "pending")
    with pytest.raises(Forbidden):
        fire(
            db,
            clock,
            engagement_id,
            "task",
            "make_ready",
            ActorRef.of("x", "consultant", "chef_de_projet", "elu"),
        )
