"""The participatory budget of one engagement, as a town hall runs it:

    déposée → recevable | irrecevable (reason) → faisable | non faisable (reason) → soumise au vote
            → lauréate | non retenue (when the vote closes) → réalisée (a lauréate, once built)

A proposal goes to the vote only with a cost estimate within the per-project ceiling (the launch parameter
``plafond_projet_eur``). When the vote closes, proposals are taken in order of votes (online and ballot box
added up) as long as they fit what is left of the envelope (``enveloppe_eur``): the usual rule of French
participatory budgets, which lets a cheaper project further down fill the rest. Ties go to the cheaper
project, then to the earlier one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gouvernance.budget.records import ClosedVoteRow, ProposalRow, VoteCountRow
from gouvernance.clock import Clock
from gouvernance.deliverables.french import format_euros
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.inputs import text_problems


class ProposalStatus(StrEnum):
    DEPOSEE = "deposee"
    RECEVABLE = "recevable"
    IRRECEVABLE = "irrecevable"
    FAISABLE = "faisable"
    NON_FAISABLE = "non_faisable"
    SOUMISE_AU_VOTE = "soumise_au_vote"
    LAUREATE = "laureate"
    NON_RETENUE = "non_retenue"
    REALISEE = "realisee"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ProposalStatus.DEPOSEE: "déposée",
    ProposalStatus.RECEVABLE: "recevable",
    ProposalStatus.IRRECEVABLE: "irrecevable",
    ProposalStatus.FAISABLE: "faisable",
    ProposalStatus.NON_FAISABLE: "non faisable",
    ProposalStatus.SOUMISE_AU_VOTE: "soumise au vote",
    ProposalStatus.LAUREATE: "lauréate",
    ProposalStatus.NON_RETENUE: "non retenue",
    ProposalStatus.REALISEE: "réalisée",
}
S = ProposalStatus
# What a person may move a proposal to from each status; lauréate and non retenue come only from the count.
NEXT: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    S.DEPOSEE: frozenset({S.RECEVABLE, S.IRRECEVABLE}),
    S.RECEVABLE: frozenset({S.FAISABLE, S.NON_FAISABLE}),
    S.FAISABLE: frozenset({S.SOUMISE_AU_VOTE}),
    S.LAUREATE: frozenset({S.REALISEE}),
}
NEEDS_REASON = frozenset({S.IRRECEVABLE, S.NON_FAISABLE})


class VoteChannel(StrEnum):
    EN_LIGNE = "en_ligne"
    URNE = "urne"


@dataclass(frozen=True)
class ProposalResult:
    number: int
    title: str
    cost: Decimal
    votes: int
    by_channel: dict[str, int]
    won: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "cost": str(self.cost),
            "votes": self.votes,
            "by_channel": self.by_channel,
            "won": self.won,
        }


def submit_proposal(
    session: Session,
    *,
    engagement_id: str,
    title: str,
    description: str = "",
    district: str = "",
    estimated_cost: Decimal | None = None,
    actor: ActorRef,
    clock: Clock,
) -> ProposalRow:
    engagement_or_not_found(session, engagement_id)
    problems = text_problems({"title": title, "district": district}) + text_problems(
        {"description": description}, multiline=True
    )
    if estimated_cost is not None and (problem := _cost_problem(estimated_cost)) is not None:
        problems.append(problem)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    number = (
        session.scalar(select(func.max(ProposalRow.number)).where(ProposalRow.engagement_id == engagement_id))
        or 0
    ) + 1
    now = clock.now()
    row = ProposalRow(
        engagement_id=engagement_id,
        number=number,
        title=title,
        description=description,
        district=district,
        estimated_cost=estimated_cost,
        status=S.DEPOSEE.value,
        status_reason="",
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    log_change(session, engagement_id, "proposal_submitted", {"number": number, "title": title}, actor, clock)
    return row


def estimate_cost(
    session: Session, *, engagement_id: str, number: int, cost: Decimal, actor: ActorRef, clock: Clock
) -> ProposalRow:
    """The services' estimate (€ TTC); it can change until the proposal goes to the vote."""
    row = _proposal(session, engagement_id, number)
    if (problem := _cost_problem(cost)) is not None:
        raise InvalidInput(problem)
    if ProposalStatus(row.status) not in {S.DEPOSEE, S.RECEVABLE, S.FAISABLE}:
        raise Conflict(
            Message(
                "proposal.cost_frozen",
                f"le coût ne change plus : la proposition est {ProposalStatus(row.status).label}",
                f"the cost no longer changes: the proposal is {row.status}",
            )
        )
    row.estimated_cost, row.version, row.updated_at = cost, row.version + 1, clock.now()
    log_change(session, engagement_id, "proposal_costed", {"number": number, "cost": str(cost)}, actor, clock)
    return row


