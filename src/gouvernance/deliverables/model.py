"""The structured content of a deliverable, independent of its output format.

Builders fill a ``DeliverableDocument``; renderers turn the same document into HTML, PDF and DOCX, so the
Word version agents edit has the same headings, lists and tables as the PDF.
"""

from __future__ import annotations

import base64
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

PLACEHOLDER = "À compléter"

DeliverableKind = Literal[
    "rapport_etat_des_lieux",
    "note_securisation_juridique",
    "plan_action",
    "plan_formation",
    "feuille_emargement",
    "bilan_formation",
    "plan_communication",
    "convention_partenariat",
    "rapport_evaluation",
    "reglement_budget_participatif",
    "catalogue_idees",
    "rapport_analyse",
    "liste_projets_vote",
    "resultats_vote",
    "tableau_suivi_realisation",
    "bilan_budget_participatif",
    "cartographie_acteurs",
    "fiche_traitement_rgpd",
    "referentiel_indicateurs",
    "projet_deliberation",
    "charte_participation",
    "synthese_concertation",
]

KIND_LABELS: dict[str, str] = {
    "rapport_etat_des_lieux": "Rapport d'état des lieux",
    "note_securisation_juridique": "Note de sécurisation juridique",
    "plan_action": "Plan d'action",
    "plan_formation": "Plan de formation",
    "feuille_emargement": "Feuille d'émargement",
    "bilan_formation": "Bilan des formations",
    "plan_communication": "Plan de communication",
    "convention_partenariat": "Convention de partenariat",
    "rapport_evaluation": "Rapport d'évaluation",
    "reglement_budget_participatif": "Règlement du budget participatif",
    "catalogue_idees": "Catalogue des idées déposées",
    "rapport_analyse": "Rapport d'analyse de recevabilité et de faisabilité",
    "liste_projets_vote": "Liste des projets soumis au vote",
    "resultats_vote": "Résultats du vote",
    "tableau_suivi_realisation": "Tableau de suivi de la réalisation",
    "bilan_budget_participatif": "Bilan du budget participatif",
    "cartographie_acteurs": "Cartographie des forces vives et des parties prenantes",
    "fiche_traitement_rgpd": "Fiche de registre des traitements (RGPD)",
    "referentiel_indicateurs": "Référentiel des objectifs et indicateurs",
    "projet_deliberation": "Projet de délibération",
    "charte_participation": "Charte de la participation citoyenne",
    "synthese_concertation": "Synthèse de la concertation",
}

TerritoryKind = Literal["commune", "epci", "departement", "region", "autre"]

TERRITORY_KIND_LABELS: dict[str, str] = {
    "commune": "Commune",
    "epci": "Intercommunalité (EPCI)",
    "departement": "Département",
    "region": "Région",
    "autre": "Collectivité",
}

_SVG_NS = "{http://www.w3.org/2000/svg}"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: str) -> str:
    """Drops the control characters XML 1.0 cannot hold (pasted text sometimes has them): DOCX would fail."""
    return _NOT_XML.sub("", value)


Text = Annotated[str, AfterValidator(_xml_safe)]
_MAX_SVG_CHARS = 2_000_000


