"""Recording decisions in the register, and reading it back (all of it for the engagement's people, the public
part for the public record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.audit import chain
from gouvernance.audit.sources import decision_values
from gouvernance.clock import Clock
from gouvernance.decisions.records import DecisionRow
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.inputs import date_problem, text_problems
from gouvernance.spec.catalog import model_for
from gouvernance.stakeholders.tables import ConsultationRow

MAX_VOTES = 100_000


class DecidingBody(StrEnum):
    """The bodies whose decisions a journey records."""

    CONSEIL_MUNICIPAL = "conseil_municipal"
    CONSEIL_COMMUNAUTAIRE = "conseil_communautaire"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental"
    CONSEIL_REGIONAL = "conseil_regional"
    BUREAU = "bureau"
    COMMISSION = "commission"
    COPIL = "copil"
    EXECUTIF = "executif"  # an arrêté of the maire or the président
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return _BODY_LABELS[self]


_BODY_LABELS = {
    DecidingBody.CONSEIL_MUNICIPAL: "conseil municipal",
    DecidingBody.CONSEIL_COMMUNAUTAIRE: "conseil communautaire",
    DecidingBody.CONSEIL_DEPARTEMENTAL: "conseil départemental",
    DecidingBody.CONSEIL_REGIONAL: "conseil régional",
    DecidingBody.BUREAU: "bureau",
    DecidingBody.COMMISSION: "commission",
    DecidingBody.COPIL: "comité de pilotage",
    DecidingBody.EXECUTIF: "maire ou président (arrêté)",
    DecidingBody.AUTRE: "autre instance",
}


@dataclass(frozen=True)
class DecisionData:
    number: str
    title: str
    decided_on: date
    body: DecidingBody
    text: str = ""
    legal_basis: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    transmitted_on: date | None = None
    published_on: date | None = None
    step_key: str | None = None
    consultation_ids: tuple[int, ...] = field(default_factory=tuple)
    public: bool = True


def record_decision(
    session: Session, *, engagement_id: str, data: DecisionData, actor: ActorRef, clock: Clock
) -> DecisionRow:
    """Adds a decision to the register. Every problem is reported at once: texts, dates out of order, votes,
    a step the journey does not have, consultations of another engagement, a number already used."""
    engagement = engagement_or_not_found(session, engagement_id)
    problems = _problems(session, engagement_id, data)
    model = model_for(session, engagement.model_key, engagement.model_version)
    if data.step_key is not None and data.step_key not in model.steps_by_key:
        problems.append(
            Message(
                "decision.unknown_step",
                f"étape inconnue dans ce parcours : « {data.step_key} »",
                f"no such step in this journey: '{data.step_key}'",
                path="step_key",
            )
        )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    row = DecisionRow(
        engagement_id=engagement_id,
        number=data.number,
        title=data.title,
        text=data.text,
        decided_on=data.decided_on,
        body=data.body.value,
        legal_basis=data.legal_basis,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        abstentions=data.abstentions,
        transmitted_on=data.transmitted_on,
        published_on=data.published_on,
        step_key=data.step_key,
        consultation_ids=sorted(set(data.consultation_ids)),
        public=data.public,
        recorded_by=actor.login,
        created_at=clock.now(),
    )
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        raise Conflict(
            Message(
                "decision.number_taken",
                f"le numéro « {data.number} » est déjà au registre",
                f"number '{data.number}' is already in the register",
                path="number",
            )
        ) from None
    chain.append(session, "decision", decision_values(row), at=row.created_at)
    log_change(
        session,
        engagement_id,
        "decision_recorded",
        {"number": data.number, "body": data.body.value, "step_key": data.step_key, "public": data.public},
        actor,
        clock,
    )
    return row


def decisions(session: Session, engagement_id: str, *, public_only: bool = False) -> list[DecisionRow]:
    """The register, oldest decision first."""
    engagement_or_not_found(session, engagement_id)
    query = select(DecisionRow).where(DecisionRow.engagement_id == engagement_id)
    if public_only:
        query = query.where(DecisionRow.public.is_(True))
    return list(session.scalars(query.order_by(DecisionRow.decided_on, DecisionRow.id)))


def decision(session: Session, engagement_id: str, number: str) -> DecisionRow:
    """The decision the body numbered ``number`` (as written in the register, spaces around it aside)."""
    engagement_or_not_found(session, engagement_id)
    row = session.scalars(
        select(DecisionRow).where(
            DecisionRow.engagement_id == engagement_id, DecisionRow.number == number.strip()
        )
    ).first()
    if row is None:
        raise NotFound(
            Message(
                "decision.not_found",
                f"aucune décision n° « {number} » au registre",
                f"no decision number '{number}' in the register",
                details={"number": number},
            )
        )
    return row


def _problems(session: Session, engagement_id: str, data: DecisionData) -> list[Message]:
    problems = text_problems(
        {"number": data.number, "title": data.title, "legal_basis": data.legal_basis}
    ) + text_problems({"text": data.text}, multiline=True)
    for path, day in (
        ("decided_on", data.decided_on),
        ("transmitted_on", data.transmitted_on),
        ("published_on", data.published_on),
    ):
        if day is not None and (problem := date_problem(day, path)) is not None:
            problems.append(problem)
    for path, day, what in (
        ("transmitted_on", data.transmitted_on, "la transmission au contrôle de légalité"),
        ("published_on", data.published_on, "la publication"),
    ):
        if day is not None and day < data.decided_on:
            problems.append(
                Message(
                    "decision.date_before_decision",
                    f"{what} ne peut précéder la décision",
                    f"'{path}' cannot come before the decision",
                    path=path,
                )
            )
    for path, count in (
        ("votes_for", data.votes_for),
        ("votes_against", data.votes_against),
        ("abstentions", data.abstentions),
    ):
        if count is not None and not 0 <= count <= MAX_VOTES:
            problems.append(
                Message(
                    "decision.bad_vote_count",
                    f"« {path} » doit être compris entre 0 et {MAX_VOTES}",
                    f"'{path}' must lie between 0 and {MAX_VOTES}",
                    path=path,
                )
            )
    if data.consultation_ids:
        known = set(
            session.scalars(
                select(ConsultationRow.id).where(
                    ConsultationRow.engagement_id == engagement_id,
                    ConsultationRow.id.in_(list(data.consultation_ids)),
                )
            )
        )
        unknown = sorted(set(data.consultation_ids) - known)
        if unknown:
            problems.append(
                Message(
                    "decision.unknown_consultations",
                    f"consultations inconnues dans cet accompagnement : {', '.join(map(str, unknown))}",
                    f"no such consultations in this engagement: {', '.join(map(str, unknown))}",
                    path="consultation_ids",
                    details={"unknown": unknown},
                )
            )
    return problems
