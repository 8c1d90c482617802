"""State machines (python-statemachine) for steps and engagements, built from one table.

Each lifecycle is data: its states (with their French names), its transitions (from, event, to) and, for
every event, who may send it. The python-statemachine classes are built from that table, so the kinds
cannot drift apart. The machines only know states and transitions: who may send an event
(``EVENT_ACTORS``) and what must be true (rules, guards) are checked by the one door,
``gouvernance.engagements.transitions``, before it sends the event.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from statemachine import State, StateMachine


class Actor(StrEnum):
    """Who may send an event, relative to the step: resolved to real roles by the door."""

    RESPONSIBLE = "responsible"  # the step's role
    REVIEWER = "reviewer"  # the step's reviewer role
    RESPONSIBLE_OR_REVIEWER = "responsible_or_reviewer"  # either: who conducts a review, or who approves it
    REOPENER = "reopener"  # the model's reopen_roles
    CONTRIBUTOR = "contributor"  # any role that takes part in the engagement
    SYSTEM = "system"  # the engine itself (readiness)
    LEAD = "lead"  # engagement-level: consultant or chef de projet


class EngagementState(StrEnum):
    """The states of an engagement, as ``EngagementMachine`` names them."""

    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class EngagementEvent(StrEnum):
    """The events people send to an engagement. ``activate`` is not one: launching sends it."""

    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"
    COMPLETE = "complete"


# Who may send each event. One table for every machine: events with the same name mean the same thing.
EVENT_ACTORS: dict[str, Actor] = {
    "make_ready": Actor.SYSTEM,
    "start": Actor.RESPONSIBLE,
    "submit": Actor.RESPONSIBLE,
    "open_consultation": Actor.RESPONSIBLE,
    "close_consultation": Actor.RESPONSIBLE,
    "approve": Actor.REVIEWER,
    "adopt": Actor.REVIEWER,
    "reject": Actor.REVIEWER,
    "request_rework": Actor.REVIEWER,
    "send_back": Actor.RESPONSIBLE_OR_REVIEWER,
    "skip": Actor.REVIEWER,
    "endorse": Actor.CONTRIBUTOR,
    "reopen": Actor.REOPENER,
    # engagement
    "activate": Actor.LEAD,
    "suspend": Actor.LEAD,
    "resume": Actor.LEAD,
    "complete": Actor.LEAD,
    "cancel": Actor.LEAD,
}


@dataclass(frozen=True, eq=False)  # hashed by identity: a lifecycle is a key of the class table
class Lifecycle:
    """One lifecycle as data. The first state is the initial one; an event listed twice from different
    states is one event with several transitions; a transition to its own state is internal (no exit)."""

    name: str
    doc: str
    states: Mapping[str, str]  # state id -> French name
    transitions: tuple[tuple[str, str, str], ...]  # (from, event, to), in the order events are offered
    final: frozenset[str]
    # "done" can always be reopened, so only "skipped" is final and most states never reach it: that is
    # the design, not a mistake, so the reachability check is off for steps.
    check_final_reachability: bool = False


_STEP_STATES = {
    "pending": "En attente",
    "ready": "Prête",
    "in_progress": "En cours",
    "in_review": "En revue",
    "done": "Terminée",
    "skipped": "Sautée",
    "reopened": "Rouverte",
}
_READYING = (("pending", "make_ready", "ready"), ("ready", "start", "in_progress"))
_RESTARTING = (("reopened", "start", "in_progress"),)
_ENDORSING = (("in_progress", "endorse", "in_progress"), ("in_review", "endorse", "in_review"))
_SKIPPING_AND_REOPENING = (
    ("pending", "skip", "skipped"),
    ("ready", "skip", "skipped"),
    ("done", "reopen", "reopened"),
)
_REVIEWED_WORK = (
    ("in_progress", "submit", "in_review"),
    ("in_review", "approve", "done"),
    ("in_review", "request_rework", "in_progress"),
)
_SENDING_BACK = (("in_progress", "send_back", "pending"), ("in_review", "send_back", "pending"))

TASK = Lifecycle(
    "StepMachine",
    "task, training, mediation, evaluation: do the work, submit it, have it approved.",
    _STEP_STATES,
    (*_READYING, *_RESTARTING, *_REVIEWED_WORK, *_ENDORSING, *_SKIPPING_AND_REOPENING),
    frozenset({"skipped"}),
)
REVIEW = Lifecycle(
    "ReviewStepMachine",
    "review: like a task, but the reviewer may send the reviewed steps back; the review then waits for "
    "them (pending) and becomes ready again once they are done.",
    _STEP_STATES,
    (*_READYING, *_RESTARTING, *_REVIEWED_WORK, *_SENDING_BACK, *_ENDORSING, *_SKIPPING_AND_REOPENING),
    frozenset({"skipped"}),
)
DECISION = Lifecycle(
    "DecisionStepMachine",
    "decision: a proposal is put to the decision-makers, who adopt it or reject it for rework.",
    {**_STEP_STATES, "in_progress": "En préparation", "in_review": "Soumise à décision", "done": "Adoptée"},
    (
        *_READYING,
        *_RESTARTING,
        ("in_progress", "submit", "in_review"),
        ("in_review", "adopt", "done"),
        ("in_review", "reject", "in_progress"),
        *_ENDORSING,
        *_SKIPPING_AND_REOPENING,
    ),
    frozenset({"skipped"}),
)
CONSULTATION = Lifecycle(
    "ConsultationStepMachine",
    "consultation: prepared, then open to stakeholders for a while, closed, and its synthesis reviewed.",
    {
        "pending": "En attente",
        "ready": "Prête",
        "in_progress": "En préparation",
        "consulting": "Consultation ouverte",
        "in_review": "Synthèse en revue",
        "done": "Terminée",
        "skipped": "Sautée",
        "reopened": "Rouverte",
    },
    (
        *_READYING,
        *_RESTARTING,
        ("in_progress", "open_consultation", "consulting"),
        ("consulting", "close_consultation", "in_review"),
        ("in_review", "approve", "done"),
        ("in_review", "request_rework", "in_progress"),
        *_ENDORSING,
        *_SKIPPING_AND_REOPENING,
    ),
    frozenset({"skipped"}),
)
ENGAGEMENT = Lifecycle(
    "EngagementMachine",
    "an engagement: drafted, active (possibly suspended for a while), then completed or cancelled.",
    {
        "draft": "Brouillon",
        "active": "Actif",
        "suspended": "Suspendu",
        "completed": "Terminé",
        "cancelled": "Annulé",
    },
    (
        ("draft", "activate", "active"),
        ("active", "suspend", "suspended"),
        ("suspended", "resume", "active"),
        ("active", "complete", "completed"),
        ("draft", "cancel", "cancelled"),
        ("active", "cancel", "cancelled"),
        ("suspended", "cancel", "cancelled"),
    ),
    frozenset({"completed", "cancelled"}),
    check_final_reachability=True,
)

# The lifecycle of each step kind.
LIFECYCLE_BY_KIND: dict[str, Lifecycle] = {
    "task": TASK,
    "training": TASK,
    "mediation": TASK,
    "evaluation": TASK,
    "review": REVIEW,
    "decision": DECISION,
    "consultation": CONSULTATION,
}


def build_machine(lifecycle: Lifecycle) -> type[StateMachine]:
    """The python-statemachine class for a lifecycle: a ``StateMachine`` subclass whose class body holds
    fresh ``State``s and their ``.to()`` transitions, as if written by hand."""
    unknown = {event for _, event, _ in lifecycle.transitions} - EVENT_ACTORS.keys()
    assert not unknown, f"{lifecycle.name}: no actor for {sorted(unknown)}"
    initial = next(iter(lifecycle.states))
    states = {
        key: State(name, initial=key == initial, final=key in lifecycle.final)
        for key, name in lifecycle.states.items()
    }
    events: dict[str, Any] = {}
    for source, event, target in lifecycle.transitions:
        if source == target:
            step = states[source].to.itself(internal=True)
        else:
            step = states[source].to(states[target])
        events[event] = events[event] | step if event in events else step
    body = {
        "__doc__": lifecycle.doc,
        "__module__": __name__,
        "validate_final_reachability": lifecycle.check_final_reachability,
        **states,
        **events,
    }
    return types.new_class(
        lifecycle.name, (StateMachine,), exec_body=lambda namespace: namespace.update(body)
    )


_MACHINE_BY_LIFECYCLE = {
    lifecycle: build_machine(lifecycle) for lifecycle in (TASK, REVIEW, DECISION, CONSULTATION, ENGAGEMENT)
}
StepMachine = _MACHINE_BY_LIFECYCLE[TASK]
ReviewStepMachine = _MACHINE_BY_LIFECYCLE[REVIEW]
DecisionStepMachine = _MACHINE_BY_LIFECYCLE[DECISION]
ConsultationStepMachine = _MACHINE_BY_LIFECYCLE[CONSULTATION]
EngagementMachine = _MACHINE_BY_LIFECYCLE[ENGAGEMENT]

# Kinds sharing a lifecycle share its class (and so the pool of restored machines).
MACHINE_BY_KIND: dict[str, type[StateMachine]] = {
    kind: _MACHINE_BY_LIFECYCLE[lifecycle] for kind, lifecycle in LIFECYCLE_BY_KIND.items()
}

# Events that need a written reason (comment); the door refuses them without one.
EVENTS_NEEDING_REASON = frozenset(
    {"request_rework", "reject", "send_back", "skip", "reopen", "suspend", "cancel"}
)

TERMINAL_STEP_STATES = frozenset({"done", "skipped"})
ACTIONABLE_STEP_STATES = frozenset({"ready", "in_progress", "consulting", "in_review", "reopened"})


def machine_events(machine: type[StateMachine]) -> tuple[str, ...]:
    events: Any = machine.events  # a class-level list; typed as a method on instances
    return tuple(event.id for event in events)


def transition_table(machine: type[StateMachine]) -> dict[tuple[str, str], str]:
    """(state, event) -> target state, for every allowed pair."""
    table: dict[tuple[str, str], str] = {}
    for state in machine.states:
        for transition in state.transitions:
            for event in transition.events:
                table[(state.id, str(event))] = transition.target.id
    return table


def bind(machine: type[StateMachine], row: Any) -> StateMachine:
    """A machine bound to a row's ``state`` attribute: sending an event writes the new state on the row."""
    return machine(model=row, state_field="state")


