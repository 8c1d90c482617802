"""The communication plan's actions: add one, change it (its status among the rest), remove it, list them
in date order."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.checks import (
    check_version,
    dates_problems,
    euros_problem,
    texts_problems,
    unknown_fields_message,
)
from gouvernance.clock import Clock
from gouvernance.communication.records import CommunicationActionRow
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound

MAX_BUDGET = Decimal("1e10")  # a Numeric(12, 2) column


class Channel(StrEnum):
    SITE = "site"
    BULLETIN_MUNICIPAL = "bulletin_municipal"
    RESEAUX_SOCIAUX = "reseaux_sociaux"
    REUNION_PUBLIQUE = "reunion_publique"
    AFFICHAGE = "affichage"
    PRESSE = "presse"
    COURRIER = "courrier"
    LETTRE_INFORMATION = "lettre_information"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.SITE: "site internet",
    Channel.BULLETIN_MUNICIPAL: "bulletin municipal",
    Channel.RESEAUX_SOCIAUX: "réseaux sociaux",
    Channel.REUNION_PUBLIQUE: "réunion publique",
    Channel.AFFICHAGE: "affichage",
    Channel.PRESSE: "presse",
    Channel.COURRIER: "courrier",
    Channel.LETTRE_INFORMATION: "lettre d'information",
    Channel.AUTRE: "autre canal",
}


class CommunicationStatus(StrEnum):
    PREVUE = "prevue"
    EN_COURS = "en_cours"
    REALISEE = "realisee"
    ANNULEE = "annulee"

    @property
    def label(self) -> str:
        return {"prevue": "prévue", "en_cours": "en cours", "realisee": "réalisée", "annulee": "annulée"}[
            self.value
        ]


@dataclass(frozen=True)
class ActionData:
    title: str
    audience: str
    channel: Channel
    starts_on: date
    owner: str
    ends_on: date | None = None
    status: CommunicationStatus = CommunicationStatus.PREVUE
    budget_eur: Decimal | None = None
    message: str = ""


FIELDS = frozenset(f.name for f in dataclasses.fields(ActionData))


def add_action(
    session: Session, *, engagement_id: str, data: ActionData, actor: ActorRef, clock: Clock
) -> CommunicationActionRow:
    """Adds an action to the plan. Every problem is reported at once."""
    engagement_or_not_found(session, engagement_id)
    _check(data)
    now = clock.now()
    row = CommunicationActionRow(
        engagement_id=engagement_id, recorded_by=actor.login, created_at=now, version=1
    )
    _fill(row, data, now)
    _flush(session, row, data.title)
    log_change(
        session,
        engagement_id,
        "communication_action_added",
        {"action_id": row.id, "title": data.title, "channel": Channel(data.channel).value},
        actor,
        clock,
    )
    return row


def update_action(
    session: Session,
    *,
    engagement_id: str,
    action_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
) -> CommunicationActionRow:
    row = action_row(session, engagement_id, action_id)
    check_version("l'action de communication", row.version, expected_version)
    if unknown := sorted(set(changes) - FIELDS):
        raise InvalidInput(unknown_fields_message(unknown, sorted(FIELDS)))
    data = dataclasses.replace(as_data(row), **dict(changes))
    _check(data)
    _fill(row, data, clock.now())
    row.version += 1
    _flush(session, row, data.title)
    log_change(
        session,
        engagement_id,
        "communication_action_updated",
        {"action_id": row.id, "fields": sorted(changes), "status": row.status, "version": row.version},
        actor,
        clock,
    )
    return row


def delete_action(
    session: Session, *, engagement_id: str, action_id: int, actor: ActorRef, clock: Clock
) -> None:
    row = action_row(session, engagement_id, action_id)
    title = row.title
    session.delete(row)
    session.flush()
    log_change(
        session,
        engagement_id,
        "communication_action_removed",
        {"action_id": action_id, "title": title},
        actor,
        clock,
    )


def actions(session: Session, engagement_id: str) -> list[CommunicationActionRow]:
    """The plan in date order."""
    engagement_or_not_found(session, engagement_id)
    return list(
        session.scalars(
            select(CommunicationActionRow)
            .where(CommunicationActionRow.engagement_id == engagement_id)
            .order_by(CommunicationActionRow.starts_on, CommunicationActionRow.id)
        )
    )


def action_row(session: Session, engagement_id: str, action_id: int) -> CommunicationActionRow:
    engagement_or_not_found(session, engagement_id)
    row = session.get(CommunicationActionRow, action_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(
            Message(
                "communication.action_not_found",
                f"Action de communication introuvable : {action_id}",
                f"Communication action not found: {action_id}",
                details={"action_id": action_id},
            )
        )
    return row


def as_data(row: CommunicationActionRow) -> ActionData:
    return ActionData(
        title=row.title,
        audience=row.audience,
        channel=Channel(row.channel),
        starts_on=row.starts_on,
        owner=row.owner,
        ends_on=row.ends_on,
        status=CommunicationStatus(row.status),
        budget_eur=row.budget_eur,
        message=row.message,
    )


def _check(data: ActionData) -> None:
    problems = texts_problems(
        {"title": (data.title, 300), "audience": (data.audience, 200), "owner": (data.owner, 200)},
        required=["title", "audience", "owner"],
    )
    problems += texts_problems({"message": (data.message, 10_000)}, multiline=True)
    problems += dates_problems({"starts_on": data.starts_on, "ends_on": data.ends_on})
    if data.ends_on is not None and data.ends_on < data.starts_on:
        problems.append(
            Message(
                "communication.period_reversed",
                "la fin de la période ne peut précéder son début",
                "'ends_on' cannot come before 'starts_on'",
                path="ends_on",
            )
        )
    if (problem := euros_problem("budget_eur", data.budget_eur, MAX_BUDGET)) is not None:
        problems.append(problem)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)


def _fill(row: CommunicationActionRow, data: ActionData, now: datetime) -> None:
    row.title = data.title.strip()
    row.audience = data.audience.strip()
    row.channel = Channel(data.channel).value
    row.starts_on = data.starts_on
    row.ends_on = data.ends_on
    row.owner = data.owner.strip()
    row.status = CommunicationStatus(data.status).value
    row.budget_eur = data.budget_eur
    row.message = data.message.strip()
    row.updated_at = now


def _flush(session: Session, row: CommunicationActionRow, title: str) -> None:
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        raise Conflict(
            Message(
                "communication.action_exists",
                f"une action s'intitule déjà « {title} » dans le plan de communication",
                f"an action is already called '{title}' in the communication plan",
                path="title",
            )
        ) from None
