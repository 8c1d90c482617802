"""State machines (python-statemachine) for steps and engagements.

The machines only know states and transitions. Who may send an event (``EVENT_ACTORS``) and what must be
true (guards) are checked by the one door, ``gouvernance.engagements.transitions``, before it sends the event.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from statemachine import State, StateMachine


class Actor(StrEnum):
    """Who may send an event, relative to the step: resolved to real roles by the door."""

    RESPONSIBLE = "responsible"  # the step's role
    REVIEWER = "reviewer"  # the step's reviewer role
    REOPENER = "reopener"  # the model's reopen_roles
    CONTRIBUTOR = "contributor"  # any role that takes part in the engagement
    SYSTEM = "system"  # the engine itself (readiness)
    LEAD = "lead"  # engagement-level: consultant or chef de projet


class _ReopenableMachine(StateMachine):
    # "done" can always be reopened, so only "skipped" is final and most states never reach it: that is
    # the design, not a mistake, so the reachability check is off.
    validate_final_reachability = False


class StepMachine(_ReopenableMachine):
    """task, training, mediation, evaluation: do the work, submit it, have it approved."""

    pending = State("En attente", initial=True)
    ready = State("Prête")
    in_progress = State("En cours")
    in_review = State("En revue")
    done = State("Terminée")
    skipped = State("Sautée", final=True)
    reopened = State("Rouverte")

    make_ready = pending.to(ready)
    start = ready.to(in_progress) | reopened.to(in_progress)
    submit = in_progress.to(in_review)
    approve = in_review.to(done)
    request_rework = in_review.to(in_progress)
    endorse = in_progress.to.itself(internal=True) | in_review.to.itself(internal=True)
    skip = pending.to(skipped) | ready.to(skipped)
    reopen = done.to(reopened)


class ReviewStepMachine(_ReopenableMachine):
    """review: like a task, but the reviewer may send the reviewed steps back; the review then waits for
    them (pending) and becomes ready again once they are done. Separate class, not a subclass: states are
    objects, and a subclass adding transitions would add them to StepMachine's states too."""

    pending = State("En attente", initial=True)
    ready = State("Prête")
    in_progress = State("En cours")
    in_review = State("En revue")
    done = State("Terminée")
    skipped = State("Sautée", final=True)
    reopened = State("Rouverte")

    make_ready = pending.to(ready)
    start = ready.to(in_progress) | reopened.to(in_progress)
    submit = in_progress.to(in_review)
    approve = in_review.to(done)
    request_rework = in_review.to(in_progress)
    send_back = in_progress.to(pending) | in_review.to(pending)
    endorse = in_progress.to.itself(internal=True) | in_review.to.itself(internal=True)
    skip = pending.to(skipped) | ready.to(skipped)
    reopen = done.to(reopened)


class DecisionStepMachine(_ReopenableMachine):
    """decision: a proposal is put to the decision-makers, who adopt it or reject it for rework."""

    pending = State("En attente", initial=True)
    ready = State("Prête")
    in_progress = State("En préparation")
    in_review = State("Soumise à décision")
    done = State("Adoptée")
    skipped = State("Sautée", final=True)
    reopened = State("Rouverte")

    make_ready = pending.to(ready)
    start = ready.to(in_progress) | reopened.to(in_progress)
    submit = in_progress.to(in_review)
    adopt = in_review.to(done)
    reject = in_review.to(in_progress)
    endorse = in_progress.to.itself(internal=True) | in_review.to.itself(internal=True)
    skip = pending.to(skipped) | ready.to(skipped)
    reopen = done.to(reopened)


class ConsultationStepMachine(_ReopenableMachine):
    """consultation: prepared, then open to stakeholders for a while, closed, and its synthesis reviewed."""

    pending = State("En attente", initial=True)
    ready = State("Prête")
    in_progress = State("En préparation")
    consulting = State("Consultation ouverte")
    in_review = State("Synthèse en revue")
    done = State("Terminée")
    skipped = State("Sautée", final=True)
    reopened = State("Rouverte")

    make_ready = pending.to(ready)
    start = ready.to(in_progress) | reopened.to(in_progress)
    open_consultation = in_progress.to(consulting)
    close_consultation = consulting.to(in_review)
    approve = in_review.to(done)
    request_rework = in_review.to(in_progress)
    endorse = in_progress.to.itself(internal=True) | in_review.to.itself(internal=True)
    skip = pending.to(skipped) | ready.to(skipped)
    reopen = done.to(reopened)


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


class EngagementMachine(StateMachine):
    draft = State("Brouillon", initial=True)
    active = State("Actif")
    suspended = State("Suspendu")
    completed = State("Terminé", final=True)
    cancelled = State("Annulé", final=True)

    activate = draft.to(active)
    suspend = active.to(suspended)
    resume = suspended.to(active)
    complete = active.to(completed)
    cancel = draft.to(cancelled) | active.to(cancelled) | suspended.to(cancelled)


MACHINE_BY_KIND: dict[str, type[StateMachine]] = {
    "task": StepMachine,
    "training": StepMachine,
    "mediation": StepMachine,
    "evaluation": StepMachine,
    "review": ReviewStepMachine,
    "decision": DecisionStepMachine,
    "consultation": ConsultationStepMachine,
}

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
    "send_back": Actor.RESPONSIBLE,
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
    "approve": ("Valider", "Approve"),
    "adopt": ("Adopter", "Adopt"),
    "reject": ("Rejeter", "Reject"),
    "request_rework": ("Demander une reprise", "Request rework"),
    "send_back": ("Renvoyer pour reprise", "Send back"),
    "skip": ("Sauter", "Skip"),
    "endorse": ("Approuver", "Endorse"),
    "reopen": ("Rouvrir", "Reopen"),
    "activate": ("Activer", "Activate"),
    "suspend": ("Suspendre", "Suspend"),
    "resume": ("Reprendre", "Resume"),
    "complete": ("Clôturer", "Complete"),
    "cancel": ("Annuler", "Cancel"),
}
