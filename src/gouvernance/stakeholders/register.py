"""Reading an engagement's stakeholder register from the database, as the pure records the analyses, exports
and pictures work on. Stakeholder keys become the records' ids; consultation row ids become theirs.

Contact details are only read when asked for (``with_contacts``): nothing downstream sees them otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gouvernance.stakeholders.records import ConsultationData, Contact, RelationData, StakeholderData
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    ConsultationRow,
    StakeholderContactRow,
    StakeholderRelationRow,
    StakeholderRow,
)
from gouvernance.stakeholders.vocabulary import (
    Attitude,
    Category,
    ConsultationFormat,
    IAP2Level,
    RelationType,
    SalienceAttribute,
    StakeholderKind,
    french_sort_key,
)


@dataclass(frozen=True)
class Person:
    """What the guards need to know of a stakeholder: who, which category, how powerful and interested."""

    id: int
    key: str
    name: str
    category: str
    power: int
    interest: int

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "key": self.key, "name": self.name, "category": self.category}


@dataclass(frozen=True)
class Register:
    """An engagement's register as pure records, with the mapping between keys and row ids."""

    stakeholders: list[StakeholderData]
    relations: list[RelationData]
    consultations: list[ConsultationData]
    id_of: dict[str, int] = field(default_factory=dict)  # stakeholder key → row id

    @property
    def key_of(self) -> dict[int, str]:
        return {row_id: key for key, row_id in self.id_of.items()}


def people(session: Session, engagement_id: str) -> list[Person]:
    return people_by_engagement(session, [engagement_id]).get(engagement_id, [])


def people_by_engagement(
    session: Session, engagement_ids: Iterable[str], *, only: ColumnElement[bool] | None = None
) -> dict[str, list[Person]]:
    """The registers of several engagements in one query (the reminder sweep asks for a batch at once);
    ``only``: the stakeholders that satisfy this condition on their row."""
    ids = list(dict.fromkeys(engagement_ids))
    if not ids:
        return {}
    registers: defaultdict[str, list[Person]] = defaultdict(list)
    for engagement_id, *fields in session.execute(
        select(
            StakeholderRow.engagement_id,
            StakeholderRow.id,
            StakeholderRow.key,
            StakeholderRow.name,
            StakeholderRow.category,
            StakeholderRow.power,
            StakeholderRow.interest,
        ).where(StakeholderRow.engagement_id.in_(ids), *([] if only is None else [only]))
    ):
        registers[engagement_id].append(Person(*fields))
    return dict(registers)


def consulted_ids(session: Session, engagement_id: str, stage_key: str | None = None) -> set[int]:
    """The stakeholders who took part in at least one consultation of the engagement (of one stage)."""
    query = (
        select(ConsultationParticipantRow.stakeholder_id)
        .join(ConsultationRow, ConsultationRow.id == ConsultationParticipantRow.consultation_id)
        .where(ConsultationRow.engagement_id == engagement_id)
        .distinct()
    )
    if stage_key is not None:
        query = query.where(ConsultationRow.stage_key == stage_key)
    return set(session.scalars(query))


