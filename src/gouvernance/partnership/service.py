"""Recording the parties of the partnership convention, changing and removing them, and reading them back
(the collectivités first, then the others in the order they were entered)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.checks import (
    check_version,
    euros_problem,
    list_problems,
    texts_problems,
    unknown_fields_message,
)
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.stakeholders.tables import StakeholderRow


class PartyKind(StrEnum):
    COLLECTIVITE = "collectivite"
    ASSOCIATION = "association"
    ENTREPRISE = "entreprise"
    INSTITUTION = "institution"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return {
            "collectivite": "collectivité",
            "association": "association",
            "entreprise": "entreprise",
            "institution": "partenaire institutionnel",
            "autre": "autre organisme",
        }[self.value]


@dataclass(frozen=True)
class PartyData:
    name: str
    kind: PartyKind
    representative: str = ""
    representative_title: str = ""
    designation: str = ""
    address: str = ""
    siret: str = ""
    contributions: tuple[str, ...] = field(default_factory=tuple)
    commitments: tuple[str, ...] = field(default_factory=tuple)
    valuation_eur: Decimal | None = None
    stakeholder_id: int | None = None


FIELDS = frozenset(f.name for f in dataclasses.fields(PartyData))
_SIRET = re.compile(r"\d{14}")


def add_party(
    session: Session, *, engagement_id: str, data: PartyData, actor: ActorRef, clock: Clock
) -> ConventionPartyRow:
    """Adds a party. Every problem is reported at once: texts, a malformed SIRET, a negative valuation, a
    stakeholder of another engagement, a name already among the parties."""
    engagement_or_not_found(session, engagement_id)
    _check(session, engagement_id, data)
    now = clock.now()
    row = ConventionPartyRow(engagement_id=engagement_id, recorded_by=actor.login, created_at=now, version=1)
    _fill(row, data, now)
    _flush_unique(session, row, data.name)
    log_change(
        session,
        engagement_id,
        "convention_party_added",
        {"party_id": row.id, "name": data.name, "kind": data.kind.value},
        actor,
        clock,
    )
    return row


def update_party(
    session: Session,
    *,
    engagement_id: str,
    party_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
) -> ConventionPartyRow:
    """Changes some fields, validated together as a whole party; ``expected_version`` guards against lost
    updates."""
    row = party_row(session, engagement_id, party_id)
    check_version("la partie", row.version, expected_version)
    if unknown := sorted(set(changes) - FIELDS):
        raise InvalidInput(unknown_fields_message(unknown, sorted(FIELDS)))
    data = dataclasses.replace(as_data(row), **dict(changes))
    _check(session, engagement_id, data)
    _fill(row, data, clock.now())
    row.version += 1
    _flush_unique(session, row, data.name)
    log_change(
        session,
        engagement_id,
        "convention_party_updated",
        {"party_id": row.id, "fields": sorted(changes), "version": row.version},
        actor,
        clock,
    )
    return row


def delete_party(
    session: Session, *, engagement_id: str, party_id: int, actor: ActorRef, clock: Clock
) -> None:
    row = party_row(session, engagement_id, party_id)
    name = row.name
    session.delete(row)
    session.flush()
    log_change(
        session, engagement_id, "convention_party_removed", {"party_id": party_id, "name": name}, actor, clock
    )


def parties(session: Session, engagement_id: str) -> list[ConventionPartyRow]:
    """The parties as the convention lists them: the collectivités first, then the others as entered."""
    engagement_or_not_found(session, engagement_id)
    rows = session.scalars(
        select(ConventionPartyRow)
        .where(ConventionPartyRow.engagement_id == engagement_id)
        .order_by(ConventionPartyRow.id)
    ).all()
    return sorted(rows, key=lambda row: row.kind != PartyKind.COLLECTIVITE.value)


def party_row(session: Session, engagement_id: str, party_id: int) -> ConventionPartyRow:
    engagement_or_not_found(session, engagement_id)
    row = session.get(ConventionPartyRow, party_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(
            Message(
                "convention.party_not_found",
                f"Partie de la convention introuvable : {party_id}",
                f"Convention party not found: {party_id}",
                details={"party_id": party_id},
            )
        )
    return row


def as_data(row: ConventionPartyRow) -> PartyData:
    return PartyData(
        name=row.name,
        kind=PartyKind(row.kind),
        representative=row.representative,
        representative_title=row.representative_title,
        designation=row.designation,
        address=row.address,
        siret=row.siret,
        contributions=tuple(row.contributions),
        commitments=tuple(row.commitments),
        valuation_eur=row.valuation_eur,
        stakeholder_id=row.stakeholder_id,
    )


def _fill(row: ConventionPartyRow, data: PartyData, now: Any) -> None:
    row.name = data.name.strip()
    row.kind = PartyKind(data.kind).value
    row.representative = data.representative.strip()
    row.representative_title = data.representative_title.strip()
    row.designation = data.designation.strip()
    row.address = data.address.strip()
    row.siret = data.siret.replace(" ", "")
    row.contributions = [item.strip() for item in data.contributions]
    row.commitments = [item.strip() for item in data.commitments]
    row.valuation_eur = data.valuation_eur
    row.stakeholder_id = data.stakeholder_id
    row.updated_at = now


def _flush_unique(session: Session, row: ConventionPartyRow, name: str) -> None:
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        raise Conflict(
            Message(
                "convention.party_exists",
                f"« {name} » est déjà partie à la convention",
                f"'{name}' is already a party to the convention",
                path="name",
            )
        ) from None


def _check(session: Session, engagement_id: str, data: PartyData) -> None:
    problems = texts_problems(
        {
            "name": (data.name, 300),
            "representative": (data.representative, 200),
            "representative_title": (data.representative_title, 200),
            "designation": (data.designation, 100),
            "address": (data.address, 300),
            "siret": (data.siret, 20),
        },
        required=["name"],
    )
    problems += list_problems("contributions", data.contributions)
    problems += list_problems("commitments", data.commitments)
    siret = data.siret.replace(" ", "")
    if siret and not any(p.path == "siret" for p in problems) and not _SIRET.fullmatch(siret):
        problems.append(
            Message(
                "convention.bad_siret",
                f"SIRET invalide « {data.siret} » : 14 chiffres attendus",
                f"invalid SIRET '{data.siret}': 14 digits expected",
                path="siret",
            )
        )
    if (problem := euros_problem("valuation_eur", data.valuation_eur)) is not None:
        problems.append(problem)
    if data.stakeholder_id is not None:
        stakeholder = session.get(StakeholderRow, data.stakeholder_id)
        if stakeholder is None or stakeholder.engagement_id != engagement_id:
            problems.append(
                Message(
                    "convention.unknown_stakeholder",
                    f"partie prenante inconnue dans cet accompagnement : {data.stakeholder_id}",
                    f"no such stakeholder in this engagement: {data.stakeholder_id}",
                    path="stakeholder_id",
                )
            )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
