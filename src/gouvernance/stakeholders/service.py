"""The stakeholder register of an engagement: writing it (stakeholders, contact details, relations,
consultations, all-or-nothing CSV import), reading it back as analyses, exports and pictures, and erasing
personal data.

Functions take the caller's session and flush without committing; they raise ``DomainError`` subclasses
(NotFound, Conflict, InvalidInput) with French and English messages. Every write appends a timeline event
whose payload holds row ids, counts and codes only: no name, no key, no contact detail, since events can never
be edited or erased and a stakeholder may be a private person.

Stakeholders, relations and consultations are addressed by their row ids (what the API exposes); ``find``
also accepts a stakeholder's key or name, for the command line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import Conflict, DomainError, InvalidInput, Message, NotFound
from gouvernance.history.log import append_event
from gouvernance.inputs import check_texts, text_problems
from gouvernance.spec.schema import ProcessModel
from gouvernance.stakeholders.analysis import Analysis, build_graph
from gouvernance.stakeholders.analysis import analyse as analyse_map
from gouvernance.stakeholders.csv_import import (
    ImportedRow,
    ImportRejected,
    RowError,
    StakeholderImport,
    parse_stakeholder_csv,
)
from gouvernance.stakeholders.exports import stakeholders_csv, stakeholders_gexf, stakeholders_graphml
from gouvernance.stakeholders.guards import coverage_requirements
from gouvernance.stakeholders.pictures import power_interest_grid_svg, stakeholder_map_svg
from gouvernance.stakeholders.records import ConsultationData, Contact, RelationData, StakeholderData
from gouvernance.stakeholders.register import Register, load_register, to_data
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    ConsultationRow,
    StakeholderContactRow,
    StakeholderRelationRow,
    StakeholderRow,
)
from gouvernance.stakeholders.vocabulary import ConsultationFormat, RelationType, SalienceAttribute, normalize

EXPORT_FORMATS = ("csv", "graphml", "gexf")
_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
_STAKEHOLDER_FIELDS = {f.name for f in dataclasses.fields(StakeholderData)} - {"id", "contact"}
_S = cast(Table, StakeholderRow.__table__)
_CONTACTS = cast(Table, StakeholderContactRow.__table__)
_PARTICIPANTS = cast(Table, ConsultationParticipantRow.__table__)


# --- small helpers ----------------------------------------------------------------------------------------


def model_of(session: Session, engagement_id: str) -> ProcessModel:
    """The process model the engagement was launched from (its stored snapshot)."""
    return _engagement(session, engagement_id)[1]


def _engagement(session: Session, engagement_id: str) -> tuple[EngagementRow, ProcessModel]:
    subject = load_subject(session, engagement_id, None)  # NotFound in the door's words
    return subject.engagement, subject.model


def _log(
    session: Session,
    engagement_id: str,
    event: str,
    payload: dict[str, Any],
    actor: ActorRef,
    clock: Clock,
    step: StepRow | None = None,
) -> None:
    append_event(
        session,
        engagement_id=engagement_id,
        step=step,
        event=event,
        from_state=None,
        to_state=None,
        actor=actor.login,
        actor_role=next(iter(sorted(actor.roles)), None),
        at=clock.now(),
        comment=None,
        payload=payload,
        version=None,
    )


def _salience_codes(salience: frozenset[SalienceAttribute]) -> list[str]:
    return [attribute.value for attribute in SalienceAttribute if attribute in salience]


def _texts(data: StakeholderData) -> dict[str, str | None]:
    """The stakeholder's free text by path, as the input rules check it."""
    contact = data.contact or Contact()
    return {
        "key": data.id,
        "name": data.name,
        **{f"tags.{index}": tag for index, tag in enumerate(data.tags)},
        "contact.email": contact.email,
        "contact.phone": contact.phone,
    }


def _columns(data: StakeholderData) -> dict[str, Any]:
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
    }


