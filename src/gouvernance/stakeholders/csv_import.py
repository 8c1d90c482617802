"""All-or-nothing import of a stakeholder spreadsheet saved as CSV.

Accepts what spreadsheets in France produce: ``;`` or ``,`` (or tab) separators, UTF-8 with or without a BOM,
or Windows-1252; French or English headers in any case, with or without accents (« Nom », « Catégorie »,
« Pouvoir (1-5) », « Intérêt », « Attitude », « Légitimité », « Urgence » or « Saillance », « Niveau IAP2 »,
« Courriel », « Téléphone », « Étiquettes »...); French or English labels as values (« Habitant/usager »,
« Opposé », « oui »).

Either every row is valid and ``parse_stakeholder_csv`` returns them all, or it raises ``ImportRejected``
listing every bad row with its line number in the file (the header is line 1) and every reason, and returns
nothing.

Salience: a filled « Saillance » cell (attributes such as « pouvoir, légitimité », or a class such as
« définitive ») is taken as it is. Otherwise the stakeholder holds *pouvoir* when its power score is high
(4 or 5, as in the Mendelow grid), and *légitimité* and *urgence* when those columns say yes.

Optional « Quadrant » and « Classe de saillance » columns (as ``exports`` writes them) are checked against the
scores and refused when they disagree, rather than silently recomputed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gouvernance.errors import InvalidInput, Message
from gouvernance.inputs import code_point, forbidden_character
from gouvernance.stakeholders.analysis.classification import HIGH_SCORE_THRESHOLD, mendelow_quadrant
from gouvernance.stakeholders.records import (
    SCORE_MAX,
    SCORE_MIN,
    Contact,
    StakeholderData,
    check_email,
    check_phone,
    notes_too_long,
    score_out_of_range,
    unknown_value,
)
from gouvernance.stakeholders.vocabulary import (
    SALIENCE_CLASS_BY_ATTRIBUTES,
    Attitude,
    Category,
    IAP2Level,
    Quadrant,
    SalienceAttribute,
    SalienceClass,
    StakeholderKind,
    Vocabulary,
    normalize,
)

# Field → (French name, English name, header aliases). Aliases are compared in ``normalize``d form, after
# dropping any parenthesised part (« Pouvoir (1-5) » is « pouvoir »).
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "id": ("Identifiant", "Identifier", ("identifiant", "identifier", "id", "reference", "ref", "code")),
    "name": (
        "Nom",
        "Name",
        (
            "nom",
            "name",
            "nom complet",
            "nom prenom",
            "nom et prenom",
            "raison sociale",
            "denomination",
            "intitule",
            "partie prenante",
            "acteur",
            "stakeholder",
        ),
    ),
    "kind": (
        "Type",
        "Kind",
        (
            "type",
            "kind",
            "nature",
            "personne ou organisation",
            "type de partie prenante",
        ),
    ),
    "category": (
        "Catégorie",
        "Category",
        (
            "categorie",
            "category",
            "categorie d acteur",
            "type d acteur",
            "categorie de partie prenante",
            "famille",
        ),
    ),
    "power": ("Pouvoir", "Power", ("pouvoir", "power", "influence", "niveau de pouvoir")),
    "interest": ("Intérêt", "Interest", ("interet", "interest", "niveau d interet")),
    "attitude": ("Attitude", "Attitude", ("attitude", "position", "positionnement", "posture", "stance")),
    "legitimacy": ("Légitimité", "Legitimacy", ("legitimite", "legitimacy", "legitime")),
    "urgency": ("Urgence", "Urgency", ("urgence", "urgency", "urgent")),
    "salience": (
        "Saillance",
        "Salience",
        (
            "saillance",
            "salience",
            "attributs de saillance",
            "salience attributes",
        ),
    ),
    "salience_class": (
        "Classe de saillance",
        "Salience class",
        (
            "classe de saillance",
            "salience class",
            "type de saillance",
        ),
    ),
    "quadrant": (
        "Quadrant",
        "Quadrant",
        (
            "quadrant",
            "quadrant mendelow",
            "strategie",
            "strategie mendelow",
            "mendelow",
            "strategy",
        ),
    ),
    "target_level": (
        "Niveau IAP2",
        "IAP2 level",
        (
            "niveau iap2",
            "niveau iap2 cible",
            "niveau iap2 vise",
            "niveau cible",
            "niveau vise",
            "participation visee",
            "niveau de participation vise",
            "iap2",
            "niveau de participation",
            "niveau de participation cible",
            "target level",
            "iap2 level",
            "target iap2 level",
        ),
    ),
    "email": (
        "Courriel",
        "Email",
        (
            "courriel",
            "email",
            "e mail",
            "mail",
            "adresse electronique",
            "adresse mail",
            "adresse courriel",
        ),
    ),
    "phone": (
        "Téléphone",
        "Phone",
        (
            "telephone",
            "tel",
            "phone",
            "portable",
            "mobile",
            "numero de telephone",
        ),
    ),
    "tags": (
        "Étiquettes",
        "Tags",
        (
            "etiquettes",
            "etiquette",
            "tags",
            "tag",
            "mots cles",
            "mot cle",
            "labels",
        ),
    ),
    "notes": (
        "Notes",
        "Notes",
        ("notes", "note", "commentaire", "commentaires", "remarques", "remarque", "observations", "comments"),
    ),
}
REQUIRED = ("name", "category", "power", "interest")

_HEADER_ALIASES = {alias: name for name, (_, _, aliases) in COLUMNS.items() for alias in aliases}
_TRUE = {"oui", "o", "x", "vrai", "yes", "y", "true", "1"}
_FALSE = {"non", "n", "faux", "no", "false", "0", ""}
_LIST_SEPARATORS = re.compile(r"[,;|]")
_SALIENCE_SEPARATORS = re.compile(r"[,;|+/\s]+")
# ``exports`` puts an apostrophe before what a spreadsheet would run, at the start of a cell and after each
# "," or ";" in it (and before what already looks guarded): one is removed at each of these places.
_FORMULA_GUARD = re.compile(r"(^|[,;])'(?='* *[=+\-@\t\r])")
V = TypeVar("V", bound=Vocabulary)

_ORGANISATIONS = {
    Category.association,
    Category.entreprise,
    Category.partenaire_institutionnel,
    Category.organisation_syndicale,
}


@dataclass(frozen=True)
class ImportedRow:
    line: int
    stakeholder: StakeholderData  # contact details, if any, are in ``stakeholder.contact``


@dataclass(frozen=True)
class StakeholderImport:
    rows: tuple[ImportedRow, ...]
    separator: str
    encoding: str
    ignored_columns: tuple[str, ...] = ()  # headers that matched nothing, as written in the file

    @property
    def stakeholders(self) -> list[StakeholderData]:
        return [row.stakeholder for row in self.rows]


@dataclass(frozen=True)
class RowError:
    line: int  # in the file; the header is line 1
    reasons: tuple[Message, ...]


class ImportRejected(InvalidInput):
    """Nothing was imported. ``errors`` lists every bad row (by line) with all its reasons; ``reasons`` holds
    the same messages, each prefixed with its line number."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda error: error.line)
        lines = [error.line for error in self.errors]
        super().__init__(
            Message(
                "stakeholders.import_rejected",
                f"Import refusé, rien n'a été importé : {_plural(len(lines), 'ligne', 'lignes')} en erreur "
                f"({_line_list(lines)}).",
                f"Import refused, nothing was imported: {_plural(len(lines), 'line', 'lines')} with errors "
                f"({_line_list(lines)}).",
                details={"lines": lines},
            ),
            reasons=[_with_line(error.line, reason) for error in self.errors for reason in error.reasons],
        )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _line_list(lines: list[int], shown: int = 20) -> str:
    text = ", ".join(str(line) for line in lines[:shown])
    return text + (", …" if len(lines) > shown else "")