class _StateHolder:
    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


_pools = threading.local()


@contextmanager
def restored(machine: type[StateMachine], state: str) -> Iterator[StateMachine]:
    """The machine restored at ``state``, as constructing it on a stored value does, but reusing an instance
    from a per-thread pool: building one costs as much as the rest of a transition. The machine works on
    its own holder, so the caller reads the outcome from ``machine.model.state``."""
    pool: dict[type[StateMachine], list[StateMachine]] = _pools.__dict__.setdefault("machines", {})
    free = pool.setdefault(machine, [])
    instance = free.pop() if free else machine(model=_StateHolder(state), state_field="state")
    instance.model.state = state
    yield instance  # an instance that saw an error is not put back
    # Nor is one that reached a final state: the engine then considers the machine terminated.
    if instance.model.state not in _final_state_ids(machine):
        free.append(instance)


def _final_state_ids(machine: type[StateMachine]) -> frozenset[str]:
    return frozenset(state.id for state in machine.final_states)


# French labels for states, as users read them (the state names are the same in YAML, database and API).
STATE_LABELS_FR = {
    "pending": "en attente",
    "ready": "prête",
    "in_progress": "en cours",
    "consulting": "consultation ouverte",
    "in_review": "en revue",
    "done": "terminée",
    "skipped": "sautée",
    "reopened": "rouverte",
    "draft": "brouillon",
    "active": "actif",
    "suspended": "suspendu",
    "completed": "terminé",
    "cancelled": "annulé",
}

