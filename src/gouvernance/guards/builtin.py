"""The first guard rules: evidence attached, approval by a role, the stage's other steps done, and a
condition on a launch parameter."""

from __future__ import annotations

import operator
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select

from gouvernance.engagements.records import StepRow
from gouvernance.errors import Message
from gouvernance.evidence.records import EvidenceRow
from gouvernance.guards.registry import Guard, GuardContext
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import TERMINAL_STEP_STATES
from gouvernance.messages import french_value
from gouvernance.spec.schema import ProcessModel, StepSpec


class EvidenceAttached(Guard):
    """At least ``min`` pieces of evidence (optionally of one kind, or with a label) on this step."""

    rule_name: ClassVar[str] = "evidence_attached"

    kind: Literal["file", "link", "any"] = "any"
    label: str | None = Field(default=None, description="Required label, e.g. « note juridique ».")
    min: int = Field(default=1, ge=1)

    def check(self, ctx: GuardContext) -> Message | None:
        assert ctx.step is not None
        query = select(func.count()).select_from(EvidenceRow).where(EvidenceRow.step_id == ctx.step.id)
        if self.kind != "any":
            query = query.where(EvidenceRow.kind == self.kind)
        if self.label:
            query = query.where(func.lower(EvidenceRow.label) == self.label.lower())
        count = ctx.session.scalar(query) or 0
        if count >= self.min:
            return None
        wanted = self.describe()
        return Message(
            "guard.evidence_missing",
            f"{wanted.fr} ({count} sur {self.min})",
            f"{wanted.en} ({count} of {self.min})",
            details={"label": self.label, "kind": self.kind, "found": count, "required": self.min},
        )

    def describe(self) -> Message:
        what_fr = {"file": "fichier", "link": "lien", "any": "pièce"}[self.kind]
        what_en = {"file": "file", "link": "link", "any": "piece of evidence"}[self.kind]
        label_fr = f" « {self.label} »" if self.label else ""
        label_en = f" '{self.label}'" if self.label else ""
        return Message(
            "guard.evidence_attached",
            f"{what_fr}{label_fr} {'jointe' if self.kind == 'any' else 'joint'} à l'étape",
            f"{what_en}{label_en} attached to the step",
        )


class ApprovedBy(Guard):
    """Someone holding ``role`` has endorsed the work in its current round (rework starts a new round)."""

    rule_name: ClassVar[str] = "approved_by"

    role: str

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        if self.role not in model.roles_by_key:
            return [
                Message(
                    "unknown_role",
                    f"rôle inconnu « {self.role} »",
                    f"unknown role '{self.role}'",
                    path="role",
                )
            ]
        return []

    def check(self, ctx: GuardContext) -> Message | None:
        assert ctx.step is not None
        endorsements = ctx.session.scalars(
            select(EventRow.payload).where(
                EventRow.step_id == ctx.step.id, EventRow.event == "endorse", EventRow.actor_role == self.role
            )
        )
        if any(payload.get("round") == ctx.step.round for payload in endorsements):
            return None
        title = ctx.model.role_title(self.role)
        return Message(
            "guard.approval_missing",
            f"avis favorable manquant : {title}",
            f"approval missing: {ctx.model.role_title(self.role, 'en')}",
            details={"role": self.role},
        )

    def describe(self) -> Message:
        return Message(
            "guard.approved_by",
            f"avis favorable du rôle « {self.role} »",
            f"approved by role '{self.role}'",
        )


class StageStepsDone(Guard):
    """Every other step of this stage (or of ``stage``) is done or skipped."""

    rule_name: ClassVar[str] = "stage_steps_done"

    stage: str | None = None

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        if self.stage is not None and self.stage not in model.stages_by_key:
            return [
                Message(
                    "unknown_stage",
                    f"phase inconnue « {self.stage} »",
                    f"unknown stage '{self.stage}'",
                    path="stage",
                )
            ]
        return []

    def check(self, ctx: GuardContext) -> Message | None:
        assert ctx.step is not None
        stage = self.stage or ctx.step.stage_key
        open_steps = list(
            ctx.session.scalars(
                select(StepRow.step_key).where(
                    StepRow.engagement_id == ctx.engagement.id,
                    StepRow.stage_key == stage,
                    StepRow.id != ctx.step.id,
                    StepRow.state.not_in(TERMINAL_STEP_STATES),
                )
            )
        )
        if not open_steps:
            return None
        titles = ", ".join(ctx.model.steps_by_key[key].title.fr for key in open_steps)
        titles_en = ", ".join(ctx.model.steps_by_key[key].title.text("en") for key in open_steps)
        return Message(
            "guard.stage_steps_open",
            f"étapes de la phase encore ouvertes : {titles}",
            f"steps of the stage still open: {titles_en}",
            details={"open_steps": open_steps},
        )

    def describe(self) -> Message:
        return Message(
            "guard.stage_steps_done",
            "toutes les autres étapes de la phase sont terminées",
            "every other step of the stage is done",
        )


_OPERATORS: dict[str, Any] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}
_OPERATOR_TEXT = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "in": "∈", "not_in": "∉"}


