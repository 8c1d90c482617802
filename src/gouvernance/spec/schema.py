"""The process-model document: what a YAML file in process_models/ may say, validated by pydantic.

A ProcessModel is immutable. Cross-references (stage and step dependencies, roles, deliverables, guards)
are checked afterwards by ``validation.py``, which also compiles the guards and the indexes below.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from gouvernance.guards.registry import Guard
from gouvernance.inputs import DATE_MAX, DATE_MIN, DATE_RANGE, number_problem

KEY_PATTERN = r"^[a-z][a-z0-9_\-]*$"
Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=80)]

StepKind = Literal["task", "review", "consultation", "decision", "training", "mediation", "evaluation"]
STEP_KINDS: tuple[str, ...] = StepKind.__args__  # type: ignore[attr-defined]

_DURATION = re.compile(
    r"^\s*(?:(?P<n>\d+)\s*(?P<unit>d|j|jours?|days?|w|s|semaines?|weeks?|m|mois|months?)"
    r"|P(?:(?P<iso_w>\d+)W|(?P<iso_d>\d+)D))\s*$",
    re.IGNORECASE,
)


def parse_duration(value: Any) -> timedelta:
    """'10d', '10 jours', '3w', '2 semaines', '1 mois' (30 days), 'P10D', 'P2W' or a number of days."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("durée attendue, par exemple « 10 jours » ou « 2w »")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("une durée ne peut pas être négative")
        return timedelta(days=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"durée illisible « {value} » (exemples : « 10 jours », « 3w », « P2W »)")
    if match["iso_w"]:
        return timedelta(weeks=int(match["iso_w"]))
    if match["iso_d"]:
        return timedelta(days=int(match["iso_d"]))
    count, unit = int(match["n"]), match["unit"].lower()
    if unit[0] in "wsS":
        return timedelta(weeks=count)
    if unit[0] == "m":
        return timedelta(days=30 * count)
    return timedelta(days=count)


def _localized(value: Any) -> Any:
    return {"fr": value} if isinstance(value, str) else value


class Localized(BaseModel):
    """A text in French, optionally in English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: str = Field(min_length=1)
    en: str | None = None

    def text(self, lang: str = "fr") -> str:
        return (self.en or self.fr) if lang == "en" else self.fr


Text = Annotated[Localized, BeforeValidator(_localized)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterValueError(ValueError):
    """A launch value the parameter refuses, said in French (the message) and in English."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(fr)
        self.en = en


Bound = Annotated[
    int | float | None,
    Field(default=None, exclude_if=lambda bound: bound is None, allow_inf_nan=False),
]


class ParameterSpec(_Spec):
    key: Key
    type: Literal["string", "integer", "number", "boolean", "date", "choice"] = "string"
    title: Text
    description: Text | None = None
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    # Integer and number parameters only. Left out of the stored form when unset, so that models written
    # before they existed keep their fingerprint.
    minimum: Bound = None
    maximum: Bound = None

    @model_validator(mode="after")
    def _bounds_fit(self) -> ParameterSpec:
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and self.type not in ("integer", "number"):
            raise ValueError("« minimum » et « maximum » ne valent que pour un paramètre integer ou number")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("« minimum » dépasse « maximum »")
        if bounded and self.default is not None:
            self.coerce(self.default)
        return self

    def coerce(self, raw: Any) -> Any:
        """A launch value (often text from the command line) as the parameter's type; ValueError if not."""
        if raw is None:
            return None
        text = str(raw).strip()
        if self.type == "integer":
            return self._within_bounds(
                raw if isinstance(raw, int) and not isinstance(raw, bool) else int(text)
            )
        if self.type == "number":
            try:
                number = (
                    float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else float(text)
                )
            except OverflowError:
                raise ParameterValueError(
                    f"« {text[:40]} » est trop grand", f"'{text[:40]}' is too large"
                ) from None
            return self._within_bounds(number)
        if self.type == "boolean":
            if isinstance(raw, bool):
                return raw
            lowered = text.lower()
            if lowered in {"true", "vrai", "oui", "yes", "1"}:
                return True
            if lowered in {"false", "faux", "non", "no", "0"}:
                return False
            raise ValueError(f"« {raw} » n'est pas un booléen (oui/non)")
        if self.type == "date":
            day = raw if isinstance(raw, date) else date.fromisoformat(text)
            if not DATE_MIN <= day <= DATE_MAX:
                raise ParameterValueError(
                    f"date hors limites ({day.isoformat()}) ; {DATE_RANGE.lower()}",
                    f"date out of range ({day.isoformat()}): from {DATE_MIN} to {DATE_MAX}",
                )
            return day.isoformat()
        if self.type == "choice" and text not in self.choices:
            raise ValueError(f"« {raw} » n'est pas parmi {', '.join(self.choices)}")
        return text

    def _within_bounds(self, number: float) -> float:
        if number_problem(number):
            raise ParameterValueError(
                "nombre fini attendu, et entier entre -2^63 et 2^63-1",
                "finite number expected, and integer between -2^63 and 2^63-1",
            )
        if self.minimum is not None and number < self.minimum:
            raise ParameterValueError(
                f"au moins {self.minimum} attendu (reçu {number})",
                f"at least {self.minimum} expected (got {number})",
            )
        if self.maximum is not None and number > self.maximum:
            raise ParameterValueError(
                f"au plus {self.maximum} attendu (reçu {number})",
                f"at most {self.maximum} expected (got {number})",
            )
        return number


