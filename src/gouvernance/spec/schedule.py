"""A journey's calendar as planned at launch: when each step would start and fall due if every step took
exactly its duration, stages waiting for the stages before them and steps for the steps they follow. Pure:
a model and a start date. Used to warn before launching (electoral periods)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gouvernance.spec.schema import ProcessModel


@dataclass(frozen=True)
class PlannedStep:
    key: str
    stage_key: str
    starts: date
    due: date


def planned_calendar(model: ProcessModel, start: date) -> dict[str, PlannedStep]:
    """Each step's planned start and due date, in the model's order (stages are listed after the stages
    they follow: the loader checks it)."""
    stage_end: dict[str, date] = {}
    planned: dict[str, PlannedStep] = {}
    for stage in model.stages:
        opens = max((stage_end[before] for before in stage.after), default=start)
        for step in stage.steps:
            begins = max(
                (planned[p].due for p in model.step_prerequisites[step.key] if p in planned), default=opens
            )
            planned[step.key] = PlannedStep(step.key, stage.key, begins, begins + step.duration)
        stage_end[stage.key] = max(planned[step.key].due for step in stage.steps)
    return planned