def _with_line(line: int, reason: Message) -> Message:
    return Message(
        reason.code,
        f"Ligne {line} — {reason.fr}",
        f"Line {line} — {reason.en}",
        reason.path,
        {**reason.details, "line": line},
    )


# --- Reading the file -------------------------------------------------------------------------------------


def decode(content: bytes | str) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with a BOM, or else without), else Windows-1252."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff"), "utf-8"
    codecs = ("utf-8-sig",) if content.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252")
    for codec in codecs:
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise _file_refused(
        1,
        "stakeholders.unreadable_file",
        "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en CSV UTF-8.",
        "The file is neither UTF-8 nor Windows-1252: save it as 'CSV UTF-8'.",
    )


def sniff_separator(text: str) -> tuple[str, bool]:
    """The separator, and whether the first line is Excel's ``sep=;`` hint (to skip). Without a hint:
    whichever of ``;``, ``,`` and tab appears most in the header line outside quotes (``;`` on a tie, as
    French spreadsheets write it)."""
    header = next(iter(text.splitlines()), "")
    hint = re.fullmatch(r"sep=(.)", header.strip())
    if hint:
        return hint.group(1), True
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {separator: outside.count(separator) for separator in (";", ",", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return (best if counts[best] > counts[";"] else ";"), False


def _file_refused(line: int, code: str, fr: str, en: str) -> ImportRejected:
    return ImportRejected([RowError(line, (Message(code, fr, en),))])


def parse_stakeholder_csv(
    content: bytes | str, *, threshold: float = HIGH_SCORE_THRESHOLD
) -> StakeholderImport:
    """Every row of the file as a validated stakeholder, or ``ImportRejected`` with every problem. A written
    quadrant is checked, and power derived as a salience attribute, with the engagement's Mendelow
    ``threshold``."""
    text, encoding = decode(content)
    separator, hinted = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    if hinted:
        next(reader)
    header_line = reader.line_num + 1
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise _file_refused(
            header_line,
            "stakeholders.empty_file",
            "Le fichier est vide ou n'a pas de ligne d'en-tête.",
            "The file is empty or has no header line.",
        )
    columns, ignored = _map_header(header, header_line)
    parsed: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    names: dict[str, int] = {}
    ids: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(line, (_malformed(error),)))
            break
        if not any(cell.strip() for cell in record):
            continue
        reasons, fields = _parse_record(record, header, columns, threshold)
        name = _cell(record, columns["name"])
        given_id = _cell(record, columns["id"]) if "id" in columns else ""
        reasons += _duplicates(name, given_id, line, names, ids)
        if reasons:
            errors.append(RowError(line, tuple(reasons)))
        else:
            parsed.append((line, fields))
    if errors:
        raise ImportRejected(errors)
    return StakeholderImport(tuple(_build(parsed)), separator, encoding, tuple(ignored))


def _malformed(error: csv.Error) -> Message:
    return Message(
        "stakeholders.malformed_csv", f"Ligne CSV mal formée ({error}).", f"Malformed CSV line ({error})."
    )


def _map_header(header: list[str], line: int) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Message] = []
    for index, title in enumerate(header):
        key = normalize(re.sub(r"\(.*?\)|\[.*?\]", " ", title))
        name = _HEADER_ALIASES.get(key)
        if name is None:
            if title.strip():
                ignored.append(title.strip())
        elif name in columns:
            fr, en, _ = COLUMNS[name]
            earlier = header[columns[name]].strip()
            problems.append(
                Message(
                    "stakeholders.duplicate_column",
                    f"Les colonnes « {earlier} » et « {title.strip()} » désignent toutes deux « {fr} ».",
                    f"The columns '{earlier}' and '{title.strip()}' both mean '{en}'.",
                    title.strip(),
                )
            )
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            fr, en, aliases = COLUMNS[name]
            problems.append(
                Message(
                    "stakeholders.missing_column",
                    f"Colonne obligatoire absente : « {fr} ».",
                    f"Required column missing: '{en}'.",
                    fr,
                    {"accepted_headers": list(aliases)},
                )
            )
    if problems:
        raise ImportRejected([RowError(line, tuple(problems))])
    return columns, ignored


