"""``decision_recorded``: the step's decision was taken by the right body and is in the register, with its
legal basis (a deliberation the préfecture could not place in the CGCT is one the contrôle de légalité may
return), and, where asked, transmitted to the contrôle de légalité and published: only then is it enforceable
(CGCT L2131-1)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext
from gouvernance.spec.schema import ProcessModel, StepSpec


class DecisionRecorded(Guard):
    """A decision linked to this step (or to ``step``), of one of ``bodies`` (any body when empty), is in the
    register, with a legal basis unless ``legal_basis`` is false, and with the date of its transmission to the
    contrôle de légalité (``transmitted``) and of its publication (``published``) when asked."""

    rule_name: ClassVar[str] = "decision_recorded"

    bodies: tuple[DecidingBody, ...] = ()
    legal_basis: bool = True
    transmitted: bool = False
    published: bool = False
    step: str | None = None

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        if self.step is not None and self.step not in model.steps_by_key:
            return [
                Message(
                    "unknown_step",
                    f"étape inconnue « {self.step} »",
                    f"unknown step '{self.step}'",
                    path="step",
                )
            ]
        return []

    def check(self, ctx: GuardContext) -> Message | None:
        assert ctx.step is not None
        query = select(DecisionRow).where(
            DecisionRow.engagement_id == ctx.engagement.id,
            DecisionRow.step_key == (self.step or ctx.step.step_key),
        )
        if self.bodies:
            query = query.where(DecisionRow.body.in_([body.value for body in self.bodies]))
        found = [row for row in ctx.session.scalars(query) if row.legal_basis.strip() or not self.legal_basis]
        if any(not self._lacks(row) for row in found):
            return None
        bodies = " ou ".join(body.label for body in self.bodies) or "une instance"
        bodies_en = " or ".join(body.value for body in self.bodies) or "any body"
        if found:
            closest = min(found, key=lambda row: len(self._lacks(row)))
            lacks = self._lacks(closest)
            return Message(
                "guard.decision_not_enforceable",
                f"la décision n° {closest.number} ({bodies}) n'est pas encore exécutoire, il manque "
                f"{' et '.join(fr for fr, _ in lacks)} au registre",
                f"decision {closest.number} ({bodies_en}) is not enforceable yet: "
                f"{' and '.join(en for _, en in lacks)} missing from the register",
                details={
                    "number": closest.number,
                    "missing": [en for _, en in lacks],
                    "bodies": [body.value for body in self.bodies],
                    "step": self.step or ctx.step.step_key,
                },
            )
        if ctx.session.scalar(query.limit(1)) is not None:
            return Message(
                "guard.decision_without_legal_basis",
                f"la décision ({bodies}) est au registre sans sa base légale (article du CGCT)",
                f"the decision ({bodies_en}) is in the register without its legal basis",
                details={
                    "bodies": [body.value for body in self.bodies],
                    "step": self.step or ctx.step.step_key,
                },
            )
        return Message(
            "guard.decision_missing",
            f"aucune décision ({bodies}) n'est au registre pour "
            + (f"l'étape « {ctx.model.steps_by_key[self.step].title.fr} »" if self.step else "cette étape"),
            f"no decision ({bodies_en}) is in the register for this step",
            details={"bodies": [body.value for body in self.bodies], "step": self.step or ctx.step.step_key},
        )

    def _lacks(self, row: DecisionRow) -> list[tuple[str, str]]:
        lacks = []
        if self.transmitted and row.transmitted_on is None:
            lacks.append(
                (
                    "la date de transmission au contrôle de légalité",
                    "the date of transmission to the préfecture",
                )
            )
        if self.published and row.published_on is None:
            lacks.append(("la date de publication", "the date of publication"))
        return lacks

    def describe(self) -> Message:
        bodies = " ou ".join(body.label for body in self.bodies) or "une instance"
        extra = "".join(
            text
            for wanted, text in (
                (self.legal_basis, ", avec sa base légale"),
                (self.transmitted, ", transmise au contrôle de légalité"),
                (self.published, ", publiée"),
            )
            if wanted
        )
        return Message(
            "guard.decision_recorded",
            f"décision au registre ({bodies}){extra}",
            f"decision in the register ({', '.join(b.value for b in self.bodies) or 'any body'})",
        )


DECISION_GUARDS: tuple[type[Guard], ...] = (DecisionRecorded,)