def move_proposal(
    session: Session,
    *,
    engagement_id: str,
    number: int,
    to: ProposalStatus,
    reason: str = "",
    actor: ActorRef,
    clock: Clock,
) -> ProposalRow:
    """Moves a proposal on, refusing with every reason at once: a move the table does not allow, a refusal
    without its reason, a proposal sent to the vote without a cost or above the ceiling."""
    engagement = engagement_or_not_found(session, engagement_id)
    row = _proposal(session, engagement_id, number)
    current = ProposalStatus(row.status)
    problems = text_problems({"reason": reason}, multiline=True)
    if to not in NEXT.get(current, frozenset()):
        allowed = ", ".join(f"« {s.label} »" for s in sorted(NEXT.get(current, frozenset()))) or "aucune"
        problems.append(
            Message(
                "proposal.move_not_allowed",
                f"une proposition {current.label} ne peut devenir {to.label} (possible : {allowed})",
                f"a proposal that is {current.value} cannot become {to.value}",
                details={"from": current.value, "to": to.value},
            )
        )
    if to in NEEDS_REASON and not reason.strip():
        problems.append(
            Message(
                "proposal.reason_required",
                f"dites pourquoi la proposition est {to.label} : le motif est publié",
                f"say why the proposal is {to.value}: the reason is published",
                path="reason",
            )
        )
    if to is S.SOUMISE_AU_VOTE:
        problems += _vote_readiness(row, engagement.parameters)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    row.status, row.status_reason = to.value, reason
    row.version, row.updated_at = row.version + 1, clock.now()
    log_change(
        session,
        engagement_id,
        "proposal_moved",
        {"number": number, "from": current.value, "to": to.value},
        actor,
        clock,
    )
    return row


def record_votes(
    session: Session,
    *,
    engagement_id: str,
    number: int,
    channel: VoteChannel,
    votes: int,
    actor: ActorRef,
    clock: Clock,
) -> None:
    """The count of one channel for one proposal (a second count for that channel replaces the first)."""
    row = _proposal(session, engagement_id, number)
    _vote_open(session, engagement_id)
    if ProposalStatus(row.status) is not S.SOUMISE_AU_VOTE:
        raise Conflict(
            Message(
                "proposal.not_in_vote",
                f"la proposition n° {number} n'est pas soumise au vote ({ProposalStatus(row.status).label})",
                f"proposal {number} is not in the vote ({row.status})",
            )
        )
    if not 0 <= votes <= 10_000_000:
        raise InvalidInput(
            Message("vote.bad_count", "nombre de voix invalide", "invalid number of votes", path="votes")
        )
    count = session.scalars(
        select(VoteCountRow).where(VoteCountRow.proposal_id == row.id, VoteCountRow.channel == channel.value)
    ).first()
    if count is None:
        count = VoteCountRow(proposal_id=row.id, channel=channel.value)
        session.add(count)
    count.votes, count.recorded_by, count.recorded_at = votes, actor.login, clock.now()
    session.flush()
    log_change(
        session,
        engagement_id,
        "votes_recorded",
        {"number": number, "channel": channel.value, "votes": votes},
        actor,
        clock,
    )


def close_vote(
    session: Session, *, engagement_id: str, actor: ActorRef, clock: Clock
) -> list[ProposalResult]:
    """Counts the vote and closes it: the winners become lauréates, the others non retenues. Once only."""
    engagement = engagement_or_not_found(session, engagement_id)
    _vote_open(session, engagement_id)
    envelope = _parameter(engagement.parameters, "enveloppe_eur")
    if envelope is None:
        raise InvalidInput(
            Message(
                "budget.no_envelope",
                "l'enveloppe (paramètre « enveloppe_eur ») n'est pas fixée pour cet accompagnement",
                "the envelope (parameter 'enveloppe_eur') is not set for this engagement",
            )
        )
    in_vote = session.scalars(
        select(ProposalRow).where(
            ProposalRow.engagement_id == engagement_id, ProposalRow.status == S.SOUMISE_AU_VOTE.value
        )
    ).all()
    if not in_vote:
        raise Conflict(
            Message(
                "budget.nothing_to_count",
                "aucune proposition n'est soumise au vote",
                "no proposal is in the vote",
            )
        )
    counts: dict[int, dict[str, int]] = {row.id: {} for row in in_vote}
    for proposal_id, channel, votes in session.execute(
        select(VoteCountRow.proposal_id, VoteCountRow.channel, VoteCountRow.votes).where(
            VoteCountRow.proposal_id.in_(list(counts))
        )
    ):
        counts[proposal_id][channel] = votes
    results = count_results(
        [(row.number, row.title, row.estimated_cost or Decimal(0), counts[row.id]) for row in in_vote],
        envelope,
    )
    won = {result.number for result in results if result.won}
    now = clock.now()
    for row in in_vote:
        row.status = (S.LAUREATE if row.number in won else S.NON_RETENUE).value
        row.version, row.updated_at = row.version + 1, now
    session.add(
        ClosedVoteRow(
            engagement_id=engagement_id,
            envelope=envelope,
            results=[result.as_dict() for result in results],
            closed_by=actor.login,
            closed_at=now,
        )
    )
    session.flush()
    log_change(
        session,
        engagement_id,
        "budget_vote_closed",
        {"envelope": str(envelope), "winners": sorted(won), "proposals": len(results)},
        actor,
        clock,
    )
    return results


