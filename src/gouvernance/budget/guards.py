"""``budget_vote_closed``: the participatory budget's vote was counted and closed, so the results are
known."""

from __future__ import annotations

from typing import ClassVar

from gouvernance.budget.records import ClosedVoteRow
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext


class BudgetVoteClosed(Guard):
    """The vote of the participatory budget is closed (``POST …/budget/vote/close``)."""

    rule_name: ClassVar[str] = "budget_vote_closed"

    def check(self, ctx: GuardContext) -> Message | None:
        if ctx.session.get(ClosedVoteRow, ctx.engagement.id) is not None:
            return None
        return Message(
            "guard.budget_vote_open",
            "le vote du budget participatif n'est pas encore clos : clôturez-le pour publier les résultats",
            "the participatory budget's vote is not closed yet: close it to publish the results",
        )

    def describe(self) -> Message:
        return Message(
            "guard.budget_vote_closed", "vote du budget participatif clos", "participatory budget vote closed"
        )


BUDGET_GUARDS: tuple[type[Guard], ...] = (BudgetVoteClosed,)