# --- One row ----------------------------------------------------------------------------------------------


@dataclass
class _Row:
    """The cells of one record by field, and the reasons found so far."""

    cells: dict[str, str]
    titles: dict[str, str]
    reasons: list[Message] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.cells.get(name, "")

    def title(self, name: str) -> str:
        """The column's header as written in the file (what the user sees)."""
        return self.titles.get(name, COLUMNS[name][0])

    def problem(self, name: str, code: str, fr: str, en: str, value: str | None = None) -> None:
        title = self.title(name)
        details: dict[str, Any] = {"column": title}
        if value is not None:
            details["value"] = value
        self.reasons.append(Message(code, f"{title} : {fr}", f"{title}: {en}", title, details))

    def add(self, message: Message, name: str) -> None:
        title = self.titles.get(name, COLUMNS[name][0])
        self.reasons.append(
            Message(message.code, message.fr, message.en, title, {**message.details, "column": title})
        )


def _parse_record(
    record: list[str], header: list[str], columns: dict[str, int], threshold: float
) -> tuple[list[Message], dict[str, Any]]:
    """The reasons the record is refused, or the fields of a stakeholder (``id`` may still be ``None``)."""
    row = _Row(
        cells={name: _cell(record, index) for name, index in columns.items()},
        titles={name: header[index].strip() for name, index in columns.items()},
    )
    for name, text in row.cells.items():
        if character := forbidden_character(text, multiline=name == "notes"):
            point = code_point(character)
            row.problem(
                name,
                "text.control_character",
                f"caractère de contrôle ou invalide interdit ({point}).",
                f"control or invalid character not allowed ({point}).",
            )
    if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
        row.reasons.append(
            Message(
                "stakeholders.too_many_cells",
                f"{len(record)} cellules pour {len(header)} colonnes d'en-tête "
                "(séparateur dans une valeur sans guillemets ?).",
                f"{len(record)} cells for {len(header)} header columns "
                "(a separator inside an unquoted value?).",
            )
        )
    name = row.text("name")
    if not name:
        row.problem("name", "stakeholders.required", "valeur obligatoire.", "a value is required.")
    category = _member(row, "category", Category, required=True)
    power, interest = _score(row, "power"), _score(row, "interest")
    kind = _member(row, "kind", StakeholderKind)
    if kind is None and category is not None:
        kind = StakeholderKind.organisation if category in _ORGANISATIONS else StakeholderKind.personne
    attitude = _member(row, "attitude", Attitude) or Attitude.neutre
    target_level = _member(row, "target_level", IAP2Level)
    salience = _salience(row, power, threshold)
    _check_quadrant(row, power, interest, threshold)
    _check_salience_class(row, salience)
    contact = _contact(row)
    if too_long := notes_too_long(row.text("notes"), title=row.title("notes")):
        row.add(too_long, "notes")
    if row.reasons:
        return row.reasons, {}
    return [], {
        "id": row.text("id") or None,
        "name": name,
        "kind": kind,
        "category": category,
        "power": power,
        "interest": interest,
        "attitude": attitude,
        "salience": salience,
        "target_level": target_level,
        "tags": tuple(_LIST_SEPARATORS.split(row.text("tags"))),
        "notes": row.text("notes") or None,
        "contact": contact,
    }