Op = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "not_in"]


class Condition(BaseModel):
    """One condition on a launch parameter, inside a ``parameter`` guard's ``all`` or ``any`` list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameter: str
    op: Op = "eq"
    value: Any = True


class ParameterCondition(Guard):
    """A condition on a launch parameter, e.g. skipping a step only where no participative body exists; or
    several, all of which (``all``) or one of which (``any``) must hold, e.g. « périmètre = commune ou
    population ≤ 50 000 »."""

    rule_name: ClassVar[str] = "parameter"

    parameter: str | None = None
    op: Op = "eq"
    value: Any = True
    all_of: tuple[Condition, ...] = Field(default=(), alias="all", description="Every condition holds.")
    any_of: tuple[Condition, ...] = Field(default=(), alias="any", description="One condition holds.")
    explanation: str | None = Field(default=None, description="Why, in French, shown when refused.")

    @model_validator(mode="after")
    def _one_form(self) -> ParameterCondition:
        forms = [self.parameter is not None, bool(self.all_of), bool(self.any_of)]
        if sum(forms) != 1:
            raise ValueError("give exactly one of « parameter », « all » or « any »")
        return self

    def conditions(self) -> tuple[Condition, ...]:
        if self.parameter is not None:
            return (Condition(parameter=self.parameter, op=self.op, value=self.value),)
        return self.all_of or self.any_of

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        problems: list[Message] = []
        for condition in self.conditions():
            problems += _condition_problems(model, condition)
        return problems

    def check(self, ctx: GuardContext) -> Message | None:
        results = [_holds(ctx, condition) for condition in self.conditions()]
        if any(results) if self.any_of else all(results):
            return None
        why = f" : {self.explanation}" if self.explanation else ""
        joiner = " ou " if self.any_of else " et "
        failing = [c for c, held in zip(self.conditions(), results, strict=True) if not held or self.any_of]
        fr = joiner.join(_condition_text(ctx, c) for c in failing)
        en = (" or " if self.any_of else " and ").join(_condition_text(ctx, c, "en") for c in failing)
        return Message(
            "guard.parameter_condition",
            f"condition non remplie sur {fr}{why}",
            f"condition not met on {en}",
            details={
                "conditions": [
                    {
                        "parameter": c.parameter,
                        "actual": _actual(ctx, c),
                        "op": c.op,
                        "expected": c.value,
                    }
                    for c in failing
                ],
                **(
                    {
                        "parameter": failing[0].parameter,
                        "actual": _actual(ctx, failing[0]),
                        "expected": failing[0].value,
                    }
                    if len(failing) == 1
                    else {}
                ),
            },
        )

    def describe(self) -> Message:
        joiner = " ou " if self.any_of else " et "
        fr = joiner.join(
            f"paramètre « {c.parameter} » {_OPERATOR_TEXT[c.op]} {c.value!r}" for c in self.conditions()
        )
        en = (" or " if self.any_of else " and ").join(
            f"parameter '{c.parameter}' {_OPERATOR_TEXT[c.op]} {c.value!r}" for c in self.conditions()
        )
        return Message("guard.parameter", fr, en)


def _condition_problems(model: ProcessModel, condition: Condition) -> list[Message]:
    spec = model.parameters_by_key.get(condition.parameter)
    if spec is None:
        return [
            Message(
                "unknown_parameter",
                f"paramètre inconnu « {condition.parameter} »",
                f"unknown parameter '{condition.parameter}'",
                path="parameter",
            )
        ]
    values = (
        condition.value
        if condition.op in ("in", "not_in") and isinstance(condition.value, list)
        else [condition.value]
    )
    for value in values:
        try:
            fits = spec.coerce(value) == value
        except (ValueError, TypeError):
            fits = False
        if not fits:
            return [
                Message(
                    "parameter_value",
                    f"valeur {value!r} incompatible avec le paramètre de type « {spec.type} »",
                    f"value {value!r} does not fit a '{spec.type}' parameter",
                    path="value",
                )
            ]
    return []


def _actual(ctx: GuardContext, condition: Condition) -> Any:
    spec = ctx.model.parameters_by_key[condition.parameter]
    return ctx.engagement.parameters.get(condition.parameter, spec.default)


def _holds(ctx: GuardContext, condition: Condition) -> bool:
    actual = _actual(ctx, condition)
    try:
        return actual is not None and bool(_OPERATORS[condition.op](actual, condition.value))
    except TypeError:
        return False


def _condition_text(ctx: GuardContext, condition: Condition, lang: str = "fr") -> str:
    spec = ctx.model.parameters_by_key[condition.parameter]
    actual, sign = _actual(ctx, condition), _OPERATOR_TEXT[condition.op]
    if lang == "fr":
        return f"« {spec.title.fr} » ({french_value(actual)} {sign} {french_value(condition.value)} attendu)"
    return f"'{spec.title.text('en')}' (expected {actual!r} {sign} {condition.value!r})"


BUILTIN_GUARDS: tuple[type[Guard], ...] = (EvidenceAttached, ApprovedBy, StageStepsDone, ParameterCondition)
