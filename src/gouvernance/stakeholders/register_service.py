"""The register itself: stakeholders and their contact details (kept in a table apart), added, changed,
looked up, deleted, and the RGPD erasure of contact details.

Functions take the caller's session and flush without committing; every write appends a timeline event
(``common.log_change``). Stakeholders are addressed by their row ids (what the API exposes);
``find_stakeholder`` also accepts a key or a name, for the command line."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Conflict, InvalidInput, Message
from gouvernance.inputs import check_texts
from gouvernance.stakeholders.common import engagement_of, not_found, rowcount, unique_or_conflict
from gouvernance.stakeholders.records import Contact, StakeholderData
from gouvernance.stakeholders.register import in_french_order, to_data
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    StakeholderContactRow,
    StakeholderRelationRow,
    StakeholderRow,
)
from gouvernance.stakeholders.vocabulary import SalienceAttribute, normalize

_STAKEHOLDER_FIELDS = {f.name for f in dataclasses.fields(StakeholderData)} - {"id", "contact"}


def _salience_codes(salience: frozenset[SalienceAttribute]) -> list[str]:
    return [attribute.value for attribute in SalienceAttribute if attribute in salience]


def stakeholder_texts(data: StakeholderData) -> dict[str, str | None]:
    """The stakeholder's free text by path, as the input rules check it."""
    contact = data.contact or Contact()
    return {
        "key": data.id,
        "name": data.name,
        **{f"tags.{index}": tag for index, tag in enumerate(data.tags)},
        "contact.email": contact.email,
        "contact.phone": contact.phone,
    }


def stakeholder_columns(data: StakeholderData) -> dict[str, Any]:
    return {
        "name": data.name,
        "kind": data.kind.value,
        "category": data.category.value,
        "power": data.power,
        "interest": data.interest,
        "attitude": data.attitude.value,
        "salience": _salience_codes(data.salience),
        "target_level": data.target_level.value if data.target_level else None,
        "tags": list(data.tags),
        "notes": data.notes,
    }


def list_stakeholders(session: Session, engagement_id: str) -> list[StakeholderRow]:
    engagement_of(session, engagement_id)
    return in_french_order(
        session.scalars(select(StakeholderRow).where(StakeholderRow.engagement_id == engagement_id))
    )


def get_stakeholder(session: Session, engagement_id: str, stakeholder_id: int) -> StakeholderRow:
    row = session.get(StakeholderRow, stakeholder_id)
    if row is None or row.engagement_id != engagement_id:
        raise not_found("stakeholder", stakeholder_id)
    return row


def find_stakeholder(session: Session, engagement_id: str, reference: str) -> StakeholderRow:
    """By row id, key or name (case and accents ignored), in that order."""
    reference = reference.strip()
    if reference.isdigit():
        row = session.get(StakeholderRow, int(reference))
        if row is not None and row.engagement_id == engagement_id:
            return row
    rows = session.scalars(select(StakeholderRow).where(StakeholderRow.engagement_id == engagement_id)).all()
    wanted = normalize(reference)
    for row in rows:
        if row.key == reference or normalize(row.name) == wanted:
            return row
    raise not_found("stakeholder", reference)


def contact_of(session: Session, stakeholder_id: int) -> Contact | None:
    row = session.get(StakeholderContactRow, stakeholder_id)
    return Contact(row.email, row.phone) if row is not None else None


def add_stakeholder(
    session: Session, *, engagement_id: str, data: StakeholderData, actor: ActorRef, clock: Clock
) -> StakeholderRow:
    """A new stakeholder; ``data.id`` is its key. Its contact details, if any, go to their own table."""
    check_texts(stakeholder_texts(data))
    engagement_of(session, engagement_id)
    _check_unique(session, engagement_id, data.id, data.name)
    now = clock.now()
    row = StakeholderRow(
        engagement_id=engagement_id,
        key=data.id,
        version=1,
        created_at=now,
        updated_at=now,
        **stakeholder_columns(data),
    )
    session.add(row)
    with unique_or_conflict():
        session.flush()
    if data.contact is not None and not data.contact.is_empty():
        session.add(
            StakeholderContactRow(
                stakeholder_id=row.id, email=data.contact.email, phone=data.contact.phone, updated_at=now
            )
        )
    log_change(
        session,
        engagement_id,
        "stakeholder_added",
        {"stakeholder_id": row.id, "category": row.category},
        actor,
        clock,
    )
    session.flush()
    return row