def count_results(
    proposals: list[tuple[int, str, Decimal, dict[str, int]]], envelope: Decimal
) -> list[ProposalResult]:
    """Ranks (number, title, cost, votes by channel) by votes, and picks winners while they fit the
    envelope."""
    ranked = sorted(proposals, key=lambda p: (-sum(p[3].values()), p[2], p[0]))
    left = envelope
    results = []
    for number, title, cost, by_channel in ranked:
        won = cost <= left
        if won:
            left -= cost
        results.append(ProposalResult(number, title, cost, sum(by_channel.values()), dict(by_channel), won))
    return results


def proposals(session: Session, engagement_id: str) -> list[ProposalRow]:
    engagement_or_not_found(session, engagement_id)
    return list(
        session.scalars(
            select(ProposalRow).where(ProposalRow.engagement_id == engagement_id).order_by(ProposalRow.number)
        )
    )


def closed_vote(session: Session, engagement_id: str) -> ClosedVoteRow | None:
    engagement_or_not_found(session, engagement_id)
    return session.get(ClosedVoteRow, engagement_id)


# --- helpers ----------------------------------------------------------------------------------------------


def _proposal(session: Session, engagement_id: str, number: int) -> ProposalRow:
    engagement_or_not_found(session, engagement_id)
    row = session.scalars(
        select(ProposalRow).where(ProposalRow.engagement_id == engagement_id, ProposalRow.number == number)
    ).first()
    if row is None:
        raise NotFound(
            Message(
                "proposal.not_found",
                f"proposition introuvable : n° {number}",
                f"proposal not found: {number}",
                details={"number": number},
            )
        )
    return row


def _vote_open(session: Session, engagement_id: str) -> None:
    if session.get(ClosedVoteRow, engagement_id) is not None:
        raise Conflict(Message("budget.vote_closed", "le vote est clos", "the vote is closed"))


def _vote_readiness(row: ProposalRow, parameters: dict[str, Any]) -> list[Message]:
    if row.estimated_cost is None:
        return [
            Message(
                "proposal.cost_missing",
                "le coût estimé manque : il est publié avec la proposition soumise au vote",
                "the estimated cost is missing: it is published with the proposal",
                path="estimated_cost",
            )
        ]
    ceiling = _parameter(parameters, "plafond_projet_eur")
    if ceiling is not None and row.estimated_cost > ceiling:
        return [
            Message(
                "proposal.above_ceiling",
                f"coût estimé de {_euros(row.estimated_cost)} "
                f"au-delà du plafond par projet de {_euros(ceiling)}",
                f"estimated cost {row.estimated_cost} above the per-project cap {ceiling}",
                details={"cost": str(row.estimated_cost), "ceiling": str(ceiling)},
            )
        ]
    envelope = _parameter(parameters, "enveloppe_eur")
    if envelope is not None and row.estimated_cost > envelope:
        return [
            Message(
                "proposal.above_envelope",
                f"coût estimé de {_euros(row.estimated_cost)} au-delà de l'enveloppe de {_euros(envelope)}",
                f"estimated cost {row.estimated_cost} above the envelope {envelope}",
            )
        ]
    return []


def _cost_problem(cost: Decimal) -> Message | None:
    if cost.is_finite() and Decimal(0) <= cost <= Decimal("1e12"):
        return None
    return Message(
        "proposal.bad_cost",
        "le coût doit être un montant positif en euros",
        "the cost must be a positive amount in euros",
        path="estimated_cost",
    )


def _parameter(parameters: dict[str, Any], key: str) -> Decimal | None:
    value = parameters.get(key)
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _euros(amount: Decimal) -> str:
    return format_euros(amount)
