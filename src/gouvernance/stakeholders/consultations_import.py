"""Consultations from a spreadsheet, all or nothing, as a town hall's Excel export writes them — with names,
not ids, one line per stakeholder consulted:

    Date;Partie prenante;Méthode;Sujet;Notes;Étape
    10/03/2026;Collectif du bocage;atelier;Aménagement du bourg;Demande une 2e réunion;entretiens

The « Sujet » becomes the consultation's summary and the « Notes » its outcome. The « Étape » (its key or its
title) may be left out when the caller names a default step. Lines that agree on date, step, method, subject
and notes are one consultation with several participants. Names are matched to the register as the
relations import matches them (case, accents and punctuation aside; the key is accepted too). Every bad line
is listed with all its reasons — an unknown name or step with the closest ones, a date that is not a date
(dd/mm/yyyy as in France, or yyyy-mm-dd), a method the log does not know — and then nothing is written."""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Message
from gouvernance.inputs import date_problem, forbidden_character
from gouvernance.spec.schema import ProcessModel
from gouvernance.stakeholders.common import engagement_of
from gouvernance.stakeholders.consultations import add_consultation
from gouvernance.stakeholders.csv_import import ImportRejected, RowError, decode, sniff_separator
from gouvernance.stakeholders.tables import StakeholderRow
from gouvernance.stakeholders.vocabulary import ConsultationFormat, normalize

_HEADERS = {
    "date": "date",
    "le": "date",
    "date de la consultation": "date",
    "partie prenante": "stakeholder",
    "parties prenantes": "stakeholder",
    "participant": "stakeholder",
    "participants": "stakeholder",
    "personne consultee": "stakeholder",
    "consulte": "stakeholder",
    "nom": "stakeholder",
    "acteur": "stakeholder",
    "stakeholder": "stakeholder",
    "methode": "format",
    "methode de consultation": "format",
    "modalite": "format",
    "format": "format",
    "type de consultation": "format",
    "method": "format",
    "sujet": "summary",
    "objet": "summary",
    "theme": "summary",
    "resume": "summary",
    "subject": "summary",
    "summary": "summary",
    "notes": "outcome",
    "note": "outcome",
    "resultat": "outcome",
    "suites": "outcome",
    "suites donnees": "outcome",
    "compte rendu": "outcome",
    "outcome": "outcome",
    "etape": "step",
    "step": "step",
}
_REQUIRED = {"date": "Date", "stakeholder": "Partie prenante", "format": "Méthode"}
_COLUMN_TITLES = {**_REQUIRED, "summary": "Sujet", "outcome": "Notes", "step": "Étape"}
MAX_TEXT = 10_000  # as the API's consultation entry
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


@dataclass(frozen=True)
class ConsultationsImported:
    rows: int
    consultations: int  # lines agreeing on date, step, method, subject and notes are one consultation
    consultation_ids: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "consultations": self.consultations,
            "consultation_ids": list(self.consultation_ids),
        }


@dataclass(frozen=True)
class _Line:
    line: int
    stakeholder_id: int
    held_on: date
    format: ConsultationFormat
    step_key: str
    summary: str
    outcome: str

    @property
    def session_key(self) -> tuple[date, str, str, str, str]:
        return (self.held_on, self.step_key, self.format.value, self.summary, self.outcome)