class RoleSpec(_Spec):
    key: Key
    title: Text
    description: Text | None = None


class DeliverableSpec(_Spec):
    key: Key
    title: Text
    description: Text | None = None
    formats: tuple[Literal["html", "pdf", "docx"], ...] = ("html", "pdf", "docx")


class StepDeliverables(_Spec):
    requires: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()


class ReminderPolicy(_Spec):
    before_due_days: tuple[Annotated[int, Field(ge=0, le=365)], ...] = (3,)
    escalate_after_days: Annotated[int, Field(ge=0, le=365)] | None = None
    escalate_to: str | None = None


class Condition(_Spec):
    """A condition on a launch parameter (``when:`` of a stage or a step): the step applies to an engagement
    only where it holds, e.g. ``{parameter: perimetre, op: eq, value: epci}``."""

    parameter: str
    op: Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "not_in"] = "eq"
    value: Any = True

    def holds(self, actual: Any) -> bool:
        try:
            return actual is not None and bool(CONDITION_OPERATORS[self.op](actual, self.value))
        except TypeError:
            return False

    def describe(self) -> str:
        return f"{self.parameter} {CONDITION_TEXT[self.op]} {self.value!r}"


CONDITION_OPERATORS: dict[str, Any] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}
CONDITION_TEXT = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "in": "∈", "not_in": "∉"}


def _conditions(value: Any) -> Any:
    """``when:`` takes one condition or a list of them, all to hold."""
    return [value] if isinstance(value, dict) else value


When = Annotated[tuple[Condition, ...], BeforeValidator(_conditions)]


class StepSpec(_Spec):
    key: Key
    title: Text
    description: Text | None = None
    kind: StepKind = "task"
    role: str = Field(description="The role responsible for carrying the step out.")
    reviewer: str | None = Field(
        default=None, description="The role that approves; the model's default if unset."
    )
    duration: Duration = Field(description="From the moment the step becomes ready to its due date.")
    after: tuple[str, ...] = Field(default=(), description="Steps of the same stage that must be done first.")
    skippable: bool = False
    sends_back: tuple[str, ...] = Field(
        default=(),
        description="Review steps only: the done steps that the review's role or its reviewer may send back "
        "for rework (all of them, or those the sender chooses).",
    )
    deliverables: StepDeliverables = StepDeliverables()
    guards: tuple[dict[str, Any], ...] = ()
    reminders: ReminderPolicy = ReminderPolicy()
    # Left out of the stored form when refused (the default), so that models written before it keep their
    # fingerprint.
    self_approval: Literal["allowed", "refused"] = Field(
        default="refused",
        exclude_if=lambda value: value == "refused",
        description="Whether the person who submitted the work may also approve it (separation of duties).",
    )
    when: When = Field(
        default=(),
        exclude_if=lambda value: not value,
        description="Conditions on the launch parameters, all to hold for the step to apply; otherwise it is "
        "skipped at launch.",
    )

    _compiled_guards: tuple[Guard, ...] = PrivateAttr(default=())

    @property
    def compiled_guards(self) -> tuple[Guard, ...]:
        return self._compiled_guards