def consulted_by_stage(session: Session, engagement_ids: Iterable[str]) -> dict[str, dict[str, set[int]]]:
    """Per engagement, then per stage, the stakeholders who took part in at least one consultation: one
    query for several engagements."""
    ids = list(dict.fromkeys(engagement_ids))
    if not ids:
        return {}
    heard: defaultdict[str, defaultdict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for engagement_id, stage_key, stakeholder_id in session.execute(
        select(
            ConsultationRow.engagement_id,
            ConsultationRow.stage_key,
            ConsultationParticipantRow.stakeholder_id,
        )
        .join(ConsultationRow, ConsultationRow.id == ConsultationParticipantRow.consultation_id)
        .where(ConsultationRow.engagement_id.in_(ids))
        .distinct()
    ):
        heard[engagement_id][stage_key].add(stakeholder_id)
    return {engagement_id: dict(stages) for engagement_id, stages in heard.items()}


def consultation_sessions(
    session: Session,
    engagement_id: str,
    *,
    stage_key: str | None = None,
    formats: Iterable[str] | None = None,
) -> list[tuple[ConsultationRow, frozenset[int]]]:
    """Consultations (optionally of one stage, of some formats), oldest first, with their participants' row
    ids. Two queries whatever the size of the log."""
    conditions = [ConsultationRow.engagement_id == engagement_id]
    if stage_key is not None:
        conditions.append(ConsultationRow.stage_key == stage_key)
    if formats is not None:
        conditions.append(ConsultationRow.format.in_(list(formats)))
    consultations = list(
        session.scalars(
            select(ConsultationRow).where(*conditions).order_by(ConsultationRow.held_on, ConsultationRow.id)
        )
    )
    participants: defaultdict[int, set[int]] = defaultdict(set)
    for consultation_id, stakeholder_id in session.execute(
        select(ConsultationParticipantRow.consultation_id, ConsultationParticipantRow.stakeholder_id)
        .join(ConsultationRow, ConsultationRow.id == ConsultationParticipantRow.consultation_id)
        .where(*conditions)
    ):
        participants[consultation_id].add(stakeholder_id)
    return [(row, frozenset(participants.get(row.id, ()))) for row in consultations]


def load_register(session: Session, engagement_id: str, *, with_contacts: bool = False) -> Register:
    rows = in_french_order(
        session.scalars(select(StakeholderRow).where(StakeholderRow.engagement_id == engagement_id))
    )
    contacts = _contacts(session, engagement_id) if with_contacts else {}
    stakeholders = [to_data(row, contacts.get(row.id)) for row in rows]
    key_of = {row.id: row.key for row in rows}
    relations = [
        RelationData(
            key_of[row.source_id], key_of[row.target_id], RelationType(row.type), row.weight, row.start_date
        )
        for row in session.scalars(
            select(StakeholderRelationRow)
            .where(StakeholderRelationRow.engagement_id == engagement_id)
            .order_by(StakeholderRelationRow.id)
        )
    ]
    consultations = [
        ConsultationData(
            id=str(row.id),
            date=row.held_on,
            format=ConsultationFormat(row.format),
            stakeholder_ids=frozenset(key_of[stakeholder_id] for stakeholder_id in participants),
            step_key=row.step_key,
            stage_key=row.stage_key,
            summary=row.summary,
            outcome=row.outcome,
        )
        for row, participants in consultation_sessions(session, engagement_id)
        if participants  # a log entry whose participants were all deleted names nobody any more
    ]
    return Register(stakeholders, relations, consultations, {row.key: row.id for row in rows})


def in_french_order(rows: Iterable[StakeholderRow]) -> list[StakeholderRow]:
    """By name as a French reader expects (``vocabulary.french_sort_key``; databases sort bytes), then id."""
    return sorted(rows, key=lambda row: (french_sort_key(row.name), row.id))


def to_data(row: StakeholderRow, contact: StakeholderContactRow | None = None) -> StakeholderData:
    return StakeholderData(
        id=row.key,
        name=row.name,
        kind=StakeholderKind(row.kind),
        category=Category(row.category),
        power=row.power,
        interest=row.interest,
        attitude=Attitude(row.attitude),
        salience=frozenset(SalienceAttribute(code) for code in row.salience),
        target_level=IAP2Level(row.target_level) if row.target_level else None,
        tags=tuple(row.tags),
        notes=row.notes,
        contact=Contact(contact.email, contact.phone) if contact is not None else None,
    )


def _contacts(session: Session, engagement_id: str) -> dict[int, StakeholderContactRow]:
    return {
        row.stakeholder_id: row
        for row in session.scalars(
            select(StakeholderContactRow)
            .join(StakeholderRow, StakeholderRow.id == StakeholderContactRow.stakeholder_id)
            .where(StakeholderRow.engagement_id == engagement_id)
        )
    }
