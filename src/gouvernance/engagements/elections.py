"""Electoral periods: a journey's consultations should not fall in the months before a general election of
the territory's assemblies, when the Code électoral (art. L52-1) restricts the publicity of the outgoing
majority's achievements and when residents hear campaign promises rather than a consultation. Launching
warns, naming the steps concerned; it does not refuse (the collectivité decides).

The calendar is data, to be kept up to date: the dates of the next general elections by kind of territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gouvernance.engagements.settings import DURATION_SCALE
from gouvernance.errors import Message
from gouvernance.messages import plural
from gouvernance.spec.schedule import not_applicable_steps, planned_calendar
from gouvernance.spec.schema import ProcessModel


@dataclass(frozen=True)
class Election:
    name: str  # « élections municipales »…
    held_on: date  # first round


# Next general elections of each kind of territory's assembly (first round). EPCI councillors are elected
# with the municipal councils.
ELECTIONS: dict[str, tuple[Election, ...]] = {
    "commune": (
        Election("élections municipales", date(2026, 3, 15)),
        Election("élections municipales", date(2032, 3, 14)),
    ),
    "epci": (
        Election("élections municipales et communautaires", date(2026, 3, 15)),
        Election("élections municipales et communautaires", date(2032, 3, 14)),
    ),
    "departement": (Election("élections départementales", date(2028, 3, 19)),),
    "region": (Election("élections régionales", date(2028, 3, 19)),),
}
# The pre-electoral period of art. L52-1 of the Code électoral: the six months before the month of the vote.
PRE_ELECTORAL_MONTHS = 6
CONSULTING_KINDS = frozenset({"consultation"})


def pre_electoral_start(election: Election) -> date:
    first_of_month = election.held_on.replace(day=1)
    month = first_of_month.month - PRE_ELECTORAL_MONTHS
    year = first_of_month.year + (month - 1) // 12
    return first_of_month.replace(year=year, month=(month - 1) % 12 + 1)


def electoral_warnings(
    model: ProcessModel, territory_kind: str, start: date, parameters: dict[str, Any] | None = None
) -> list[Message]:
    """One warning per election whose pre-electoral period the journey's planned consultations overlap,
    naming each such step with its planned dates. ``parameters``: the engagement's launch parameters (its
    duration scale, and the steps that do not apply to it)."""
    parameters = parameters or {}
    left_out = not_applicable_steps(model, parameters)
    scale = float(parameters.get(DURATION_SCALE, 1.0))
    calendar = planned_calendar(model, start, scale=scale, left_out=left_out)
    consultations = [
        calendar[step.key]
        for step in model.steps_by_key.values()
        if step.kind in CONSULTING_KINDS and step.key not in left_out
    ]
    warnings = []
    for election in ELECTIONS.get(territory_kind, ()):
        period_start = pre_electoral_start(election)
        period_end = election.held_on + timedelta(days=7)  # through the second round
        caught = [p for p in consultations if p.starts <= period_end and p.due >= period_start]
        if not caught:
            continue
        steps = " ; ".join(
            f"« {model.steps_by_key[p.key].title.fr} » ({_day(p.starts)} – {_day(p.due)})" for p in caught
        )
        warnings.append(
            Message(
                "launch.pre_electoral_period",
                f"{plural(len(caught), 'consultation prévue', 'consultations prévues')} pendant la période "
                f"pré-électorale des {election.name} du {_day(election.held_on)} (à partir du "
                f"{_day(period_start)}) : {steps}. Avancez ou reportez le calendrier, ou adaptez ces temps "
                "d'échange (art. L52-1 du code électoral).",
                f"{len(caught)} consultation(s) planned during the pre-electoral period of the "
                f"{election.name} of {election.held_on.isoformat()}: " + ", ".join(p.key for p in caught),
                details={
                    "election": election.name,
                    "held_on": election.held_on.isoformat(),
                    "period_start": period_start.isoformat(),
                    "steps": [
                        {"step": p.key, "starts": p.starts.isoformat(), "due": p.due.isoformat()}
                        for p in caught
                    ],
                },
            )
        )
    return warnings


_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _day(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"
