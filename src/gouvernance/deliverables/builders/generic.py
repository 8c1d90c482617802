"""Fallback builder for deliverable kinds without a dedicated builder (compte rendu, charte, bilan…).

The title comes from the kind ("compte_rendu_atelier" -> "Compte rendu atelier") unless the context gives
one. Sections come from ``context["sections"]`` when present, otherwise from every other key of the context:
a text becomes a paragraph, a list of texts a bullet list, a list of mappings a table, a mapping a
key-value list. Headings are French: the keys the engine itself adds have French titles (``HEADINGS``), the
launch parameters are labelled as the process model names them (``parameter_labels``), and other keys read
as a sentence. An empty value says so (« non renseigné »).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    evidence_section,
    header,
    is_blank,
    items,
    key_values,
    paragraph,
    table,
    text,
    with_optional,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, kind_label

_COMMON_KEYS = frozenset(CommonContext.__annotations__) | {"sections", "parameter_labels", "produced_by"}
HEADINGS = {
    # the keys the engine and its contributors use, in English, with their French names
    "parameters": "Paramètres de la démarche",
    "stakeholders": "Parties prenantes",
    "consultations": "Consultations",
    "diagnostic": "Diagnostic territorial",
    "objectifs": "Objectifs",
    "actions": "Actions",
    "moyens": "Moyens",
    "name": "Nom",
    "title": "Intitulé",
    "description": "Description",
    "date": "Date",
    "category": "Catégorie",
    "kind": "Nature",
    "method": "Modalité",
    "step": "Étape",
    "outcome": "Enseignements",
    "notes": "Notes",
    "participants": "Participants",
    "public": "Public",
    "status": "Statut",
    "value": "Valeur",
    "unit": "Unité",
    "source": "Source",
    "role": "Rôle",
    "reference": "Référence",
    "power": "Pouvoir",
    "interest": "Intérêt",
    "quadrant": "Stratégie",
    "responsible": "Responsable",
    "echeance": "Échéance",
    # French keys whose accents cannot be guessed back
    "decisions": "Décisions",
    "synthese": "Synthèse",
    "reserves": "Réserves",
    "resultats": "Résultats",
    "effets_escomptes": "Effets escomptés",
}
NOT_GIVEN = "non renseigné"
NO_CONTENT = "Aucun contenu n'a été fourni pour ce document : seules ses pièces justificatives sont connues."
_MAX_COLUMNS = 8


class SectionContext(TypedDict, total=False):
    heading: str
    paragraphs: list[str]
    bullets: list[str]
    table: dict[str, Any]  # {headers: [...], rows: [[...], ...]}
    key_values: dict[str, Any]


class GenericContext(CommonContext, total=False):
    """Context for any other kind: the common keys, plus either ``sections`` or free keys."""

    sections: list[SectionContext]
    parameter_labels: dict[str, str]  # launch parameter key → its French title in the process model


def build_generic(kind: str, context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title=kind_label(kind), clock=clock)
    declared = [section for section in items(context.get("sections")) if isinstance(section, Mapping)]
    if declared:
        sections = [_declared_section(section) for section in declared]
    else:
        names = context.get("parameter_labels")
        sections = [
            Section(
                heading=humanise(key),
                blocks=blocks_for(
                    value, names if key == "parameters" and isinstance(names, Mapping) else None
                ),
            )
            for key, value in context.items()
            if key not in _COMMON_KEYS and isinstance(key, str)
        ]
    sections = with_optional([*sections, evidence_section(context)])
    if not sections:
        sections = [Section(heading="Contenu", blocks=[paragraph(None, NO_CONTENT)])]
    return DeliverableDocument(kind=kind, sections=sections, **fields)


def humanise(key: str) -> str:
    """'parameters' -> 'Paramètres de la démarche' for the known keys; otherwise 'effets_escomptes' ->
    'Effets escomptes' (no accents can be guessed back)."""
    if key in HEADINGS:
        return HEADINGS[key]
    return key.replace("_", " ").strip().capitalize() or "Section"


def blocks_for(value: object, names: Mapping[str, Any] | None = None) -> list[Block]:
    if is_blank(value):
        return [paragraph(None, NOT_GIVEN)]
    if isinstance(value, Mapping):
        return [
            key_values(
                (text((names or {}).get(key), "") or humanise(str(key)), text(item, NOT_GIVEN))
                for key, item in value.items()
            )
        ]
    if isinstance(value, list | tuple):
        if all(isinstance(item, Mapping) for item in value):
            return [_records_table(list(value))]
        return [bullets(items(value), missing=NOT_GIVEN)]
    return [paragraph(value, NOT_GIVEN)]


def _records_table(records: list[Mapping[str, Any]]) -> Block:
    columns: list[str] = []
    for record in records:
        columns.extend(str(key) for key in record if str(key) not in columns)
    columns = columns[:_MAX_COLUMNS]
    rows = [[text(record.get(column), "–") for column in columns] for record in records]
    return table([humanise(column) for column in columns], rows, missing=NOT_GIVEN)


def _declared_section(section: Mapping[str, Any]) -> Section:
    blocks: list[Block] = [paragraph(item) for item in items(section.get("paragraphs"))]
    if section.get("bullets"):
        blocks.append(bullets(items(section["bullets"]), missing=NOT_GIVEN))
    declared_table = section.get("table")
    if isinstance(declared_table, Mapping) and items(declared_table.get("headers")):
        headers = [text(header_, "–") for header_ in items(declared_table["headers"])]
        rows = [
            [text(cell, "") for cell in (list(row) + [""] * len(headers))[: len(headers)]]
            for row in items(declared_table.get("rows"))
            if isinstance(row, list | tuple)
        ]
        blocks.append(table(headers, rows, missing="Aucune ligne n'a été fournie"))
    if isinstance(section.get("key_values"), Mapping):
        blocks.append(
            key_values((str(key), text(value, NOT_GIVEN)) for key, value in section["key_values"].items())
        )
    return Section(
        heading=text(section.get("heading"), "Section sans titre"),
        blocks=blocks or [paragraph(None, NOT_GIVEN)],
    )
