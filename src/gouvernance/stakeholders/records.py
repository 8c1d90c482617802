"""Validated input records for the stakeholder analysis: plain frozen dataclasses, checked on construction.

Enum fields accept the member or its code (``"elu"``), dates accept an ISO string. Labels and synonyms
(« Élu », « Opposé ») are for spreadsheets and forms: ``csv_import`` and the API translate them first.
A record that does not hold raises ``InvalidInput`` listing every problem, not just the first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from gouvernance.errors import InvalidInput, Message
from gouvernance.inputs import date_problem, text_problem
from gouvernance.stakeholders.vocabulary import (
    Attitude,
    Category,
    ConsultationFormat,
    IAP2Level,
    Quadrant,
    RelationType,
    SalienceAttribute,
    StakeholderKind,
    Vocabulary,
)

SCORE_MIN, SCORE_MAX = 1, 5
NOTES_MAX_LENGTH = 2000  # a few paragraphs: what a spreadsheet's « Commentaire » cell holds
# A tie's strength: below a hundredth it says nothing, and the analysis sums and squares them.
WEIGHT_MIN, WEIGHT_MAX = 0.01, 100.0

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_PHONE = re.compile(r"^\+?\d{6,15}$")

V = TypeVar("V", bound=Vocabulary)


class _Problems(list[Message]):
    """Collects every problem of one record before refusing it."""

    def required_text(self, value: Any, path: str, fr: str, en: str) -> str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.append(Message("stakeholders.required", f"{fr} est obligatoire.", f"{en} is required.", path))
        return "" if value is None else str(value)

    def member(self, enum: type[V], value: Any, path: str, fr: str, en: str) -> V:
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            self.append(unknown_value(enum, value, path, fr, en))
            return value  # never used: the record is refused

    def score(self, value: Any, path: str, fr: str, en: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not SCORE_MIN <= value <= SCORE_MAX:
            self.append(score_out_of_range(value, path, fr, en))
        return int(value) if isinstance(value, int) else 0

    def day(self, value: Any, path: str, fr: str, en: str) -> date | None:
        if value is None:
            return None
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            self.append(
                Message(
                    "stakeholders.invalid_date",
                    f"{fr} : « {value} » n'est pas une date (AAAA-MM-JJ).",
                    f"{en}: '{value}' is not a date (YYYY-MM-DD).",
                    path,
                )
            )
            return None
        if problem := date_problem(day, path):
            self.append(problem)
            return None
        return day

    def refuse_if_any(self, code: str, fr: str, en: str) -> None:
        if self:
            raise InvalidInput(Message(code, fr, en, details={"count": len(self)}), reasons=list(self))


def unknown_value(enum: type[Vocabulary], value: Any, path: str, fr: str, en: str) -> Message:
    return Message(
        "stakeholders.unknown_value",
        f"{fr} : « {value} » n'est pas une valeur reconnue (valeurs possibles : {enum.choices('fr')}).",
        f"{en}: '{value}' is not a known value (expected one of: {enum.choices('en')}).",
        path,
        {"value": str(value), "allowed": [member.value for member in enum]},
    )


def score_out_of_range(value: Any, path: str, fr: str, en: str) -> Message:
    return Message(
        "stakeholders.score_out_of_range",
        f"{fr} : « {value} » doit être un entier de {SCORE_MIN} à {SCORE_MAX}.",
        f"{en}: '{value}' must be a whole number from {SCORE_MIN} to {SCORE_MAX}.",
        path,
        {"value": str(value), "min": SCORE_MIN, "max": SCORE_MAX},
    )


def check_email(
    value: str, path: str = "contact.email", fr: str = "Courriel", en: str = "Email"
) -> Message | None:
    if _EMAIL.match(value):
        return None
    return Message(
        "stakeholders.invalid_email",
        f"{fr} : « {value} » n'est pas une adresse valide.",
        f"{en}: '{value}' is not a valid address.",
        path,
    )


def check_phone(
    value: str, path: str = "contact.phone", fr: str = "Téléphone", en: str = "Phone"
) -> Message | None:
    if _PHONE.match(_PHONE_SEPARATORS.sub("", value)):
        return None
    return Message(
        "stakeholders.invalid_phone",
        f"{fr} : « {value} » n'est pas un numéro valide.",
        f"{en}: '{value}' is not a valid number.",
        path,
    )


def _clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        text = str(tag).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def notes_too_long(text: str, path: str = "notes", title: str = "Notes") -> Message | None:
    if len(text) <= NOTES_MAX_LENGTH:
        return None
    return Message(
        "stakeholders.notes_too_long",
        f"{title} : {len(text)} caractères, au plus {NOTES_MAX_LENGTH}.",
        f"{title}: {len(text)} characters, at most {NOTES_MAX_LENGTH}.",
        path,
        {"length": len(text), "max_length": NOTES_MAX_LENGTH},
    )


def _notes(problems: _Problems, notes: Any) -> str | None:
    if notes is None:
        return None
    text = str(notes).strip()
    if problem := notes_too_long(text):
        problems.append(problem)
    if problem := text_problem(text, "notes", multiline=True):
        problems.append(problem)
    return text or None


@dataclass(frozen=True, slots=True)
class Contact:
    """Personal data (RGPD): kept apart from the stakeholder so that analyses, pictures and public exports
    never see it."""

    email: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        problems = _Problems()
        for name, check in (("email", check_email), ("phone", check_phone)):
            value = getattr(self, name)
            if value is not None:
                value = str(value).strip() or None
                object.__setattr__(self, name, value)
            if value is not None and (problem := check(value)):
                problems.append(problem)
        problems.refuse_if_any(
            "stakeholders.invalid_contact", "Coordonnées invalides.", "Invalid contact details."
        )

    def is_empty(self) -> bool:
        return self.email is None and self.phone is None


@dataclass(frozen=True, slots=True)
class StakeholderData:
    """One stakeholder (partie prenante). ``power`` and ``interest`` are scores from 1 to 5; ``salience`` is
    the set of Mitchell attributes it holds; ``contact`` is personal data, kept out of the graph."""

    id: str
    name: str
    kind: StakeholderKind
    category: Category
    power: int
    interest: int
    attitude: Attitude = Attitude.neutre
    salience: frozenset[SalienceAttribute] = frozenset()
    target_level: IAP2Level | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None  # free text, several lines allowed
    contact: Contact | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = _Problems()
        put = object.__setattr__
        put(self, "notes", _notes(problems, self.notes))
        put(self, "id", problems.required_text(self.id, "id", "L'identifiant", "The identifier"))
        put(self, "name", problems.required_text(self.name, "name", "Le nom", "The name"))
        put(self, "kind", problems.member(StakeholderKind, self.kind, "kind", "Type", "Kind"))
        put(self, "category", problems.member(Category, self.category, "category", "Catégorie", "Category"))
        put(self, "attitude", problems.member(Attitude, self.attitude, "attitude", "Attitude", "Attitude"))
        problems.score(self.power, "power", "Pouvoir", "Power")
        problems.score(self.interest, "interest", "Intérêt", "Interest")
        salience = frozenset(
            problems.member(SalienceAttribute, value, "salience", "Saillance", "Salience")
            for value in self.salience
        )
        put(self, "salience", salience)
        if self.target_level is not None:
            level = problems.member(IAP2Level, self.target_level, "target_level", "Niveau IAP2", "IAP2 level")
            put(self, "target_level", level)
        put(self, "tags", _clean_tags(self.tags))
        problems.refuse_if_any(
            "stakeholders.invalid_stakeholder",
            f"Partie prenante « {self.name} » invalide.",
            f"Invalid stakeholder '{self.name}'.",
        )


@dataclass(frozen=True, slots=True)
class RelationData:
    """A relation between two stakeholders. ``weight`` (> 0) is the strength of the tie, or the intensity
    of a conflict. For symmetric types (partenaire, conflit) the order of source and target means nothing."""

    source: str
    target: str
    type: RelationType
    weight: float = 1.0
    start: date | None = None

    def __post_init__(self) -> None:
        problems = _Problems()
        put = object.__setattr__
        put(self, "source", problems.required_text(self.source, "source", "La source", "The source"))
        put(self, "target", problems.required_text(self.target, "target", "La cible", "The target"))
        put(
            self,
            "type",
            problems.member(RelationType, self.type, "type", "Type de relation", "Relation type"),
        )
        if (
            isinstance(self.weight, bool)
            or not isinstance(self.weight, int | float)
            or not (math.isfinite(self.weight) and WEIGHT_MIN <= self.weight <= WEIGHT_MAX)
        ):
            problems.append(
                Message(
                    "stakeholders.invalid_weight",
                    f"Poids : « {self.weight} » doit être un nombre de {WEIGHT_MIN} à {WEIGHT_MAX:g}.",
                    f"Weight: '{self.weight}' must be a number from {WEIGHT_MIN} to {WEIGHT_MAX:g}.",
                    "weight",
                    details={"minimum": WEIGHT_MIN, "maximum": WEIGHT_MAX},
                )
            )
        else:
            put(self, "weight", float(self.weight))
        put(self, "start", problems.day(self.start, "start", "Date de début", "Start date"))
        if self.source and self.source == self.target:
            problems.append(
                Message(
                    "stakeholders.self_relation",
                    f"Une partie prenante ne peut pas être en relation avec elle-même (« {self.source} »).",
                    f"A stakeholder cannot be related to itself ('{self.source}').",
                    "target",
                )
            )
        problems.refuse_if_any(
            "stakeholders.invalid_relation",
            f"Relation {self.source} → {self.target} invalide.",
            f"Invalid relation {self.source} → {self.target}.",
        )

    @property
    def directed(self) -> bool:
        return self.type.directed

    @property
    def identity(self) -> tuple[str, str, RelationType]:
        """What makes two relations the same one: the ordered pair for directed types, the unordered pair
        for symmetric ones."""
        if self.type.directed or self.source <= self.target:
            return (self.source, self.target, self.type)
        return (self.target, self.source, self.type)


@dataclass(frozen=True, slots=True)
class ConsultationData:
    """One entry of the consultation log: who was consulted, when, how, about which step and stage."""

    id: str
    date: date
    format: ConsultationFormat
    stakeholder_ids: frozenset[str]
    step_key: str | None = None
    stage_key: str | None = None
    summary: str = ""
    outcome: str = ""

    def __post_init__(self) -> None:
        problems = _Problems()
        put = object.__setattr__
        put(self, "id", problems.required_text(self.id, "id", "L'identifiant", "The identifier"))
        if self.date is None:
            problems.append(
                Message("stakeholders.required", "La date est obligatoire.", "The date is required.", "date")
            )
        put(self, "date", problems.day(self.date, "date", "Date", "Date"))
        put(self, "format", problems.member(ConsultationFormat, self.format, "format", "Format", "Format"))
        ids = frozenset(str(value).strip() for value in self.stakeholder_ids) - {""}
        if not ids:
            problems.append(
                Message(
                    "stakeholders.no_participant",
                    "Une consultation doit nommer au moins une partie prenante consultée.",
                    "A consultation must name at least one consulted stakeholder.",
                    "stakeholder_ids",
                )
            )
        put(self, "stakeholder_ids", ids)
        for name in ("step_key", "stage_key"):
            value = getattr(self, name)
            put(self, name, (str(value).strip() or None) if value is not None else None)
        problems.refuse_if_any(
            "stakeholders.invalid_consultation",
            f"Consultation « {self.id} » invalide.",
            f"Invalid consultation '{self.id}'.",
        )


@dataclass(frozen=True, slots=True)
class StageRequirement:
    """Who must have been consulted at a stage of the journey.

    - ``categories``: at least one stakeholder of each of these categories (residents are many: one voice
      from the category is what a stage can require).
    - ``quadrants``: every stakeholder in these Mendelow quadrants, by name (the key players).
    """

    stage_key: str
    categories: frozenset[Category] = frozenset()
    quadrants: frozenset[Quadrant] = frozenset()

    def __post_init__(self) -> None:
        problems = _Problems()
        put = object.__setattr__
        put(self, "stage_key", problems.required_text(self.stage_key, "stage_key", "L'étape", "The stage"))
        put(
            self,
            "categories",
            frozenset(
                problems.member(Category, value, "categories", "Catégorie", "Category")
                for value in self.categories
            ),
        )
        put(
            self,
            "quadrants",
            frozenset(
                problems.member(Quadrant, value, "quadrants", "Quadrant", "Quadrant")
                for value in self.quadrants
            ),
        )
        problems.refuse_if_any(
            "stakeholders.invalid_requirement",
            f"Exigence de consultation « {self.stage_key} » invalide.",
            f"Invalid consultation requirement '{self.stage_key}'.",
        )