class StageSpec(_Spec):
    key: Key
    title: Text
    description: Text | None = None
    after: tuple[str, ...] = ()
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    when: When = Field(
        default=(),
        exclude_if=lambda value: not value,
        description="Conditions on the launch parameters for the whole stage (an optional stage).",
    )


class Recurrence(_Spec):
    """A journey that runs in cycles (a yearly barometer…): completing an engagement opens the next cycle,
    linked to it, with its parameters carried over and its indicators continuing their series."""

    cycle_parameter: str | None = Field(
        default=None, description="An integer parameter counting the cycles, incremented for the next one."
    )
    interval: Duration = Field(
        default=timedelta(days=1),
        description="From the completion of a cycle to the start of the next (default: the next day).",
    )


class ProcessModel(_Spec):
    key: Key
    version: Annotated[int, Field(ge=1)]
    title: Text
    description: Text | None = None
    parameters: tuple[ParameterSpec, ...] = ()
    roles: tuple[RoleSpec, ...] = Field(min_length=1)
    default_reviewer: str = "chef_de_projet"
    reopen_roles: tuple[str, ...] = ("consultant", "chef_de_projet")
    deliverables: tuple[DeliverableSpec, ...] = ()
    stages: tuple[StageSpec, ...] = Field(min_length=1)
    recurrence: Recurrence | None = Field(default=None, exclude_if=lambda value: value is None)

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_an_integer(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("la version est un entier (1, 2, 3…)")
        return value

    # Indexes, computed once per (immutable) model.
    @cached_property
    def steps_by_key(self) -> dict[str, StepSpec]:
        return {step.key: step for stage in self.stages for step in stage.steps}

    @cached_property
    def stage_of_step(self) -> dict[str, str]:
        return {step.key: stage.key for stage in self.stages for step in stage.steps}

    @cached_property
    def stages_by_key(self) -> dict[str, StageSpec]:
        return {stage.key: stage for stage in self.stages}

    @cached_property
    def roles_by_key(self) -> dict[str, RoleSpec]:
        return {role.key: role for role in self.roles}

    @cached_property
    def parameters_by_key(self) -> dict[str, ParameterSpec]:
        return {parameter.key: parameter for parameter in self.parameters}

    @cached_property
    def deliverables_by_key(self) -> dict[str, DeliverableSpec]:
        return {deliverable.key: deliverable for deliverable in self.deliverables}

    @cached_property
    def stage_successors(self) -> dict[str, tuple[str, ...]]:
        successors: dict[str, list[str]] = {stage.key: [] for stage in self.stages}
        for stage in self.stages:
            for before in stage.after:
                successors[before].append(stage.key)
        return {key: tuple(value) for key, value in successors.items()}

    @cached_property
    def step_prerequisites(self) -> dict[str, tuple[str, ...]]:
        """Steps that must be done (or skipped) before a step becomes ready, besides its stage's
        dependencies: its ``after`` steps, and for a review the steps it may send back."""
        return {
            step.key: tuple(dict.fromkeys((*step.after, *step.sends_back)))
            for step in self.steps_by_key.values()
        }

    @cached_property
    def step_dependents(self) -> dict[str, tuple[str, ...]]:
        dependents: dict[str, list[str]] = {key: [] for key in self.steps_by_key}
        for key, prerequisites in self.step_prerequisites.items():
            for before in prerequisites:
                dependents[before].append(key)
        return {key: tuple(value) for key, value in dependents.items()}

    @cached_property
    def entry_steps(self) -> dict[str, tuple[str, ...]]:
        """Per stage, the steps that become ready as soon as the stage can start."""
        return {
            stage.key: tuple(s.key for s in stage.steps if not self.step_prerequisites[s.key])
            for stage in self.stages
        }

    @cached_property
    def fingerprint(self) -> tuple[dict[str, Any], str]:
        """The stored form of the model and its SHA-256, computed once: a snapshot compares digests on every
        launch."""
        document = self.model_dump(mode="json", exclude_defaults=False)
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return document, hashlib.sha256(canonical.encode()).hexdigest()

    def reviewer_of(self, step: StepSpec) -> str:
        return step.reviewer or self.default_reviewer

    def role_title(self, role: str, lang: str = "fr") -> str:
        spec = self.roles_by_key.get(role)
        return spec.title.text(lang) if spec else role