def _cell(record: list[str], index: int) -> str:
    value = record[index].strip() if index < len(record) else ""
    return _FORMULA_GUARD.sub(r"\1", value)


def _member(row: _Row, name: str, enum: type[V], *, required: bool = False) -> V | None:
    value = row.text(name)
    if not value:
        if required:
            row.problem(name, "stakeholders.required", "valeur obligatoire.", "a value is required.")
        return None
    member = enum.parse(value)
    if member is None:
        row.add(unknown_value(enum, value, "", row.title(name), row.title(name)), name)
    return member


def _score(row: _Row, name: str) -> int | None:
    value = row.text(name)
    if not value:
        row.problem(name, "stakeholders.required", "valeur obligatoire.", "a value is required.")
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = float("nan")
    if not (number.is_integer() and SCORE_MIN <= number <= SCORE_MAX):
        row.add(score_out_of_range(value, "", row.title(name), row.title(name)), name)
        return None
    return int(number)


def _flag(row: _Row, name: str) -> bool | None:
    value = normalize(row.text(name))
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    row.problem(
        name,
        "stakeholders.not_a_yes_no",
        f"« {row.text(name)} » : attendu oui ou non.",
        f"'{row.text(name)}': expected yes or no.",
        row.text(name),
    )
    return None


def _salience(row: _Row, power: int | None, threshold: float) -> frozenset[SalienceAttribute] | None:
    value = row.text("salience")
    if value:
        salience_class = SalienceClass.parse(value)
        if salience_class is not None:
            return salience_class.attributes
        attributes = [SalienceAttribute.parse(token) for token in _SALIENCE_SEPARATORS.split(value) if token]
        if all(attribute is not None for attribute in attributes):
            return frozenset(attribute for attribute in attributes if attribute is not None)
        row.problem(
            "salience",
            "stakeholders.unknown_value",
            f"« {value} » : attendu des attributs (pouvoir, légitimité, urgence) ou une classe de saillance "
            f"({SalienceClass.choices('fr')}).",
            f"'{value}': expected attributes (power, legitimacy, urgency) or a salience class "
            f"({SalienceClass.choices('en')}).",
            value,
        )
        return None
    legitimacy, urgency = _flag(row, "legitimacy"), _flag(row, "urgency")
    if power is None or legitimacy is None or urgency is None:
        return None
    held = {
        SalienceAttribute.pouvoir: power >= threshold,
        SalienceAttribute.legitimite: legitimacy,
        SalienceAttribute.urgence: urgency,
    }
    return frozenset(attribute for attribute, present in held.items() if present)


