"""Measurements from a spreadsheet, all or nothing, as a town hall's Excel export writes them:

    Indicateur;Date;Valeur;Source;Commentaire
    participation;15/03/2027;12,5;Registre des réunions;Réunion publique de mars

``;``, ``,`` or tab separators, UTF-8 or Windows-1252, dates as ``15/03/2027`` or ``2027-03-15``, numbers
with a decimal comma and spaces between thousands (a trailing ``%`` is allowed). Headers are matched without
regard to case and accents. Every bad line is listed with all its reasons, and then nothing is recorded."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import InvalidInput, Message
from gouvernance.objectives.measurements import MeasurementData, measurement_problems, record_measurements
from gouvernance.objectives.service import indicators_by_key
from gouvernance.stakeholders.csv_import import decode, sniff_separator

_COLUMNS = {
    "indicateur": "indicator",
    "indicator": "indicator",
    "date": "date",
    "valeur": "value",
    "value": "value",
    "source": "source",
    "commentaire": "comment",
    "comment": "comment",
}
_REQUIRED = ("indicator", "date", "value")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class BadLine:
    line: int  # in the file; the header is line 1
    reasons: tuple[Message, ...]


class MeasurementsRejected(InvalidInput):
    """Nothing was recorded; ``lines`` lists every bad line with all its reasons."""

    def __init__(self, lines: list[BadLine]) -> None:
        self.lines = sorted(lines, key=lambda bad: bad.line)
        numbers = [bad.line for bad in self.lines]
        listed = ", ".join(str(n) for n in numbers[:20]) + (", …" if len(numbers) > 20 else "")
        count_fr = f"{len(numbers)} ligne{'s' if len(numbers) > 1 else ''} en erreur"
        count_en = f"{len(numbers)} line{'s' if len(numbers) > 1 else ''} with errors"
        super().__init__(
            Message(
                "measurements.import_rejected",
                f"Import refusé, aucune mesure n'a été enregistrée : {count_fr} ({listed}).",
                f"Import refused, no measurement was recorded: {count_en} ({listed}).",
                details={"lines": numbers},
            ),
            reasons=[
                Message(
                    r.code,
                    f"Ligne {bad.line} — {r.fr}",
                    f"Line {bad.line} — {r.en}",
                    r.path,
                    {**r.details, "line": bad.line},
                )
                for bad in self.lines
                for r in bad.reasons
            ],
        )


def import_measurements(
    session: Session, *, engagement_id: str, content: bytes | str, actor: ActorRef, clock: Clock
) -> int:
    """Records every measurement of the file, or none (``MeasurementsRejected`` lists every bad line).
    Returns how many were recorded."""
    indicators = indicators_by_key(session, engagement_id)
    rows, bad = parse(content)
    seen: dict[tuple[str, date], int] = {}
    for line, measurement in rows:
        reasons = [_without_path(problem) for problem in measurement_problems(measurement, indicators)]
        first = seen.setdefault((measurement.indicator_key, measurement.measured_on), line)
        if first != line:
            reasons.append(
                Message(
                    "measurement.duplicate",
                    f"même indicateur et même date qu'à la ligne {first}",
                    f"same indicator and date as line {first}",
                    details={"first_line": first},
                )
            )
        if reasons:
            bad.append(BadLine(line, tuple(reasons)))
    if bad:
        raise MeasurementsRejected(bad)
    return record_measurements(
        session, engagement_id=engagement_id, measurements=[m for _, m in rows], actor=actor, clock=clock
    )


def parse(content: bytes | str) -> tuple[list[tuple[int, MeasurementData]], list[BadLine]]:
    """The file's measurements by line, and its lines that cannot be read (every reason of each)."""
    try:
        text, _ = decode(content)
    except InvalidInput as refused:
        raise MeasurementsRejected([BadLine(1, (refused.message,))]) from None
    separator, hinted = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records = list(reader)[1 if hinted else 0 :]
    first_line = 2 if hinted else 1
    if not records:
        raise MeasurementsRejected(
            [BadLine(1, (_message("measurement.empty_file", "le fichier est vide", "the file is empty"),))]
        )
    columns = {index: _COLUMNS.get(_plain(header)) for index, header in enumerate(records[0])}
    missing = [name for name in _REQUIRED if name not in columns.values()]
    if missing:
        names = {"indicator": "Indicateur", "date": "Date", "value": "Valeur"}
        wanted = ", ".join(names[name] for name in missing)
        raise MeasurementsRejected(
            [
                BadLine(
                    first_line,
                    (
                        _message(
                            "measurement.missing_columns",
                            f"colonnes manquantes : {wanted}",
                            f"missing columns: {wanted}",
                        ),
                    ),
                )
            ]
        )
    rows: list[tuple[int, MeasurementData]] = []
    bad: list[BadLine] = []
    for offset, record in enumerate(records[1:], start=1):
        line = first_line + offset
        if not any(cell.strip() for cell in record):
            continue  # the blank lines spreadsheets leave at the end
        cells = {columns[i]: cell.strip() for i, cell in enumerate(record) if columns.get(i)}
        reasons: list[Message] = []
        when = _date(cells.get("date", ""), reasons)
        value = _number(cells.get("value", ""), reasons)
        if not cells.get("indicator"):
            reasons.append(_message("measurement.no_indicator", "indicateur manquant", "indicator missing"))
        if reasons or when is None or value is None:
            bad.append(BadLine(line, tuple(reasons)))
            continue
        rows.append(
            (
                line,
                MeasurementData(
                    cells["indicator"], when, value, cells.get("source", ""), cells.get("comment", "")
                ),
            )
        )
    return rows, bad


def _date(text: str, reasons: list[Message]) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    reasons.append(
        _message(
            "measurement.bad_date",
            f"date illisible : « {text} » (attendu JJ/MM/AAAA)",
            f"unreadable date: '{text}' (expected DD/MM/YYYY)",
        )
    )
    return None


def _number(text: str, reasons: list[Message]) -> float | None:
    plain = _SPACES.sub("", text).removesuffix("%")
    if plain.count(",") == 1 and "." not in plain:
        plain = plain.replace(",", ".")
    try:
        return float(plain)
    except ValueError:
        reasons.append(
            _message(
                "measurement.bad_number", f"valeur illisible : « {text} »", f"unreadable value: '{text}'"
            )
        )
        return None


def _plain(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _message(code: str, fr: str, en: str) -> Message:
    return Message(code, fr, en)


def _without_path(message: Message) -> Message:
    """In a file, the line says where: the API's field paths would only confuse."""
    return Message(message.code, message.fr, message.en, None, message.details)