def import_consultations(
    session: Session,
    *,
    engagement_id: str,
    content: bytes | str,
    default_step: str | None = None,
    actor: ActorRef,
    clock: Clock,
) -> ConsultationsImported:
    """Every line of the file recorded in the consultation log, or ``ImportRejected`` listing every bad line
    and nothing recorded. ``default_step`` (a key or a title) serves the lines without an « Étape »."""
    _, model = engagement_of(session, engagement_id)
    register = session.execute(
        select(StakeholderRow.id, StakeholderRow.key, StakeholderRow.name).where(
            StakeholderRow.engagement_id == engagement_id
        )
    ).all()
    people = _Names(
        {normalize(name): row_id for row_id, _, name in register},
        {key: row_id for row_id, key, _ in register},
        [name for _, _, name in register],
    )
    steps = _Steps(model)
    rows = _records(content)
    lines: list[_Line] = []
    errors: list[RowError] = []
    seen: dict[tuple[tuple[date, str, str, str, str], int], int] = {}
    for number, cells in rows:
        parsed = _line(number, cells, people, steps, default_step)
        if isinstance(parsed, RowError):
            errors.append(parsed)
            continue
        first = seen.setdefault((parsed.session_key, parsed.stakeholder_id), number)
        if first != number:
            errors.append(
                RowError(
                    number,
                    (
                        Message(
                            "consultations.same_line",
                            f"Même consultation et même partie prenante qu'à la ligne {first}.",
                            f"Same consultation and stakeholder as line {first}.",
                        ),
                    ),
                )
            )
            continue
        lines.append(parsed)
    if errors:
        raise ImportRejected(errors)
    grouped: dict[tuple[date, str, str, str, str], list[_Line]] = {}
    for parsed in lines:
        grouped.setdefault(parsed.session_key, []).append(parsed)
    ids = []
    for (held_on, step_key, fmt, summary, outcome), members in grouped.items():
        view = add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=step_key,
            held_on=held_on,
            format=fmt,
            stakeholder_ids=[member.stakeholder_id for member in members],
            summary=summary,
            outcome=outcome,
            actor=actor,
            clock=clock,
        )
        ids.append(view.row.id)
    summary_of_import = ConsultationsImported(len(rows), len(ids), tuple(ids))
    log_change(
        session,
        engagement_id,
        "consultations_imported",
        {"rows": len(rows), "consultations": len(ids)},
        actor,
        clock,
    )
    return summary_of_import


# --- Reading the file -------------------------------------------------------------------------------------


