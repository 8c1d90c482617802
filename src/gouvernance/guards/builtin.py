"""The first guard rules: evidence attached, approval by a role, the stage's other steps done, and a
condition on a launch parameter."""

from __future__ import annotations

import operator
from typing import Any, ClassVar, Literal

from pydantic import Field
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
            f"approbation manquante : {title}",
            f"approval missing: {ctx.model.role_title(self.role, 'en')}",
            details={"role": self.role},
        )

    def describe(self) -> Message:
        return Message(
            "guard.approved_by", f"approuvé par le rôle « {self.role} »", f"approved by role '{self.role}'"
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


class ParameterCondition(Guard):
    """A condition on a launch parameter, e.g. skipping a step only where no participative body exists."""

    rule_name: ClassVar[str] = "parameter"

    parameter: str
    op: Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "not_in"] = "eq"
    value: Any = True
    explanation: str | None = Field(default=None, description="Why, in French, shown when refused.")

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        spec = model.parameters_by_key.get(self.parameter)
        if spec is None:
            return [
                Message(
                    "unknown_parameter",
                    f"paramètre inconnu « {self.parameter} »",
                    f"unknown parameter '{self.parameter}'",
                    path="parameter",
                )
            ]
        values = self.value if self.op in ("in", "not_in") and isinstance(self.value, list) else [self.value]
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

    def check(self, ctx: GuardContext) -> Message | None:
        spec = ctx.model.parameters_by_key[self.parameter]
        actual = ctx.engagement.parameters.get(self.parameter, spec.default)
        try:
            satisfied = actual is not None and bool(_OPERATORS[self.op](actual, self.value))
        except TypeError:
            satisfied = False
        if satisfied:
            return None
        why = f" : {self.explanation}" if self.explanation else ""
        return Message(
            "guard.parameter_condition",
            f"condition non remplie sur « {spec.title.fr} » ({french_value(actual)} "
            f"{_OPERATOR_TEXT[self.op]} {french_value(self.value)} attendu){why}",
            f"condition not met on '{spec.title.text('en')}' (expected {actual!r} "
            f"{_OPERATOR_TEXT[self.op]} {self.value!r})",
            details={"parameter": self.parameter, "actual": actual, "expected": self.value},
        )

    def describe(self) -> Message:
        return Message(
            "guard.parameter",
            f"paramètre « {self.parameter} » {_OPERATOR_TEXT[self.op]} {self.value!r}",
            f"parameter '{self.parameter}' {_OPERATOR_TEXT[self.op]} {self.value!r}",
        )


BUILTIN_GUARDS: tuple[type[Guard], ...] = (EvidenceAttached, ApprovedBy, StageStepsDone, ParameterCondition)