def kind_label(kind: str) -> str:
    """The French name of a kind; other keys read as a sentence: 'compte_rendu' -> 'Compte rendu'."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").strip().capitalize()


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphenated: for file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "document"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Territory(_Frozen):
    name: Text = Field(min_length=1)
    kind: TerritoryKind = "commune"
    insee_code: str | None = Field(default=None, pattern=r"^(?:\d{2}|2A|2B)[0-9]{0,7}$")

    @property
    def kind_label(self) -> str:
        return TERRITORY_KIND_LABELS[self.kind]


class Paragraph(_Frozen):
    type: Literal["paragraph"] = "paragraph"
    text: Text
    style: Literal["normal", "note"] = "normal"


class BulletList(_Frozen):
    type: Literal["bullets"] = "bullets"
    items: list[Text]
    ordered: bool = False


class Table(_Frozen):
    """A table with a header row. The ``signatures`` variant gives tall rows for handwritten signatures."""

    type: Literal["table"] = "table"
    headers: list[Text] = Field(min_length=1)
    rows: list[list[Text]]
    caption: Text | None = None
    variant: Literal["standard", "signatures"] = "standard"
    column_widths: list[int] | None = Field(
        default=None, description="Relative widths, one per column (e.g. [1, 3, 2])."
    )

    @model_validator(mode="after")
    def _rectangular(self) -> Table:
        width = len(self.headers)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"row {index} has {len(row)} cells, expected {width}")
        if self.column_widths is not None and (
            len(self.column_widths) != width or any(w <= 0 for w in self.column_widths)
        ):
            raise ValueError("column_widths needs one positive number per column")
        return self

    def width_percents(self) -> list[float] | None:
        if self.column_widths is None:
            return None
        total = sum(self.column_widths)
        return [round(100 * w / total, 2) for w in self.column_widths]


class KeyValue(_Frozen):
    label: Text
    value: Text


class KeyValueList(_Frozen):
    type: Literal["key_values"] = "key_values"
    items: list[KeyValue]


class Figure(_Frozen):
    """An SVG picture (stakeholder map, power/interest grid) with a caption and a text alternative (RGAA).

    HTML and PDF embed it as a ``data:`` URI in an ``<img>``: browsers neither run scripts nor fetch
    resources from an SVG loaded that way, so a picture can never reach the network or the page.
    """

    type: Literal["figure"] = "figure"
    svg: str = Field(max_length=_MAX_SVG_CHARS)
    caption: Text
    alt: Text = Field(min_length=1)

    @field_validator("svg")
    @classmethod
    def _is_svg(cls, value: str) -> str:
        try:
            root = ET.fromstring(value)  # expat refuses entity expansion bombs since 2.4.1
        except ET.ParseError as error:
            raise ValueError(f"not well-formed SVG: {error}") from None
        if root.tag not in (f"{_SVG_NS}svg", "svg"):
            raise ValueError("the root element must be <svg>")
        return value

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


Block = Annotated[Paragraph | BulletList | Table | KeyValueList | Figure, Field(discriminator="type")]


class Section(_Frozen):
    heading: Text
    blocks: list[Block] = Field(default_factory=list)
    subsections: list[Section] = Field(default_factory=list)


class DeliverableDocument(_Frozen):
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: Text = Field(min_length=1)
    subtitle: Text | None = None
    territory: Territory
    engagement_reference: Text
    generated_at: datetime
    # Where the readers live: the generation date is shown there (the clock's timezone, Paris by default).
    timezone: str = "Europe/Paris"
    author: Text
    organisation: Text | None = None
    sections: list[Section] = Field(default_factory=list)
    numbered_headings: bool = True
    table_of_contents: bool = False
    orientation: Literal["portrait", "landscape"] = "portrait"

    @field_validator("generated_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone: {value[:60]}") from None
        return value

    @property
    def local_generated_at(self) -> datetime:
        """The generation instant where the readers live."""
        return self.generated_at.astimezone(ZoneInfo(self.timezone))

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def filename(self, extension: str) -> str:
        """'plan_action-saint-martin-2026-11-21.pdf' (the date is the local generation day)."""
        day = self.local_generated_at.date().isoformat()
        return f"{self.kind}-{slugify(self.territory.name)}-{day}.{extension}"


@dataclass(frozen=True)
class OutlineEntry:
    """A section with its position ('2.1'), depth (1 for top level) and whether the number is shown."""

    position: str
    depth: int
    numbered: bool
    section: Section
    children: tuple[OutlineEntry, ...]

    @property
    def anchor(self) -> str:
        return "sec-" + self.position.replace(".", "-")

    @property
    def label(self) -> str:
        return f"{self.position}. {self.section.heading}" if self.numbered else self.section.heading


def outline(document: DeliverableDocument) -> tuple[OutlineEntry, ...]:
    """The numbered tree of sections, as both renderers show it."""

    def walk(sections: list[Section], prefix: str, depth: int) -> tuple[OutlineEntry, ...]:
        return tuple(
            OutlineEntry(
                position=f"{prefix}{index}",
                depth=depth,
                numbered=document.numbered_headings,
                section=section,
                children=walk(section.subsections, f"{prefix}{index}.", depth + 1),
            )
            for index, section in enumerate(sections, start=1)
        )

    return walk(document.sections, "", 1)
