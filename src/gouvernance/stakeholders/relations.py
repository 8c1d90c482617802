"""Typed relations between the stakeholders of an engagement (partenaire, conflit, influence…)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Conflict, InvalidInput, Message
from gouvernance.stakeholders.common import (
    engagement_of,
    not_found,
    unique_or_conflict,
    vocabulary_term,
)
from gouvernance.stakeholders.records import RelationData
from gouvernance.stakeholders.register_service import get_stakeholder
from gouvernance.stakeholders.tables import (
    StakeholderRelationRow,
)
from gouvernance.stakeholders.vocabulary import RelationType


def list_relations(session: Session, engagement_id: str) -> list[StakeholderRelationRow]:
    engagement_of(session, engagement_id)
    return list(
        session.scalars(
            select(StakeholderRelationRow)
            .where(StakeholderRelationRow.engagement_id == engagement_id)
            .order_by(StakeholderRelationRow.id)
        )
    )


def get_relation(session: Session, engagement_id: str, relation_id: int) -> StakeholderRelationRow:
    row = session.get(StakeholderRelationRow, relation_id)
    if row is None or row.engagement_id != engagement_id:
        raise not_found("relation", relation_id)
    return row


def add_relation(
    session: Session,
    *,
    engagement_id: str,
    source_id: int,
    target_id: int,
    type: str,
    weight: float = 1.0,
    start: date | str | None = None,
    actor: ActorRef,
    clock: Clock,
) -> StakeholderRelationRow:
    """A typed relation between two stakeholders of the engagement. For partenaire and conflit the order
    does not matter: B–A is refused when A–B exists."""
    engagement_of(session, engagement_id)
    relation = RelationData(
        str(source_id), str(target_id), vocabulary_term(RelationType, type), weight, cast(Any, start)
    )
    for stakeholder_id in (source_id, target_id):
        get_stakeholder(session, engagement_id, stakeholder_id)
    source, target = _ordered(relation.type, source_id, target_id)
    _check_relation_free(session, source, target, relation.type)
    row = StakeholderRelationRow(
        engagement_id=engagement_id,
        source_id=source,
        target_id=target,
        type=relation.type.value,
        weight=relation.weight,
        start_date=relation.start,
        created_at=clock.now(),
    )
    session.add(row)
    with unique_or_conflict():
        session.flush()
    log_change(
        session,
        engagement_id,
        "stakeholder_relation_added",
        {"relation_id": row.id, "source_id": source, "target_id": target, "type": row.type},
        actor,
        clock,
    )
    return row


def update_relation(
    session: Session,
    *,
    engagement_id: str,
    relation_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
) -> StakeholderRelationRow:
    """Changes ``type``, ``weight`` and/or ``start``; the two ends stay (delete and add to move one)."""
    row = get_relation(session, engagement_id, relation_id)
    unknown = sorted(set(changes) - {"type", "weight", "start"})
    if unknown:
        raise InvalidInput(
            Message(
                "relation.unknown_field",
                f"{'Champs inconnus' if len(unknown) > 1 else 'Champ inconnu'} : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": ["type", "weight", "start"]},
            )
        )
    relation = RelationData(
        str(row.source_id),
        str(row.target_id),
        vocabulary_term(RelationType, changes.get("type", row.type)),
        changes.get("weight", row.weight),
        changes.get("start", row.start_date),
    )
    source, target = _ordered(relation.type, row.source_id, row.target_id)
    if (source, target, relation.type.value) != (row.source_id, row.target_id, row.type):
        _check_relation_free(session, source, target, relation.type, besides=row.id)
    row.source_id, row.target_id, row.type = source, target, relation.type.value
    row.weight, row.start_date = relation.weight, relation.start
    log_change(
        session,
        engagement_id,
        "stakeholder_relation_updated",
        {"relation_id": row.id, "fields": sorted(changes), "type": row.type},
        actor,
        clock,
    )
    session.flush()
    return row


def delete_relation(
    session: Session, *, engagement_id: str, relation_id: int, actor: ActorRef, clock: Clock
) -> None:
    row = get_relation(session, engagement_id, relation_id)
    payload = {
        "relation_id": row.id,
        "source_id": row.source_id,
        "target_id": row.target_id,
        "type": row.type,
    }
    session.delete(row)
    log_change(session, engagement_id, "stakeholder_relation_deleted", payload, actor, clock)
    session.flush()


def _ordered(kind: RelationType, source_id: int, target_id: int) -> tuple[int, int]:
    if kind.directed:
        return source_id, target_id
    return min(source_id, target_id), max(source_id, target_id)


def _check_relation_free(
    session: Session, source: int, target: int, kind: RelationType, besides: int | None = None
) -> None:
    query = select(StakeholderRelationRow.id).where(
        StakeholderRelationRow.source_id == source,
        StakeholderRelationRow.target_id == target,
        StakeholderRelationRow.type == kind.value,
    )
    found = session.scalar(query)
    if found is not None and found != besides:
        raise Conflict(
            Message(
                "stakeholders.duplicate_relation",
                f"La relation « {kind.fr} » entre ces deux parties prenantes existe déjà.",
                f"The relation '{kind.en}' between these two stakeholders already exists.",
                details={"relation_id": found},
            )
        )
