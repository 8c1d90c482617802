"""A journey's calendar as planned at launch: when each step would start and fall due if every step took
exactly its duration, stages waiting for the stages before them and steps for the steps they follow. Pure:
a model and a start date. Used to warn before launching (electoral periods)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from gouvernance.spec.schema import ProcessModel


@dataclass(frozen=True)
class PlannedStep:
    key: str
    stage_key: str
    starts: date
    due: date


def planned_calendar(
    model: ProcessModel, start: date, *, scale: float = 1.0, left_out: Collection[str] = ()
) -> dict[str, PlannedStep]:
    """Each step's planned start and due date, in the model's order (stages are listed after the stages
    they follow: the loader checks it). ``scale``: the engagement's duration scale; ``left_out``: steps that
    do not apply to it (they take no time)."""
    stage_end: dict[str, date] = {}
    planned: dict[str, PlannedStep] = {}
    for stage in model.stages:
        opens = max((stage_end[before] for before in stage.after), default=start)
        for step in stage.steps:
            begins = max(
                (planned[p].due for p in model.step_prerequisites[step.key] if p in planned), default=opens
            )
            duration = step.duration * scale if step.key not in left_out else step.duration * 0
            planned[step.key] = PlannedStep(step.key, stage.key, begins, begins + duration)
        stage_end[stage.key] = max(planned[step.key].due for step in stage.steps)
    return planned


def not_applicable_steps(model: ProcessModel, parameters: dict[str, Any]) -> dict[str, str]:
    """The steps whose ``when:`` conditions (or their stage's) do not hold for these launch parameters, each
    with the first condition that fails, in French."""
    skipped: dict[str, str] = {}
    for stage in model.stages:
        for step in stage.steps:
            for condition in (*stage.when, *step.when):
                actual = parameters.get(condition.parameter)
                if not condition.holds(actual):
                    skipped[step.key] = (
                        f"condition non remplie : {condition.describe()} (valeur : {actual!r})"
                    )
                    break
    return skipped
