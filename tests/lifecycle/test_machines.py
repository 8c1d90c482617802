"""The lifecycles, pair by pair: every (state, event) is either the documented transition or refused."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from gouvernance.lifecycle.machines import (
    EVENT_ACTORS,
    LIFECYCLE_BY_KIND,
    MACHINE_BY_KIND,
    ConsultationStepMachine,
    DecisionStepMachine,
    EngagementMachine,
    ReviewStepMachine,
    StepMachine,
    bind,
    machine_events,
    restored,
    transition_table,
)

# The documented tables, written out by hand: the machines must match them exactly.
COMMON_STEP = {
    ("pending", "make_ready"): "ready",
    ("pending", "skip"): "skipped",
    ("ready", "skip"): "skipped",
    ("ready", "start"): "in_progress",
    ("reopened", "start"): "in_progress",
    ("in_progress", "endorse"): "in_progress",
    ("in_review", "endorse"): "in_review",
    ("done", "reopen"): "reopened",
}
TASK = {
    **COMMON_STEP,
    ("in_progress", "submit"): "in_review",
    ("in_review", "approve"): "done",
    ("in_review", "request_rework"): "in_progress",
}
REVIEW = {**TASK, ("in_progress", "send_back"): "pending", ("in_review", "send_back"): "pending"}
DECISION = {
    **COMMON_STEP,
    ("in_progress", "submit"): "in_review",
    ("in_review", "adopt"): "done",
    ("in_review", "reject"): "in_progress",
}
CONSULTATION = {
    **COMMON_STEP,
    ("in_progress", "open_consultation"): "consulting",
    ("consulting", "close_consultation"): "in_review",
    ("in_review", "approve"): "done",
    ("in_review", "request_rework"): "in_progress",
}
ENGAGEMENT = {
    ("draft", "activate"): "active",
    ("draft", "cancel"): "cancelled",
    ("active", "suspend"): "suspended",
    ("active", "complete"): "completed",
    ("active", "cancel"): "cancelled",
    ("suspended", "resume"): "active",
    ("suspended", "cancel"): "cancelled",
}
TABLES: dict[type[StateMachine], dict[tuple[str, str], str]] = {
    StepMachine: TASK,
    ReviewStepMachine: REVIEW,
    DecisionStepMachine: DECISION,
    ConsultationStepMachine: CONSULTATION,
    EngagementMachine: ENGAGEMENT,
}
ALL_EVENTS = sorted({event for table in TABLES.values() for _, event in table})


def _pairs() -> list[tuple[type[StateMachine], str, str]]:
    return [
        (machine, state.id, event)
        for machine in TABLES
        for state, event in itertools.product(machine.states, ALL_EVENTS)
    ]


@pytest.mark.parametrize(
    ("machine", "state", "event"), _pairs(), ids=lambda v: v.__name__ if isinstance(v, type) else str(v)
)
def test_every_state_event_pair(machine: type[StateMachine], state: str, event: str) -> None:
    row = SimpleNamespace(state=state)
    expected = TABLES[machine].get((state, event))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            bind(machine, row).send(event)
        assert row.state == state
    else:
        bind(machine, row).send(event)
        assert row.state == expected


def test_each_kind_has_a_machine_and_differing_kinds_differ() -> None:
    assert set(MACHINE_BY_KIND) == {
        "task",
        "review",
        "consultation",
        "decision",
        "training",
        "mediation",
        "evaluation",
    }
    assert MACHINE_BY_KIND["decision"] is DecisionStepMachine
    assert MACHINE_BY_KIND["consultation"] is ConsultationStepMachine
    assert MACHINE_BY_KIND["review"] is ReviewStepMachine


def test_review_machine_does_not_leak_send_back_into_task_machine() -> None:
    row = SimpleNamespace(state="in_progress")
    with pytest.raises(TransitionNotAllowed):
        bind(StepMachine, row).send("send_back")


def test_restored_machines_start_from_the_stored_state_even_after_a_final_one() -> None:
    # The door reuses machine instances per thread; one that reached a final state must not be reused.
    with restored(StepMachine, "ready") as machine:
        machine.send("skip")
        assert machine.model.state == "skipped"
    with restored(StepMachine, "pending") as machine:
        machine.send("make_ready")
        assert machine.model.state == "ready"
    with restored(StepMachine, "in_review") as machine:
        assert {e.id for e in machine.allowed_events} == {"approve", "request_rework", "endorse"}


@pytest.mark.parametrize("kind", sorted(LIFECYCLE_BY_KIND))
def test_each_machine_is_built_from_its_row_of_the_table(kind: str) -> None:
    lifecycle, machine = LIFECYCLE_BY_KIND[kind], MACHINE_BY_KIND[kind]
    assert transition_table(machine) == {
        (source, event): target for source, event, target in lifecycle.transitions
    }
    assert [state.id for state in machine.states] == list(lifecycle.states)
    assert [state.name for state in machine.states] == list(lifecycle.states.values())
    assert {state.id for state in machine.final_states} == lifecycle.final
    assert set(machine_events(machine)) <= EVENT_ACTORS.keys()


def test_kinds_sharing_a_lifecycle_share_one_class() -> None:
    # The pool of restored machines is per class: one class per lifecycle, not per kind.
    assert MACHINE_BY_KIND["training"] is MACHINE_BY_KIND["task"] is StepMachine
