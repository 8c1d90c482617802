"""``training_trainers_approved``: a training financed by the élus' DIF (droit individuel à la formation) is
given by an organisme agréé by the ministry of the Interior (CGCT L2123-12 and following). The training
service refuses such a session when it is entered; the guard also catches one entered before that rule, or
whose trainer lost the approval, naming each session."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext
from gouvernance.training.records import TrainingSessionRow


class TrainingTrainersApproved(Guard):
    """No DIF-financed session of the engagement has a trainer that is not an organisme agréé."""

    rule_name: ClassVar[str] = "training_trainers_approved"

    def check(self, ctx: GuardContext) -> Message | None:
        offending = ctx.session.execute(
            select(TrainingSessionRow.title, TrainingSessionRow.trainer)
            .where(
                TrainingSessionRow.engagement_id == ctx.engagement.id,
                TrainingSessionRow.dif_funded.is_(True),
                TrainingSessionRow.trainer_approved.is_(False),
            )
            .order_by(TrainingSessionRow.held_on, TrainingSessionRow.id)
        ).all()
        if not offending:
            return None
        fr = ", ".join(f"« {title} » ({trainer})" for title, trainer in offending)
        en = ", ".join(f"'{title}' ({trainer})" for title, trainer in offending)
        return Message(
            "guard.dif_trainer_not_approved",
            "formation financée par le DIF des élus sans organisme agréé par le ministère de l'Intérieur : "
            + fr,
            "training financed by the élus' DIF without a body approved by the ministry of the Interior: "
            + en,
            details={"sessions": [title for title, _ in offending]},
        )

    def describe(self) -> Message:
        return Message(
            "guard.training_trainers_approved",
            "les formations financées par le DIF des élus sont données par un organisme agréé",
            "training financed by the élus' DIF is given by an approved body",
        )


TRAINING_GUARDS: tuple[type[Guard], ...] = (TrainingTrainersApproved,)