def update_stakeholder(
    session: Session,
    *,
    engagement_id: str,
    stakeholder_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
) -> StakeholderRow:
    """Changes some fields (name, kind, category, power, interest, attitude, salience, target_level, tags,
    notes),
    validated together as a whole stakeholder. ``expected_version`` guards against lost updates."""
    row = get_stakeholder(session, engagement_id, stakeholder_id)
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            Message(
                "stakeholder.stale_version",
                f"Version périmée : attendu {expected_version}, actuelle {row.version}. "
                "Rechargez puis réessayez.",
                f"Stale version: expected {expected_version}, current {row.version}. Reload and retry.",
                details={"current_version": row.version, "expected_version": expected_version},
            )
        )
    unknown = sorted(set(changes) - _STAKEHOLDER_FIELDS)
    if unknown:
        raise InvalidInput(
            Message(
                "stakeholder.unknown_field",
                f"{'Champs inconnus' if len(unknown) > 1 else 'Champ inconnu'} : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": sorted(_STAKEHOLDER_FIELDS)},
            )
        )
    data = dataclasses.replace(to_data(row), **dict(changes))  # validates the result as a whole
    check_texts(
        {path: text for path, text in stakeholder_texts(data).items() if path.split(".")[0] in changes}
    )
    if "name" in changes:
        _check_unique(session, engagement_id, None, data.name, besides=row.id)
    for name, value in stakeholder_columns(data).items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = clock.now()
    log_change(
        session,
        engagement_id,
        "stakeholder_updated",
        {"stakeholder_id": row.id, "fields": sorted(changes), "version": row.version},
        actor,
        clock,
    )
    session.flush()
    return row


def set_contact(
    session: Session,
    *,
    engagement_id: str,
    stakeholder_id: int,
    contact: Contact | None,
    actor: ActorRef,
    clock: Clock,
) -> None:
    """Records (or, with ``None`` or an empty contact, removes) a stakeholder's contact details."""
    if contact is not None:
        check_texts({"contact.email": contact.email, "contact.phone": contact.phone})
    row = get_stakeholder(session, engagement_id, stakeholder_id)
    session.execute(delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id))
    fields = []
    if contact is not None and not contact.is_empty():
        session.add(
            StakeholderContactRow(
                stakeholder_id=row.id, email=contact.email, phone=contact.phone, updated_at=clock.now()
            )
        )
        fields = [name for name in ("email", "phone") if getattr(contact, name)]
    log_change(
        session,
        engagement_id,
        "stakeholder_contact_set",
        {"stakeholder_id": row.id, "fields": fields},
        actor,
        clock,
    )
    session.flush()


def erase_contacts(
    session: Session, *, engagement_id: str, stakeholder_id: int, actor: ActorRef, clock: Clock
) -> bool:
    """RGPD erasure of a stakeholder's contact details. True when there was something to erase; the request
    is logged either way (with the stakeholder's row id only)."""
    row = get_stakeholder(session, engagement_id, stakeholder_id)
    erased = rowcount(
        session, delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id)
    )
    log_change(
        session,
        engagement_id,
        "stakeholder_contact_erased",
        {"stakeholder_id": row.id, "erased": bool(erased)},
        actor,
        clock,
    )
    session.flush()
    return bool(erased)


def delete_stakeholder(
    session: Session, *, engagement_id: str, stakeholder_id: int, actor: ActorRef, clock: Clock
) -> None:
    """Removes the stakeholder, its contact details, its relations and its places in the consultation log
    (the consultations themselves stay)."""
    row = get_stakeholder(session, engagement_id, stakeholder_id)
    participations = rowcount(
        session, delete(ConsultationParticipantRow).where(ConsultationParticipantRow.stakeholder_id == row.id)
    )
    relations = rowcount(
        session,
        delete(StakeholderRelationRow).where(
            or_(StakeholderRelationRow.source_id == row.id, StakeholderRelationRow.target_id == row.id)
        ),
    )
    session.execute(delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id))
    category = row.category
    session.delete(row)
    log_change(
        session,
        engagement_id,
        "stakeholder_deleted",
        {
            "stakeholder_id": stakeholder_id,
            "category": category,
            "relations_removed": relations,
            "consultations_left": participations,
        },
        actor,
        clock,
    )
    session.flush()


def _check_unique(
    session: Session, engagement_id: str, key: str | None, name: str, besides: int | None = None
) -> None:
    rows = session.execute(
        select(StakeholderRow.id, StakeholderRow.key, StakeholderRow.name).where(
            StakeholderRow.engagement_id == engagement_id
        )
    ).all()
    wanted = normalize(name)
    for row_id, row_key, row_name in rows:
        if row_id == besides:
            continue
        if key is not None and row_key == key:
            raise Conflict(
                Message(
                    "stakeholders.duplicate_id",
                    f"L'identifiant « {key} » est déjà utilisé.",
                    f"The identifier '{key}' is already used.",
                    "key",
                    {"stakeholder_id": row_id},
                )
            )
        if normalize(row_name) == wanted:
            raise Conflict(
                Message(
                    "stakeholders.duplicate_name",
                    f"Une partie prenante s'appelle déjà « {row_name} ».",
                    f"A stakeholder is already called '{row_name}'.",
                    "name",
                    {"stakeholder_id": row_id},
                )
            )


def register_size(session: Session, engagement_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(StakeholderRow)
            .where(StakeholderRow.engagement_id == engagement_id)
        )
        or 0
    )
