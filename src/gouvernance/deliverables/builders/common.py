"""What every builder shares: the context fields common to all deliverables, tolerant readers of a plain
context dict, and small constructors for blocks.

Contexts come from the engine, from a form or from a consultant's hand: any key may be missing or empty,
and the builders then say exactly what is missing (« aucune mesure depuis le 1er mars 2027 », « responsable
non désigné »): every reader and block constructor takes the phrase to write from its caller (``default``,
``missing``). Every builder passes its phrase wherever a fact can be missing; ``PLACEHOLDER`` (« À
compléter ») is left only as the readers' fallback, and the tests check that no document prints it.
Nothing here raises on bad content; only a document that cannot exist at all (an invalid kind) is refused,
by the registry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict

from gouvernance.clock import Clock, SystemClock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.french import (
    NBSP,
    NNBSP,
    as_decimal,
    format_date,
    format_euros,
    format_number,
    parse_temporal,
)
from gouvernance.deliverables.model import (
    PLACEHOLDER,
    BulletList,
    KeyValue,
    KeyValueList,
    Paragraph,
    Section,
    Table,
    Territory,
)

logger = logging.getLogger(__name__)

Context = Mapping[str, Any]

NO_TERRITORY = "Collectivité non renseignée"
NO_REFERENCE = "référence non renseignée"
NO_AUTHOR = "auteur non renseigné"


class TerritoryContext(TypedDict, total=False):
    name: str
    kind: str  # commune | epci | departement | region (French spellings accepted)
    insee_code: str  # COG code, e.g. "38421"; dropped if malformed


class EngagementContext(TypedDict, total=False):
    reference: str  # e.g. "ACC-2026-014"
    title: str  # e.g. "Gouvernance partagée du quartier Renaudie"
    process_model: str
    started_on: date | str
    chef_de_projet: str
    elu_referent: str


class EvidenceContext(TypedDict, total=False):
    title: str
    kind: str  # délibération, compte rendu, photo…
    step: str
    date: date | datetime | str
    reference: str


class CommonContext(TypedDict, total=False):
    """Keys every builder reads. All optional."""

    territory: TerritoryContext | str
    engagement: EngagementContext
    author: str  # the consultant writing the deliverable
    organisation: str  # the consultancy
    generated_at: datetime | str  # defaults to the clock's now
    title: str  # overrides the builder's default title
    subtitle: str
    evidence: list[EvidenceContext]


# Typography


_SPACE_BEFORE = re.compile(r" ([:;!?»])")
_SPACE_AFTER_QUOTE = re.compile(r"« ")
_GLUED_AFTER = re.compile(r"\b(n°|L\.|R\.|D\.|LO) (?=\d)")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_UNIT = re.compile(r"(?<=\d) (?=[€%])")


def typo(text: str) -> str:
    """French spacing: no-break space before ':' and '»', after '«', in 'n° 12', 'L. 2121-29', '23 000 €';
    narrow no-break space before ';', '!', '?'."""

    def space(match: re.Match[str]) -> str:
        mark = match.group(1)
        return (NBSP if mark in ":»" else NNBSP) + mark

    text = _SPACE_BEFORE.sub(space, text)
    text = _SPACE_AFTER_QUOTE.sub("«" + NBSP, text)
    text = _GLUED_AFTER.sub(lambda match: match.group(1) + NBSP, text)
    text = _THOUSANDS.sub(NNBSP, text)
    return _UNIT.sub(NBSP, text)


# Tolerant readers


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping | list | tuple | set):
        return not value
    return False


_NAME_KEYS = ("name", "title", "label", "libelle", "nom", "titre")


def text(value: object, default: str = PLACEHOLDER) -> str:
    """Any value as French text: dates in words, numbers with French separators, lists joined by commas."""
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, Mapping):
        return text(first(value, *_NAME_KEYS), default)
    if isinstance(value, list | tuple | set):
        parts = (text(item, "") for item in value if not is_blank(item))
        return typo(", ".join(part for part in parts if part)) or default
    return typo(str(value).strip())


def capitalised(value: str) -> str:
    """'gérer étroitement' -> 'Gérer étroitement' (the rest of the text is left as it is)."""
    return value[:1].upper() + value[1:]


def first(record: object, *keys: str) -> Any:
    """The first non-blank value among ``keys`` of a mapping; a plain string stands for its own name."""
    if isinstance(record, Mapping):
        for key in keys:
            value = record.get(key)
            if not is_blank(value):
                return value
        return None
    if isinstance(record, str) and any(key in _NAME_KEYS for key in keys):
        return record
    return None


def field(record: object, *keys: str, default: str = PLACEHOLDER) -> str:
    return text(first(record, *keys), default)


def mapping(context: object, key: str) -> Mapping[str, Any]:
    """``context[key]`` when it is a mapping, else an empty one."""
    value = context.get(key) if isinstance(context, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    """A list from a list, a tuple or a single value; [] for nothing (a lone string is one item)."""
    if is_blank(value):
        return []
    if isinstance(value, list | tuple):
        return [item for item in value if not is_blank(item)]
    return [value]


def date_text(value: object, default: str = PLACEHOLDER) -> str:
    parsed = parse_temporal(value)
    return format_date(parsed) if parsed is not None else text(value, default)


def money(value: object, default: str = PLACEHOLDER) -> str:
    number = as_decimal(value)
    return format_euros(number) if number is not None else text(value, default)


def fte(value: object, default: str = PLACEHOLDER) -> str:
    number = as_decimal(value)
    return f"{format_number(number)}{NBSP}ETP" if number is not None else text(value, default)


def quantity(value: object, unit: object, default: str = PLACEHOLDER) -> str:
    """'45 %', '90 jours', '1 200 €'; the value alone when there is no unit."""
    number = as_decimal(value)
    if number is None:
        return text(value, default)
    unit_text = text(unit, "")
    if unit_text in ("€", "euros", "EUR"):
        return format_euros(number)
    return f"{format_number(number)}{NBSP}{unit_text}" if unit_text else format_number(number)


def labelled(mapping_: dict[str, str], value: object, default: str = PLACEHOLDER) -> str:
    """The French label of a vocabulary value, else the value itself as text."""
    return labels.lookup(mapping_, value) or text(value, default)


def direction_of(indicator: object) -> str | None:
    """'increase', 'decrease' or 'maintain': as declared, else inferred from the baseline and the target."""
    declared = labels.lookup(labels.DIRECTION_KEYS, first(indicator, "direction"))
    if declared is not None:
        return declared
    baseline, target = as_decimal(first(indicator, "baseline")), as_decimal(first(indicator, "target"))
    if baseline is None or target is None:
        return None
    if baseline == target:
        return "maintain"
    return "increase" if target > baseline else "decrease"


# Header fields shared by every document


def territory_of(context: Context) -> Territory:
    raw = context.get("territory")
    if isinstance(raw, str) and raw.strip():
        return Territory(name=raw.strip(), kind="autre")
    data = raw if isinstance(raw, Mapping) else {}
    kind = labels.lookup(labels.TERRITORY_KINDS, data.get("kind")) or "autre"
    code = str(data.get("insee_code") or "").strip().upper() or None
    if code is not None and not re.fullmatch(r"(?:\d{2}|2A|2B)[0-9]{0,7}", code):
        logger.warning("ignoring malformed INSEE code %r", code[:20])
        code = None
    return Territory(name=text(data.get("name"), NO_TERRITORY), kind=kind, insee_code=code)


def generated_at_of(context: Context, clock: Clock | None) -> datetime:
    value = context.get("generated_at")
    parsed = parse_temporal(value)
    if isinstance(parsed, datetime):
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return (clock or SystemClock()).now()


def header(context: Context, *, default_title: str, clock: Clock | None) -> dict[str, Any]:
    """The DeliverableDocument fields that do not depend on the kind."""
    engagement = mapping(context, "engagement")
    subtitle = first(context, "subtitle") or first(engagement, "title")
    return {
        "title": field(context, "title", default=default_title),
        "subtitle": text(subtitle) if subtitle else None,
        "territory": territory_of(context),
        "engagement_reference": field(engagement, "reference", default=NO_REFERENCE),
        "generated_at": generated_at_of(context, clock),
        "timezone": str(clock.tz) if clock is not None else "Europe/Paris",
        "author": field(context, "author", default=NO_AUTHOR),
        "organisation": text(context.get("organisation"), "") or None,
    }


def territory_phrase(territory: Territory) -> str:
    """'la commune de Voiron', "l'intercommunalité Pays Voironnais" — for running text."""
    name = territory.name
    if name in (NO_TERRITORY, PLACEHOLDER):
        return "la collectivité"
    articles = {
        "commune": f"la commune de {name}",
        "epci": f"l'intercommunalité {name}",
        "departement": f"le département {name}",
        "region": f"la région {name}",
    }
    return articles.get(territory.kind, name)


# Block constructors


def paragraph(value: object, default: str = PLACEHOLDER, *, note: bool = False) -> Paragraph:
    return Paragraph(text=text(value, default), style="note" if note else "normal")


def bullets(values: Iterable[object], *, ordered: bool = False, missing: str = PLACEHOLDER) -> BulletList:
    """A list; with no values, one item saying what is missing (``missing``: « aucun besoin recensé »)."""
    texts = [text(value, "") for value in values if not is_blank(value)]
    texts = [item for item in texts if item]
    return BulletList(items=texts or [missing], ordered=ordered)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    caption: str | None = None,
    widths: list[int] | None = None,
    variant: Literal["standard", "signatures"] = "standard",
    missing: str | None = None,
) -> Table:
    """A table; with no rows it gets one row saying what is missing (``missing``: « aucune consultation
    enregistrée ») in its first cell, or, without ``missing``, one row of placeholders to fill in the DOCX."""
    body = [list(row) for row in rows]
    if not body:
        body = [[missing] + ["–"] * (len(headers) - 1)] if missing else [[PLACEHOLDER] * len(headers)]
    return Table(
        headers=list(headers),
        rows=body,
        caption=caption,
        column_widths=widths,
        variant=variant,
    )


def key_values(pairs: Iterable[tuple[str, str]]) -> KeyValueList:
    return KeyValueList(items=[KeyValue(label=label, value=value) for label, value in pairs])


def evidence_section(context: Context, heading: str = "Annexe – Pièces justificatives") -> Section | None:
    """The list of evidence attached to the engagement, or None when there is none."""
    evidence = items(context.get("evidence"))
    if not evidence:
        return None
    rows = [
        [
            field(item, "title", "name", default="pièce sans intitulé"),
            field(item, "kind", default="nature non renseignée"),
            field(item, "step", default="–"),
            date_text(first(item, "date"), "–"),
            field(item, "reference", default="–"),
        ]
        for item in evidence
    ]
    return Section(
        heading=heading,
        blocks=[
            paragraph(
                "Les pièces ci-dessous sont conservées dans l'espace de la démarche et peuvent être "
                "communiquées sur demande."
            ),
            table(["Pièce", "Nature", "Étape", "Date", "Référence"], rows, widths=[4, 2, 2, 2, 2]),
        ],
    )


def with_optional(sections: Iterable[Section | None]) -> list[Section]:
    return [section for section in sections if section is not None]
