"""``decision_recorded``: the step's decision was taken by the right body and is in the register, with its
legal basis (a deliberation the préfecture could not place in the CGCT is one the contrôle de légalité may
return)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext


class DecisionRecorded(Guard):
    """A decision linked to this step, of one of ``bodies`` (any body when empty), is in the register, with a
    legal basis unless ``legal_basis`` is false."""

    rule_name: ClassVar[str] = "decision_recorded"

    bodies: tuple[DecidingBody, ...] = ()
    legal_basis: bool = True

    def check(self, ctx: GuardContext) -> Message | None:
        assert ctx.step is not None
        query = select(DecisionRow.body, DecisionRow.legal_basis).where(
            DecisionRow.engagement_id == ctx.engagement.id, DecisionRow.step_key == ctx.step.step_key
        )
        if self.bodies:
            query = query.where(DecisionRow.body.in_([body.value for body in self.bodies]))
        found = ctx.session.execute(query).all()
        if any(basis.strip() or not self.legal_basis for _, basis in found):
            return None
        bodies = " ou ".join(body.label for body in self.bodies) or "une instance"
        bodies_en = " or ".join(body.value for body in self.bodies) or "any body"
        if found:
            return Message(
                "guard.decision_without_legal_basis",
                f"la décision ({bodies}) est au registre sans sa base légale (article du CGCT)",
                f"the decision ({bodies_en}) is in the register without its legal basis",
                details={"bodies": [body.value for body in self.bodies]},
            )
        return Message(
            "guard.decision_missing",
            f"aucune décision ({bodies}) n'est au registre pour cette étape",
            f"no decision ({bodies_en}) is in the register for this step",
            details={"bodies": [body.value for body in self.bodies]},
        )

    def describe(self) -> Message:
        bodies = " ou ".join(body.label for body in self.bodies) or "une instance"
        return Message(
            "guard.decision_recorded",
            f"décision au registre ({bodies}){', avec sa base légale' if self.legal_basis else ''}",
            f"decision in the register ({', '.join(b.value for b in self.bodies) or 'any body'})",
        )


DECISION_GUARDS: tuple[type[Guard], ...] = (DecisionRecorded,)