@contextmanager
def _unique_or_conflict() -> Iterator[None]:
    """A uniqueness clash the checks could not see (another transaction wrote the same stakeholder or relation
    meanwhile, on PostgreSQL) is a Conflict to retry, not a crash; the caller's transaction rolls back."""
    try:
        yield
    except IntegrityError:
        raise Conflict(
            Message(
                "stakeholders.concurrent_change",
                "Le registre des parties prenantes a été modifié en même temps : rechargez puis réessayez.",
                "The stakeholder register was changed at the same time: reload and retry.",
            )
        ) from None


def _rowcount(session: Session, statement: Any) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _not_found(what: str, identifier: object) -> NotFound:
    labels = {
        "stakeholder": ("Partie prenante introuvable", "Stakeholder not found"),
        "relation": ("Relation introuvable", "Relation not found"),
        "consultation": ("Consultation introuvable", "Consultation not found"),
    }
    fr, en = labels[what]
    return NotFound(
        Message(
            f"{what}.not_found", f"{fr} : {identifier}", f"{en}: {identifier}", details={"id": identifier}
        )
    )


# --- stakeholders -----------------------------------------------------------------------------------------


def list_stakeholders(session: Session, engagement_id: str) -> list[StakeholderRow]:
    _engagement(session, engagement_id)
    return list(
        session.scalars(
            select(StakeholderRow)
            .where(StakeholderRow.engagement_id == engagement_id)
            .order_by(StakeholderRow.name, StakeholderRow.id)
        )
    )


def get_stakeholder(session: Session, engagement_id: str, stakeholder_id: int) -> StakeholderRow:
    row = session.get(StakeholderRow, stakeholder_id)
    if row is None or row.engagement_id != engagement_id:
        raise _not_found("stakeholder", stakeholder_id)
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
    raise _not_found("stakeholder", reference)


def contact_of(session: Session, stakeholder_id: int) -> Contact | None:
    row = session.get(StakeholderContactRow, stakeholder_id)
    return Contact(row.email, row.phone) if row is not None else None


