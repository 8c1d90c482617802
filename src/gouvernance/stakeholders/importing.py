"""The all-or-nothing import of a stakeholder spreadsheet into a register, and the same import repeated over
many engagements launched at once (``importer_for``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Message
from gouvernance.stakeholders.analysis.classification import HIGH_SCORE_THRESHOLD, threshold_of
from gouvernance.stakeholders.common import engagement_of, unique_or_conflict
from gouvernance.stakeholders.csv_import import (
    ImportedRow,
    ImportRejected,
    RowError,
    StakeholderImport,
    parse_stakeholder_csv,
)
from gouvernance.stakeholders.register_service import stakeholder_columns
from gouvernance.stakeholders.tables import (
    StakeholderContactRow,
    StakeholderRow,
)
from gouvernance.stakeholders.vocabulary import normalize

_S = cast(Table, StakeholderRow.__table__)
_CONTACTS = cast(Table, StakeholderContactRow.__table__)


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


@dataclass(frozen=True)
class CheckedImport:
    """A spreadsheet read and checked, with what each row writes worked out: the part of an import that needs
    no database, done before the write transaction (on SQLite, writers wait while it is held)."""

    parsed: StakeholderImport
    names: tuple[str, ...]  # each row's name, normalised, as the register is matched on it
    columns: tuple[dict[str, Any], ...]  # each row's stakeholder columns
    threshold: float = HIGH_SCORE_THRESHOLD  # the Mendelow threshold the rows were checked against
    content: bytes | str = b""  # the file, to check again against another threshold

    @classmethod
    def of(
        cls, parsed: StakeholderImport, threshold: float = HIGH_SCORE_THRESHOLD, content: bytes | str = b""
    ) -> CheckedImport:
        return cls(
            parsed,
            tuple(normalize(row.stakeholder.name) for row in parsed.rows),
            tuple(stakeholder_columns(row.stakeholder) for row in parsed.rows),
            threshold,
            content,
        )


def check_csv(content: bytes | str, *, threshold: float = HIGH_SCORE_THRESHOLD) -> CheckedImport:
    """Every row of the file checked against the engagement's Mendelow ``threshold`` (``ImportRejected``
    with every problem), ready for ``import_parsed``."""
    return CheckedImport.of(parse_stakeholder_csv(content, threshold=threshold), threshold, content)


def import_csv(
    session: Session, *, engagement_id: str, content: bytes | str, actor: ActorRef, clock: Clock
) -> ImportSummary:
    """All or nothing: either every row of the spreadsheet is valid and fits the register, and all are
    written, or ``ImportRejected`` lists every bad row with its line number and nothing is written.

    A row whose name (case and accents ignored), else whose identifier, is already in the register updates
    that stakeholder (its contact details are replaced only when the row gives some); the others are added."""
    engagement, _ = engagement_of(session, engagement_id)
    checked = check_csv(content, threshold=threshold_of(engagement.parameters))
    return import_parsed(session, engagement_id=engagement_id, parsed=checked, actor=actor, clock=clock)


def threshold_for(session: Session, engagement_id: str) -> float:
    """The engagement's Mendelow threshold, which a spreadsheet's rows are checked against (read it before
    ``check_csv``)."""
    return threshold_of(engagement_of(session, engagement_id)[0].parameters)


def import_parsed(
    session: Session, *, engagement_id: str, parsed: CheckedImport, actor: ActorRef, clock: Clock
) -> ImportSummary:
    """``import_csv`` for a spreadsheet already checked with ``check_csv``: the write transaction then only
    matches the rows with the register and writes them (a few statements). The API checks a large file
    first, so that writers do not wait while it does."""
    engagement, _ = engagement_of(session, engagement_id)
    if parsed.threshold != threshold_of(engagement.parameters):  # checked against another engagement's
        parsed = check_csv(parsed.content, threshold=threshold_of(engagement.parameters))
    return import_rows(session, engagement_id=engagement_id, parsed=parsed, actor=actor, clock=clock)


def import_rows(
    session: Session,
    *,
    engagement_id: str,
    parsed: StakeholderImport | CheckedImport,
    actor: ActorRef,
    clock: Clock,
) -> ImportSummary:
    """The writing half of ``import_csv``, for callers that parse a file once and import it into many
    engagements (bulk launches): the same few statements (executemany) whatever the number of rows."""
    checked = parsed if isinstance(parsed, CheckedImport) else CheckedImport.of(parsed)
    parsed = checked.parsed
    existing = session.execute(
        select(StakeholderRow.id, StakeholderRow.key, StakeholderRow.name).where(
            StakeholderRow.engagement_id == engagement_id
        )
    ).all()
    inserts, updates = _match_rows(checked, existing)
    now = clock.now()
    with unique_or_conflict():
        _insert_stakeholders(session, engagement_id, inserts, now)
        if updates:
            _update_stakeholders(session, updates, now)
    with_contacts = _write_contacts(
        session,
        engagement_id,
        [row for row, _ in inserts],
        [(row_id, row) for row_id, row, _ in updates],
        now,
    )
    summary = ImportSummary(
        rows=len(parsed.rows),
        created=len(inserts),
        updated=len(updates),
        with_contacts=with_contacts,
        separator=parsed.separator,
        encoding=parsed.encoding,
        ignored_columns=parsed.ignored_columns,
    )
    log_change(
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
    hook for ``engagements.bulk.launch_many`` that imports it into each engagement launched (checked
    again for an engagement launched with its own Mendelow threshold, which quadrants and salience use)."""
    checked = check_csv(content)

    def after_launch(session: Session, engagement_id: str, _request: Any = None) -> ImportSummary:
        threshold = threshold_of(engagement_of(session, engagement_id)[0].parameters)
        rows = checked if threshold == checked.threshold else check_csv(content, threshold=threshold)
        return import_rows(session, engagement_id=engagement_id, parsed=rows, actor=actor, clock=clock)

    return after_launch