def _records(content: bytes | str) -> list[tuple[int, dict[str, str]]]:
    text, _ = decode(content)
    separator, hinted = sniff_separator(text)
    header_line = 2 if hinted else 1
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))[1 if hinted else 0 :]
    except csv.Error as error:
        raise _refused(
            header_line,
            Message(
                "stakeholders.malformed_csv",
                f"Fichier CSV mal formé ({error}).",
                f"Malformed CSV file ({error}).",
            ),
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise _refused(1, Message("stakeholders.empty_file", "Le fichier est vide.", "The file is empty."))
    columns = {index: _HEADERS.get(normalize(title)) for index, title in enumerate(records[0])}
    missing = [label for name, label in _REQUIRED.items() if name not in columns.values()]
    if missing:
        wanted = ", ".join(f"« {label} »" for label in missing)
        raise _refused(
            header_line,
            Message(
                "stakeholders.missing_column",
                f"Colonnes obligatoires absentes : {wanted}.",
                f"Required columns missing: {wanted}.",
                details={"missing": missing},
            ),
        )
    rows = []
    for offset, record in enumerate(records[1:], start=1):
        if any(cell.strip() for cell in record):
            cells = {columns[i]: cell.strip() for i, cell in enumerate(record) if columns.get(i)}
            rows.append((header_line + offset, {name: value for name, value in cells.items() if name}))
    return rows


def _refused(line: int, message: Message) -> ImportRejected:
    return ImportRejected([RowError(line, (message,))])


# --- One line ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    by_name: dict[str, int]
    by_key: dict[str, int]
    names: list[str]

    def find(self, text: str, reasons: list[Message]) -> int | None:
        column = _COLUMN_TITLES["stakeholder"]
        if not text:
            reasons.append(_required("stakeholder"))
            return None
        found = self.by_name.get(normalize(text)) or self.by_key.get(text)
        if found is not None:
            return found
        close = difflib.get_close_matches(text, self.names, n=3, cutoff=0.6)
        hint = f" ; vouliez-vous dire {' ou '.join(f'« {name} »' for name in close)} ?" if close else ""
        hint_en = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
        reasons.append(
            Message(
                "stakeholders.unknown_name",
                f"{column} : « {text} » n'est pas au registre{hint}",
                f"Stakeholder: '{text}' is not in the register{hint_en}",
                column,
                details={"name": text, "close": close},
            )
        )
        return None


class _Steps:
    """The journey's steps, by key or by title."""

    def __init__(self, model: ProcessModel) -> None:
        self.keys = list(model.steps_by_key)
        self.by_title = {normalize(step.title.text("fr")): key for key, step in model.steps_by_key.items()}
        self.title_of = {key: step.title.text("fr") for key, step in model.steps_by_key.items()}
        self.titles = list(self.title_of.values())

    def find(self, text: str, reasons: list[Message]) -> str | None:
        if text in self.keys:
            return text
        if (key := self.by_title.get(normalize(text))) is not None:
            return key
        matches = difflib.get_close_matches(text, self.titles + self.keys, n=6, cutoff=0.6)
        keys = list(dict.fromkeys(self.by_title.get(normalize(match), match) for match in matches))[:3]
        close = [f"{self.title_of[key]} ({key})" for key in keys]
        hint = f" ; vouliez-vous dire {' ou '.join(f'« {name} »' for name in close)} ?" if close else ""
        hint_en = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
        reasons.append(
            Message(
                "consultations.unknown_step",
                f"Étape : « {text} » n'est pas une étape de ce parcours{hint}",
                f"Step: '{text}' is not a step of this journey{hint_en}",
                _COLUMN_TITLES["step"],
                details={"step": text, "close": close},
            )
        )
        return None


def _line(
    number: int, cells: dict[str, str], people: _Names, steps: _Steps, default_step: str | None
) -> _Line | RowError:
    reasons: list[Message] = []
    for name, text in cells.items():
        if character := forbidden_character(text, multiline=name in ("summary", "outcome")):
            reasons.append(
                Message(
                    "text.control_character",
                    f"{_COLUMN_TITLES[name]} : caractère de contrôle ou invalide interdit.",
                    f"{_COLUMN_TITLES[name]}: control or invalid character not allowed.",
                    _COLUMN_TITLES[name],
                    details={"character": f"U+{ord(character):04X}"},
                )
            )
    for name in ("summary", "outcome"):
        if len(cells.get(name, "")) > MAX_TEXT:
            title = _COLUMN_TITLES[name]
            reasons.append(
                Message(
                    "consultations.text_too_long",
                    f"{title} : plus de {MAX_TEXT:,} caractères.".replace(",", "\u202f"),
                    f"{title}: more than {MAX_TEXT:,} characters.",
                    title,
                )
            )
    stakeholder = people.find(cells.get("stakeholder", ""), reasons)
    held_on = _date(cells.get("date", ""), reasons)
    fmt = _format(cells.get("format", ""), reasons)
    step_text = cells.get("step") or default_step or ""
    step = steps.find(step_text, reasons) if step_text else None
    if not step_text:
        reasons.append(
            Message(
                "consultations.step_required",
                "Étape : valeur obligatoire (ou indiquez une étape par défaut pour tout le fichier).",
                "Step: a value is required (or give a default step for the whole file).",
                _COLUMN_TITLES["step"],
            )
        )
    if reasons or stakeholder is None or held_on is None or fmt is None or step is None:
        return RowError(number, tuple(reasons))
    return _Line(number, stakeholder, held_on, fmt, step, cells.get("summary", ""), cells.get("outcome", ""))


def _required(name: str) -> Message:
    title = _COLUMN_TITLES[name]
    return Message(
        "stakeholders.required", f"{title} : valeur obligatoire.", f"{title}: a value is required.", title
    )


def _date(text: str, reasons: list[Message]) -> date | None:
    if not text:
        reasons.append(_required("date"))
        return None
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if (problem := date_problem(day, "Date")) is not None:
            reasons.append(problem)
            return None
        return day
    reasons.append(
        Message(
            "consultations.bad_date",
            f"Date : « {text} » illisible (attendu JJ/MM/AAAA).",
            f"Date: unreadable '{text}' (expected DD/MM/YYYY).",
            "Date",
            details={"value": text},
        )
    )
    return None


def _format(text: str, reasons: list[Message]) -> ConsultationFormat | None:
    if not text:
        reasons.append(_required("format"))
        return None
    found = ConsultationFormat.parse(text)
    if found is None:
        reasons.append(
            Message(
                "consultations.unknown_method",
                f"Méthode : « {text} » inconnue (possibles : {ConsultationFormat.choices()}).",
                f"Method: unknown '{text}' (possible: {ConsultationFormat.choices('en')}).",
                "Méthode",
                details={"value": text},
            )
        )
    return found