def add_stakeholder(
    session: Session, *, engagement_id: str, data: StakeholderData, actor: ActorRef, clock: Clock
) -> StakeholderRow:
    """A new stakeholder; ``data.id`` is its key. Its contact details, if any, go to their own table."""
    check_texts(_texts(data))
    _engagement(session, engagement_id)
    _check_unique(session, engagement_id, data.id, data.name)
    now = clock.now()
    row = StakeholderRow(
        engagement_id=engagement_id, key=data.id, version=1, created_at=now, updated_at=now, **_columns(data)
    )
    session.add(row)
    with _unique_or_conflict():
        session.flush()
    if data.contact is not None and not data.contact.is_empty():
        session.add(
            StakeholderContactRow(
                stakeholder_id=row.id, email=data.contact.email, phone=data.contact.phone, updated_at=now
            )
        )
    _log(
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
    """Changes some fields (name, kind, category, power, interest, attitude, salience, target_level, tags),
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
                f"Champ(s) inconnu(s) : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": sorted(_STAKEHOLDER_FIELDS)},
            )
        )
    data = dataclasses.replace(to_data(row), **dict(changes))  # validates the result as a whole
    check_texts({path: text for path, text in _texts(data).items() if path.split(".")[0] in changes})
    if "name" in changes:
        _check_unique(session, engagement_id, None, data.name, besides=row.id)
    for name, value in _columns(data).items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = clock.now()
    _log(
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
    _log(
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
    erased = _rowcount(
        session, delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id)
    )
    _log(
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
    participations = _rowcount(
        session, delete(ConsultationParticipantRow).where(ConsultationParticipantRow.stakeholder_id == row.id)
    )
    relations = _rowcount(
        session,
        delete(StakeholderRelationRow).where(
            or_(StakeholderRelationRow.source_id == row.id, StakeholderRelationRow.target_id == row.id)
        ),
    )
    session.execute(delete(StakeholderContactRow).where(StakeholderContactRow.stakeholder_id == row.id))
    category = row.category
    session.delete(row)
    _log(
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


# --- import -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    with_contacts: int
    separator: str = ";"
    encoding: str = "utf-8"
    ignored_columns: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def import_csv(
    session: Session, *, engagement_id: str, content: bytes | str, actor: ActorRef, clock: Clock
) -> ImportSummary:
    """All or nothing: either every row of the spreadsheet is valid and fits the register, and all are
    written, or ``ImportRejected`` lists every bad row with its line number and nothing is written.

    A row whose name (case and accents ignored), else whose identifier, is already in the register updates
    that stakeholder (its contact details are replaced only when the row gives some); the others are added."""
    _engagement(session, engagement_id)
    parsed = parse_stakeholder_csv(content)
    return import_rows(session, engagement_id=engagement_id, parsed=parsed, actor=actor, clock=clock)


def import_rows(
    session: Session, *, engagement_id: str, parsed: StakeholderImport, actor: ActorRef, clock: Clock
) -> ImportSummary:
    """The writing half of ``import_csv``, for callers that parse a file once and import it into many
    engagements (bulk launches): the same few statements (executemany) whatever the number of rows."""
    existing = session.execute(
        select(StakeholderRow.id, StakeholderRow.key, StakeholderRow.name).where(
            StakeholderRow.engagement_id == engagement_id
        )
    ).all()
    inserts, updates = _match_rows(parsed.rows, existing)
    now = clock.now()
    with _unique_or_conflict():
        _insert_stakeholders(session, engagement_id, inserts, now)
        if updates:
            _update_stakeholders(session, updates, now)
    with_contacts = _write_contacts(session, engagement_id, inserts, updates, now)
    summary = ImportSummary(
        rows=len(parsed.rows),
        created=len(inserts),
        updated=len(updates),
        with_contacts=with_contacts,
        separator=parsed.separator,
        encoding=parsed.encoding,
        ignored_columns=parsed.ignored_columns,
    )
    _log(
        session,
        engagement_id,
        "stakeholders_imported",
        {
            "rows": summary.rows,
            "created": summary.created,
            "updated": summary.updated,
            "with_contacts": summary.with_contacts,
        },
        actor,
        clock,
    )
    return summary


def importer_for(
    content: bytes | str, *, actor: ActorRef, clock: Clock
) -> Callable[[Session, str, Any], ImportSummary]:
    """Parses a spreadsheet once (``ImportRejected`` now if it has bad rows) and returns an ``after_launch``
    hook for ``engagements.bulk.launch_many`` that imports it into each engagement launched."""
    parsed = parse_stakeholder_csv(content)

    def after_launch(session: Session, engagement_id: str, _request: Any = None) -> ImportSummary:
        return import_rows(session, engagement_id=engagement_id, parsed=parsed, actor=actor, clock=clock)

    return after_launch


def _match_rows(
    rows: Sequence[ImportedRow], existing: Sequence[Any]
) -> tuple[list[ImportedRow], list[tuple[int, ImportedRow]]]:
    by_name = {normalize(name): (row_id, name) for row_id, _, name in existing}
    by_key = {key: (row_id, name) for row_id, key, name in existing}
    inserts: list[ImportedRow] = []
    updates: list[tuple[int, ImportedRow]] = []
    claimed: dict[int, int] = {}
    errors: list[RowError] = []
    for row in rows:
        named = by_name.get(normalize(row.stakeholder.name))
        keyed = by_key.get(row.stakeholder.id)
        if named and keyed and named[0] != keyed[0]:
            errors.append(
                _row_error(
                    row,
                    "stakeholders.name_taken",
                    f"Nom : « {row.stakeholder.name} » désigne déjà une autre partie prenante "
                    f"que l'identifiant « {row.stakeholder.id} » (« {keyed[1]} »).",
                    f"Name: '{row.stakeholder.name}' already names another stakeholder than "
                    f"the identifier '{row.stakeholder.id}' ('{keyed[1]}').",
                )
            )
            continue
        target = (named or keyed or (None, None))[0]
        if target is None:
            inserts.append(row)
        elif target in claimed:
            errors.append(
                _row_error(
                    row,
                    "stakeholders.same_stakeholder",
                    f"Cette ligne et la ligne {claimed[target]} désignent la même partie "
                    "prenante du registre.",
                    f"This line and line {claimed[target]} name the same stakeholder of the register.",
                )
            )
        else:
            claimed[target] = row.line
            updates.append((target, row))
    if errors:
        raise ImportRejected(errors)
    return inserts, updates


def _row_error(row: ImportedRow, code: str, fr: str, en: str) -> RowError:
    return RowError(row.line, (Message(code, fr, en, "Nom"),))


def _insert_stakeholders(session: Session, engagement_id: str, rows: list[ImportedRow], now: Any) -> None:
    values = [
        {
            "engagement_id": engagement_id,
            "key": row.stakeholder.id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            **_columns(row.stakeholder),
        }
        for row in rows
    ]
    _insert_many(session, _S, values)


def _insert_many(session: Session, table: Table, values: list[dict[str, Any]]) -> None:
    """One executemany INSERT: psycopg pipelines it, sqlite3 loops in C. (Measured faster, for a hundred
    rows, than multi-row VALUES statements, which SQLAlchemy compiles afresh for each size.)"""
    if values:
        session.execute(insert(table), values)


def _update_stakeholders(session: Session, updates: list[tuple[int, ImportedRow]], now: Any) -> None:
    session.execute(
        update(_S)
        .where(_S.c.id == bindparam("row_id"))
        .values(
            **{name: bindparam(f"new_{name}") for name in _columns(updates[0][1].stakeholder)},
            version=_S.c.version + 1,
            updated_at=now,
        ),
        [
            {"row_id": row_id, **{f"new_{name}": value for name, value in _columns(row.stakeholder).items()}}
            for row_id, row in updates
        ],
    )


def _write_contacts(
    session: Session,
    engagement_id: str,
    inserts: list[ImportedRow],
    updates: list[tuple[int, ImportedRow]],
    now: Any,
) -> int:
    """The contact details the rows give: added for new stakeholders (their ids read back by key in one
    SELECT: RETURNING in parameter order would take a statement per row on SQLite), replaced for the
    stakeholders updated. Returns how many rows gave some."""
    new = [row for row in inserts if row.stakeholder.contact is not None]
    replaced = [(row_id, row) for row_id, row in updates if row.stakeholder.contact is not None]
    if new:
        ids: dict[str, int] = {
            key: stakeholder_id
            for key, stakeholder_id in session.execute(
                select(StakeholderRow.key, StakeholderRow.id).where(
                    StakeholderRow.engagement_id == engagement_id
                )
            )
        }
        new_pairs = [(ids[row.stakeholder.id], row) for row in new]
    else:
        new_pairs = []
    for start in range(0, len(replaced), 500):
        chunk = [row_id for row_id, _ in replaced[start : start + 500]]
        session.execute(delete(_CONTACTS).where(_CONTACTS.c.stakeholder_id.in_(chunk)))
    pairs = [*new_pairs, *replaced]
    _insert_many(
        session,
        _CONTACTS,
        [
            {
                "stakeholder_id": row_id,
                "email": row.stakeholder.contact.email if row.stakeholder.contact else None,
                "phone": row.stakeholder.contact.phone if row.stakeholder.contact else None,
                "updated_at": now,
            }
            for row_id, row in pairs
        ],
    )
    return len(pairs)


# --- relations --------------------------------------------------------------------------------------------


def list_relations(session: Session, engagement_id: str) -> list[StakeholderRelationRow]:
    _engagement(session, engagement_id)
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
        raise _not_found("relation", relation_id)
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
    _engagement(session, engagement_id)
    relation = RelationData(
        str(source_id), str(target_id), _vocabulary(RelationType, type), weight, cast(Any, start)
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
    with _unique_or_conflict():
        session.flush()
    _log(
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
                f"Champ(s) inconnu(s) : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": ["type", "weight", "start"]},
            )
        )
    relation = RelationData(
        str(row.source_id),
        str(row.target_id),
        _vocabulary(RelationType, changes.get("type", row.type)),
        changes.get("weight", row.weight),
        changes.get("start", row.start_date),
    )
    source, target = _ordered(relation.type, row.source_id, row.target_id)
    if (source, target, relation.type.value) != (row.source_id, row.target_id, row.type):
        _check_relation_free(session, source, target, relation.type, besides=row.id)
    row.source_id, row.target_id, row.type = source, target, relation.type.value
    row.weight, row.start_date = relation.weight, relation.start
    _log(
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
    _log(session, engagement_id, "stakeholder_relation_deleted", payload, actor, clock)
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


def _vocabulary(enum: Any, value: Any) -> Any:
    """A code, or a label or synonym of one (« en conflit avec », « réunion publique »)."""
    if isinstance(value, str):
        return enum.parse(value) or value
    return value


# --- consultations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationView:
    row: ConsultationRow
    stakeholder_ids: list[int]

    def as_dict(self) -> dict[str, Any]:
        row = self.row
        return {
            "id": row.id,
            "step_key": row.step_key,
            "stage_key": row.stage_key,
            "held_on": row.held_on.isoformat(),
            "format": row.format,
            "summary": row.summary,
            "outcome": row.outcome,
            "stakeholder_ids": self.stakeholder_ids,
            "recorded_by": row.recorded_by,
        }


def list_consultations(session: Session, engagement_id: str) -> list[ConsultationView]:
    from gouvernance.stakeholders.register import consultation_sessions

    _engagement(session, engagement_id)
    return [
        ConsultationView(row, sorted(participants))
        for row, participants in consultation_sessions(session, engagement_id)
    ]


def get_consultation(session: Session, engagement_id: str, consultation_id: int) -> ConsultationView:
    row = session.get(ConsultationRow, consultation_id)
    if row is None or row.engagement_id != engagement_id:
        raise _not_found("consultation", consultation_id)
    ids = session.scalars(
        select(ConsultationParticipantRow.stakeholder_id)
        .where(ConsultationParticipantRow.consultation_id == row.id)
        .order_by(ConsultationParticipantRow.stakeholder_id)
    )
    return ConsultationView(row, list(ids))


def add_consultation(
    session: Session,
    *,
    engagement_id: str,
    step_key: str,
    held_on: date | str,
    format: str,
    stakeholder_ids: Sequence[int],
    summary: str = "",
    outcome: str = "",
    actor: ActorRef,
    clock: Clock,
) -> ConsultationView:
    """An entry of the consultation log: the step it served (a step of the engagement's model; it counts
    for that step's stage) and the stakeholders of the engagement who took part. Every problem is reported
    at once."""
    _, model = _engagement(session, engagement_id)
    data, problems = _consultation_data(step_key, held_on, format, stakeholder_ids, summary, outcome)
    problems += _consultation_text_problems({"step_key": step_key, "summary": summary, "outcome": outcome})
    problems += _step_problems(model, step_key) + _participant_problems(
        session, engagement_id, stakeholder_ids
    )
    _refuse_consultation(problems)
    assert data is not None
    row = ConsultationRow(
        engagement_id=engagement_id,
        step_key=step_key,
        stage_key=model.stage_of_step[step_key],
        held_on=data.date,
        format=data.format.value,
        summary=data.summary,
        outcome=data.outcome,
        recorded_by=actor.login,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    ids = sorted(set(stakeholder_ids))
    session.execute(
        insert(_PARTICIPANTS),
        [{"consultation_id": row.id, "stakeholder_id": stakeholder_id} for stakeholder_id in ids],
    )
    _log(
        session,
        engagement_id,
        "consultation_recorded",
        {
            "consultation_id": row.id,
            "format": row.format,
            "stage_key": row.stage_key,
            "participants": len(ids),
        },
        actor,
        clock,
        step=_step_row(session, engagement_id, step_key),
    )
    return ConsultationView(row, ids)


def update_consultation(
    session: Session,
    *,
    engagement_id: str,
    consultation_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
) -> ConsultationView:
    """Changes any of ``step_key``, ``held_on``, ``format``, ``stakeholder_ids``, ``summary``, ``outcome``."""
    allowed = {"step_key", "held_on", "format", "stakeholder_ids", "summary", "outcome"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            Message(
                "consultation.unknown_field",
                f"Champ(s) inconnu(s) : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": sorted(allowed)},
            )
        )
    current = get_consultation(session, engagement_id, consultation_id)
    _, model = _engagement(session, engagement_id)
    row = current.row
    values = {
        "step_key": row.step_key,
        "held_on": row.held_on,
        "format": row.format,
        "stakeholder_ids": current.stakeholder_ids,
        "summary": row.summary,
        "outcome": row.outcome,
        **changes,
    }
    data, problems = _consultation_data(**values)
    problems += _consultation_text_problems(changes)
    problems += _step_problems(model, values["step_key"])
    problems += _participant_problems(session, engagement_id, values["stakeholder_ids"])
    _refuse_consultation(problems)
    assert data is not None
    row.step_key, row.stage_key = values["step_key"], model.stage_of_step[values["step_key"]]
    row.held_on, row.format, row.summary, row.outcome = (
        data.date,
        data.format.value,
        data.summary,
        data.outcome,
    )
    ids = sorted(set(values["stakeholder_ids"]))
    if ids != current.stakeholder_ids:
        session.execute(
            delete(ConsultationParticipantRow).where(ConsultationParticipantRow.consultation_id == row.id)
        )
        session.execute(
            insert(_PARTICIPANTS),
            [{"consultation_id": row.id, "stakeholder_id": stakeholder_id} for stakeholder_id in ids],
        )
    _log(
        session,
        engagement_id,
        "consultation_updated",
        {"consultation_id": row.id, "fields": sorted(changes)},
        actor,
        clock,
        step=_step_row(session, engagement_id, row.step_key),
    )
    session.flush()
    return ConsultationView(row, ids)


def delete_consultation(
    session: Session, *, engagement_id: str, consultation_id: int, actor: ActorRef, clock: Clock
) -> None:
    view = get_consultation(session, engagement_id, consultation_id)
    row = view.row
    session.execute(
        delete(ConsultationParticipantRow).where(ConsultationParticipantRow.consultation_id == row.id)
    )
    step = _step_row(session, engagement_id, row.step_key)
    session.delete(row)
    _log(
        session,
        engagement_id,
        "consultation_deleted",
        {"consultation_id": consultation_id},
        actor,
        clock,
        step=step,
    )
    session.flush()


def _consultation_data(
    step_key: str,
    held_on: date | str,
    format: str,
    stakeholder_ids: Sequence[int],
    summary: str,
    outcome: str,
) -> tuple[ConsultationData | None, list[Message]]:
    try:
        data = ConsultationData(
            id="consultation",
            date=held_on,  # type: ignore[arg-type]  # records accept ISO dates
            format=_vocabulary(ConsultationFormat, format),
            stakeholder_ids=frozenset(str(value) for value in stakeholder_ids),
            step_key=step_key,
            summary=summary or "",
            outcome=outcome or "",
        )
    except DomainError as invalid:
        return None, list(invalid.reasons)
    return data, []


def _consultation_text_problems(fields: Mapping[str, Any]) -> list[Message]:
    return text_problems({"step_key": fields.get("step_key")}) + text_problems(
        {name: fields.get(name) for name in ("summary", "outcome")}, multiline=True
    )


def _step_problems(model: ProcessModel, step_key: str) -> list[Message]:
    if step_key in model.steps_by_key:
        return []
    return [
        Message(
            "consultation.unknown_step",
            f"Étape inconnue dans le modèle de l'accompagnement : « {step_key} ».",
            f"Unknown step in the engagement's model: '{step_key}'.",
            "step_key",
            {"step_key": step_key},
        )
    ]


def _participant_problems(
    session: Session, engagement_id: str, stakeholder_ids: Sequence[int]
) -> list[Message]:
    wanted = set(stakeholder_ids)
    if not wanted:
        return []
    found = set(
        session.scalars(
            select(StakeholderRow.id).where(
                StakeholderRow.engagement_id == engagement_id, StakeholderRow.id.in_(wanted)
            )
        )
    )
    unknown = sorted(wanted - found)
    if not unknown:
        return []
    listed = ", ".join(map(str, unknown))
    return [
        Message(
            "consultation.unknown_stakeholder",
            f"Partie(s) prenante(s) inconnue(s) dans cet accompagnement : {listed}.",
            f"Unknown stakeholder(s) in this engagement: {listed}.",
            "stakeholder_ids",
            {"unknown": unknown},
        )
    ]


def _refuse_consultation(problems: list[Message]) -> None:
    if problems:
        raise InvalidInput(
            Message(
                "consultation.invalid",
                f"Consultation refusée : {len(problems)} problème(s).",
                f"Consultation refused: {len(problems)} problem(s).",
                details={"count": len(problems)},
            ),
            reasons=problems,
        )


def _step_row(session: Session, engagement_id: str, step_key: str) -> StepRow | None:
    return session.scalar(
        select(StepRow).where(StepRow.engagement_id == engagement_id, StepRow.step_key == step_key)
    )


# --- analyses, exports, pictures --------------------------------------------------------------------------


def analyse(session: Session, engagement_id: str) -> Analysis:
    """Every analysis of the register, with the consultation coverage of each stage measured against what
    the engagement's model requires (``guards.coverage_requirements``)."""
    _, model = _engagement(session, engagement_id)
    register = load_register(session, engagement_id)
    graph = build_graph(register.stakeholders, register.relations)
    return analyse_map(graph, register.consultations, coverage_requirements(model))


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def export(
    session: Session,
    *,
    engagement_id: str,
    fmt: str,
    actor: ActorRef,
    clock: Clock,
    include_contacts: bool = False,
    lang: str = "fr",
) -> ExportFile:
    """The register as CSV (``;``, French headers, re-importable), GraphML or GEXF (with the analysis:
    communities and betweenness). Contact details only with ``include_contacts``, which is logged."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            Message(
                "stakeholders.export_format",
                f"Format d'export inconnu « {fmt} » (possibles : {', '.join(EXPORT_FORMATS)})",
                f"Unknown export format '{fmt}' (possible: {', '.join(EXPORT_FORMATS)})",
                "format",
            )
        )
    engagement, _ = _engagement(session, engagement_id)
    register = load_register(session, engagement_id, with_contacts=include_contacts)
    if fmt == "csv":
        content = stakeholders_csv(
            register.stakeholders, include_contacts=include_contacts, lang=lang
        ).encode()
    else:
        analysis = analyse(session, engagement_id)
        write = stakeholders_graphml if fmt == "graphml" else stakeholders_gexf
        content = write(
            register.stakeholders,
            register.relations,
            include_contacts=include_contacts,
            analysis=analysis,
            lang=lang,
        )
    if include_contacts:
        _log(
            session,
            engagement_id,
            "stakeholder_contacts_exported",
            {"format": fmt, "stakeholders": len(register.stakeholders)},
            actor,
            clock,
        )
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(engagement.territory_name)).strip("-") or "territoire"
    suffix = "-avec-coordonnees" if include_contacts else ""
    return ExportFile(content, _MEDIA_TYPES[fmt], f"parties-prenantes-{slug}{suffix}.{fmt}")


@dataclass(frozen=True)
class Pictures:
    stakeholder_map_svg: str
    power_interest_svg: str


def pictures(
    session: Session, engagement_id: str, *, lang: str = "fr", register: Register | None = None
) -> Pictures:
    """The stakeholder map (coloured by category, sized by power, with a legend) and the Mendelow grid."""
    if register is None:
        _engagement(session, engagement_id)
        register = load_register(session, engagement_id)
    graph = build_graph(register.stakeholders, register.relations)
    return Pictures(
        stakeholder_map_svg(graph, lang=lang),
        power_interest_grid_svg(register.stakeholders, lang=lang),
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