STATE_LABELS_EN = {
    "pending": "Pending",
    "ready": "Ready",
    "in_progress": "In progress",
    "consulting": "Consultation open",
    "in_review": "In review",
    "done": "Done",
    "skipped": "Skipped",
    "reopened": "Reopened",
    "draft": "Draft",
    "active": "Active",
    "suspended": "Suspended",
    "completed": "Completed",
    "cancelled": "Cancelled",
}

EVENT_LABELS = {
    "make_ready": ("Rendre prête", "Make ready"),
    "start": ("Démarrer", "Start"),
    "submit": ("Soumettre", "Submit"),
    "open_consultation": ("Ouvrir la consultation", "Open the consultation"),
    "close_consultation": ("Clore la consultation", "Close the consultation"),
    "approve": ("Valider l'étape", "Approve"),
    "adopt": ("Adopter", "Adopt"),
    "reject": ("Rejeter", "Reject"),
    "request_rework": ("Demander une reprise", "Request rework"),
    "send_back": ("Renvoyer pour reprise", "Send back"),
    "skip": ("Sauter", "Skip"),
    "endorse": ("Émettre un avis favorable", "Endorse"),
    "reopen": ("Rouvrir", "Reopen"),
    "activate": ("Activer", "Activate"),
    "suspend": ("Suspendre", "Suspend"),
    "resume": ("Reprendre", "Resume"),
    "complete": ("Clôturer", "Complete"),
    "cancel": ("Annuler", "Cancel"),
}