# A row to write: the row as read, and its stakeholder columns.
_Row = tuple[ImportedRow, dict[str, Any]]


def _match_rows(
    checked: CheckedImport, existing: Sequence[Any]
) -> tuple[list[_Row], list[tuple[int, ImportedRow, dict[str, Any]]]]:
    by_name = {normalize(name): (row_id, name) for row_id, _, name in existing}
    by_key = {key: (row_id, name) for row_id, key, name in existing}
    inserts: list[_Row] = []
    updates: list[tuple[int, ImportedRow, dict[str, Any]]] = []
    claimed: dict[int, int] = {}
    errors: list[RowError] = []
    for row, name, columns in zip(checked.parsed.rows, checked.names, checked.columns, strict=True):
        named = by_name.get(name)
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
            inserts.append((row, columns))
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
            updates.append((target, row, columns))
    if errors:
        raise ImportRejected(errors)
    return inserts, updates


def _row_error(row: ImportedRow, code: str, fr: str, en: str) -> RowError:
    return RowError(row.line, (Message(code, fr, en, "Nom"),))


def _insert_stakeholders(session: Session, engagement_id: str, rows: list[_Row], now: Any) -> None:
    values = [
        {
            "engagement_id": engagement_id,
            "key": row.stakeholder.id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            **columns,
        }
        for row, columns in rows
    ]
    _insert_many(session, _S, values)


def _insert_many(session: Session, table: Table, values: list[dict[str, Any]]) -> None:
    """One executemany INSERT: psycopg pipelines it, sqlite3 loops in C. (Measured faster, for a hundred
    rows, than multi-row VALUES statements, which SQLAlchemy compiles afresh for each size.)"""
    if values:
        session.execute(insert(table), values)


def _update_stakeholders(
    session: Session, updates: list[tuple[int, ImportedRow, dict[str, Any]]], now: Any
) -> None:
    session.execute(
        update(_S)
        .where(_S.c.id == bindparam("row_id"))
        .values(
            **{name: bindparam(f"new_{name}") for name in updates[0][2]},
            version=_S.c.version + 1,
            updated_at=now,
        ),
        [
            {"row_id": row_id, **{f"new_{name}": value for name, value in columns.items()}}
            for row_id, _, columns in updates
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