def _check_quadrant(row: _Row, power: int | None, interest: int | None, threshold: float) -> None:
    written = _member(row, "quadrant", Quadrant)
    if written is None or power is None or interest is None:
        return
    computed = mendelow_quadrant(power, interest, threshold)
    if written is not computed:
        row.problem(
            "quadrant",
            "stakeholders.inconsistent_quadrant",
            f"« {written.fr} » ne correspond pas au pouvoir {power} et à l'intérêt {interest}, qui donnent "
            f"« {computed.fr} ». Corrigez l'un ou l'autre, ou videz la colonne.",
            f"'{written.en}' does not match power {power} and interest {interest}, which give "
            f"'{computed.en}'. Correct one of them, or empty the column.",
            row.text("quadrant"),
        )


def _check_salience_class(row: _Row, salience: frozenset[SalienceAttribute] | None) -> None:
    written = _member(row, "salience_class", SalienceClass)
    if written is None or salience is None:
        return
    computed = SALIENCE_CLASS_BY_ATTRIBUTES[salience]
    if written is not computed:
        row.problem(
            "salience_class",
            "stakeholders.inconsistent_salience_class",
            f"« {written.fr} » ne correspond pas aux attributs de saillance, qui donnent « {computed.fr} ».",
            f"'{written.en}' does not match the salience attributes, which give '{computed.en}'.",
            row.text("salience_class"),
        )


def _contact(row: _Row) -> Contact | None:
    checks: dict[str, Callable[[str, str, str, str], Message | None]] = {
        "email": check_email,
        "phone": check_phone,
    }
    values = {name: row.text(name) or None for name in checks}
    for name, check in checks.items():
        value = values[name]
        title = row.title(name)
        if value is not None and (problem := check(value, title, title, title)) is not None:
            row.add(problem, name)
            values[name] = None
    contact = Contact(**values)
    return None if contact.is_empty() else contact


# --- Across rows ------------------------------------------------------------------------------------------


def _duplicates(
    name: str, given_id: str, line: int, names: dict[str, int], ids: dict[str, int]
) -> list[Message]:
    reasons = []
    first = names.setdefault(normalize(name), line) if name else line
    if first != line:
        reasons.append(
            Message(
                "stakeholders.duplicate_name",
                f"Nom : « {name} » figure déjà ligne {first}.",
                f"Name: '{name}' already appears on line {first}.",
                COLUMNS["name"][0],
                {"first_line": first},
            )
        )
    if given_id:
        first = ids.setdefault(given_id, line)
        if first != line:
            reasons.append(
                Message(
                    "stakeholders.duplicate_id",
                    f"Identifiant : « {given_id} » figure déjà ligne {first}.",
                    f"Identifier: '{given_id}' already appears on line {first}.",
                    COLUMNS["id"][0],
                    {"first_line": first},
                )
            )
    return reasons


def _build(parsed: list[tuple[int, dict[str, Any]]]) -> list[ImportedRow]:
    """The stakeholders, with an identifier made from the name (unique within the file) where the file
    gives none."""
    taken = {fields["id"] for _, fields in parsed if fields["id"] is not None}
    rows = []
    for line, fields in parsed:
        if fields["id"] is None:
            base = normalize(fields["name"]).replace(" ", "-") or "partie-prenante"
            candidate, suffix = base, 2
            while candidate in taken:
                candidate, suffix = f"{base}-{suffix}", suffix + 1
            taken.add(candidate)
            fields = {**fields, "id": candidate}
        rows.append(ImportedRow(line, StakeholderData(**fields)))
    return rows
