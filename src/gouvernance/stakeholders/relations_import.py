"""Relations from a spreadsheet, all or nothing, as a town hall's Excel export writes them — with names, not
ids:

    Source;Cible;Type;Poids
    Mairie annexe;Collectif du bocage;en conflit avec;3

Names are matched to the register without regard to case, accents and punctuation (the key is accepted
too). Every bad line is listed with all its reasons — an unknown name with the closest names of the register —
and then nothing is written."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Message
from gouvernance.stakeholders.common import engagement_of, unique_or_conflict
from gouvernance.stakeholders.csv_import import ImportRejected, RowError, decode, sniff_separator
from gouvernance.stakeholders.records import WEIGHT_MAX, WEIGHT_MIN
from gouvernance.stakeholders.tables import StakeholderRelationRow, StakeholderRow
from gouvernance.stakeholders.vocabulary import RelationType, normalize

_HEADERS = {
    "source": "source",
    "de": "source",
    "from": "source",
    "cible": "target",
    "vers": "target",
    "target": "target",
    "to": "target",
    "type": "type",
    "relation": "type",
    "type de relation": "type",
    "poids": "weight",
    "weight": "weight",
    "intensite": "weight",
}
_REQUIRED = {"source": "Source", "target": "Cible", "type": "Type"}
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@dataclass(frozen=True)
class RelationsImported:
    rows: int
    created: int
    already_there: int  # lines naming a relation the register already holds: left as they are

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "already_there": self.already_there}


def import_relations(
    session: Session, *, engagement_id: str, content: bytes | str, actor: ActorRef, clock: Clock
) -> RelationsImported:
    engagement_of(session, engagement_id)
    register = session.execute(
        select(StakeholderRow.id, StakeholderRow.key, StakeholderRow.name).where(
            StakeholderRow.engagement_id == engagement_id
        )
    ).all()
    by_name = {normalize(name): row_id for row_id, _, name in register}
    by_key = {key: row_id for row_id, key, _ in register}
    names = [name for _, _, name in register]
    existing = {
        (source, target, kind)
        for source, target, kind in session.execute(
            select(
                StakeholderRelationRow.source_id,
                StakeholderRelationRow.target_id,
                StakeholderRelationRow.type,
            ).where(StakeholderRelationRow.engagement_id == engagement_id)
        )
    }
    seen: dict[tuple[int, int, str], int] = {}
    new: list[dict[str, Any]] = []
    errors: list[RowError] = []
    rows = _records(content)
    for line, cells in rows:
        reasons: list[Message] = []
        source = _stakeholder(cells.get("source", ""), "Source", by_name, by_key, names, reasons)
        target = _stakeholder(cells.get("target", ""), "Cible", by_name, by_key, names, reasons)
        kind = RelationType.parse(cells.get("type", ""))
        if kind is None:
            reasons.append(
                Message(
                    "stakeholders.unknown_relation_type",
                    f"Type : « {cells.get('type', '')} » inconnu (possibles : {RelationType.choices()}).",
                    f"Type: unknown '{cells.get('type', '')}' (possible: {RelationType.choices('en')}).",
                    "Type",
                )
            )
        weight = _weight(cells.get("weight", ""), reasons)
        if source is not None and source == target:
            reasons.append(
                Message("stakeholders.self_relation", "Source et cible sont la même partie prenante.",
                        "Source and target are the same stakeholder.", "Cible")
            )  # fmt: skip
        if reasons or source is None or target is None or kind is None or weight is None:
            errors.append(RowError(line, tuple(reasons)))
            continue
        if not kind.directed:
            source, target = min(source, target), max(source, target)
        triple = (source, target, kind.value)
        if triple in seen:
            errors.append(
                RowError(
                    line,
                    (
                        Message(
                            "stakeholders.same_relation",
                            f"Même relation qu'à la ligne {seen[triple]}.",
                            f"Same relation as line {seen[triple]}.",
                        ),
                    ),
                )
            )
            continue
        seen[triple] = line
        if triple not in existing:
            new.append({"source_id": source, "target_id": target, "type": kind.value, "weight": weight})
    if errors:
        raise ImportRejected(errors)
    now = clock.now()
    if new:
        with unique_or_conflict():
            session.execute(
                insert(StakeholderRelationRow),
                [
                    {**values, "engagement_id": engagement_id, "start_date": None, "created_at": now}
                    for values in new
                ],
            )
    summary = RelationsImported(len(rows), len(new), len(rows) - len(new))
    log_change(session, engagement_id, "stakeholder_relations_imported", summary.as_dict(), actor, clock)
    return summary


def _records(content: bytes | str) -> list[tuple[int, dict[str, str]]]:
    text, _ = decode(content)
    separator, hinted = sniff_separator(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))[1 if hinted else 0 :]
    header_line = 2 if hinted else 1
    if not records:
        raise ImportRejected(
            [RowError(1, (Message("stakeholders.empty_file", "Le fichier est vide.", "The file is empty."),))]
        )
    columns = {index: _HEADERS.get(normalize(title)) for index, title in enumerate(records[0])}
    missing = [label for name, label in _REQUIRED.items() if name not in columns.values()]
    if missing:
        wanted = ", ".join(f"« {label} »" for label in missing)
        raise ImportRejected(
            [
                RowError(
                    header_line,
                    (
                        Message(
                            "stakeholders.missing_column",
                            f"Colonnes obligatoires absentes : {wanted}.",
                            f"Required columns missing: {wanted}.",
                        ),
                    ),
                )
            ]
        )
    rows = []
    for offset, record in enumerate(records[1:], start=1):
        if any(cell.strip() for cell in record):
            cells = {columns[i]: cell.strip() for i, cell in enumerate(record) if columns.get(i)}
            rows.append((header_line + offset, {name: value for name, value in cells.items() if name}))
    return rows


def _stakeholder(
    text: str,
    column: str,
    by_name: dict[str, int],
    by_key: dict[str, int],
    names: list[str],
    reasons: list[Message],
) -> int | None:
    found = by_name.get(normalize(text)) or by_key.get(text)
    if found is not None:
        return found
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
    hint = f" ; vouliez-vous dire {' ou '.join(f'« {name} »' for name in close)} ?" if close else ""
    hint_en = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    reasons.append(
        Message(
            "stakeholders.unknown_name",
            f"{column} : « {text} » n'est pas au registre{hint}",
            f"{column}: '{text}' is not in the register{hint_en}",
            column,
            details={"name": text, "close": close},
        )
    )
    return None


def _weight(text: str, reasons: list[Message]) -> float | None:
    if not text:
        return 1.0
    plain = _SPACES.sub("", text).replace(",", ".")
    try:
        weight = float(plain)
    except ValueError:
        weight = float("nan")
    if not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        reasons.append(
            Message(
                "stakeholders.bad_weight",
                f"Poids : « {text} » doit être un nombre de {WEIGHT_MIN} à {WEIGHT_MAX:g}.",
                f"Weight: '{text}' must be a number from {WEIGHT_MIN} to {WEIGHT_MAX:g}.",
                "Poids",
            )
        )
        return None
    return weight
