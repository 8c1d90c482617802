"""Référentiel des objectifs et indicateurs: each objective with its indicators (unit, baseline, target,
direction, frequency, source, published or not), the approvals the local actors gave to each version, and
each indicator's latest measurement — or, when there is none, since when it is awaited."""

from __future__ import annotations

from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    date_text,
    direction_of,
    evidence_section,
    field,
    first,
    header,
    items,
    key_values,
    labelled,
    paragraph,
    quantity,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, Table

KIND = "referentiel_indicateurs"


class ApprovalContext(TypedDict, total=False):
    role: str  # consultant | chef_de_projet | elu | agent | partenaire
    login: str
    version: int
    date: str


class FrameworkIndicatorContext(TypedDict, total=False):
    name: str
    unit: str
    baseline: float
    baseline_on: str
    target: float
    deadline: str
    direction: str  # increase | decrease | maintain
    frequency: str  # monthly | quarterly | half_yearly | yearly
    source: str
    public: bool
    value: float | None  # the latest measurement
    measured_at: str | None


class FrameworkObjectiveContext(TypedDict, total=False):
    title: str
    description: str
    version: int
    approved_by: list[str]  # roles that approved the current version
    approvals: list[ApprovalContext]  # every approval given, any version
    indicators: list[FrameworkIndicatorContext]


class ReferentielContext(CommonContext, total=False):
    """Context for ``referentiel_indicateurs`` (all keys optional)."""

    referentiel: list[FrameworkObjectiveContext]


NO_OBJECTIVE = "Aucun objectif n'est encore inscrit au référentiel de la démarche"


def build_referentiel_indicateurs(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Référentiel des objectifs et indicateurs", clock=clock)
    objectives = items(context.get("referentiel"))
    sections = with_optional(
        [
            _purpose(objectives, territory_phrase(fields["territory"])),
            *[_objective(index, objective) for index, objective in enumerate(objectives, start=1)],
            _approvals(objectives),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(
        kind=KIND, sections=sections, orientation="landscape", table_of_contents=True, **fields
    )


def _purpose(objectives: list[Any], place: str) -> Section:
    count = sum(len(items(first(objective, "indicators"))) for objective in objectives)
    blocks: list[Block] = [
        paragraph(
            f"Le référentiel fixe les objectifs de la démarche de gouvernance partagée de {place} et les "
            "indicateurs qui permettront de les évaluer : unité, valeur de référence, cible et échéance, "
            "sens "
            "d'évolution visé, fréquence et source de la mesure. Les indicateurs sont validés par les "
            "acteurs "
            "locaux ; ceux marqués « publics » sont mis à la disposition des habitants."
        )
    ]
    if objectives:
        blocks.append(
            paragraph(
                f"Il compte {len(objectives)} objectif{'s' if len(objectives) > 1 else ''} et "
                f"{count} indicateur{'s' if count > 1 else ''}."
            )
        )
    else:
        blocks.append(
            paragraph(f"{NO_OBJECTIVE} : il sera établi à l'étape « Objectifs et indicateurs ».", note=True)
        )
    return Section(heading="Objet du référentiel", blocks=blocks)


def _objective(index: int, objective: Any) -> Section:
    approved = [labelled(labels.ROLES, role) for role in items(first(objective, "approved_by"))]
    version = first(objective, "version")
    indicators = items(first(objective, "indicators"))
    blocks: list[Block] = []
    if first(objective, "description"):
        blocks.append(paragraph(first(objective, "description")))
    blocks += [
        key_values(
            [
                ("Version en vigueur", text(version, "non numérotée")),
                (
                    "Validée par",
                    text(approved, "aucun acteur local n'a encore validé cette version"),
                ),
            ]
        ),
        indicator_framework_table(indicators),
        latest_measurements_table(indicators),
    ]
    return Section(
        heading=f"Objectif {index} : {field(objective, 'title', 'name', default='intitulé non renseigné')}",
        blocks=blocks,
    )


def indicator_framework_table(indicators: list[Any]) -> Table:
    rows = [
        [
            field(indicator, "name", default="Indicateur sans intitulé"),
            field(indicator, "unit", default="–"),
            _dated(
                quantity(first(indicator, "baseline"), first(indicator, "unit"), "non renseignée"),
                first(indicator, "baseline_on"),
                "au",
            ),
            _dated(
                quantity(first(indicator, "target"), first(indicator, "unit"), "non renseignée"),
                first(indicator, "deadline"),
                "d'ici le",
            ),
            labelled(labels.INDICATOR_DIRECTIONS, direction_of(indicator), "non précisée"),
            labelled(labels.FREQUENCIES, first(indicator, "frequency"), "non précisée"),
            field(indicator, "source", default="non précisée"),
            "Oui" if first(indicator, "public") is True else "Non",
        ]
        for indicator in indicators
    ]
    return table(
        ["Indicateur", "Unité", "Référence", "Cible", "Évolution visée", "Fréquence", "Source", "Public"],
        rows,
        widths=[4, 1, 2, 2, 2, 2, 3, 1],
        caption="Indicateurs",
        missing="Aucun indicateur n'est encore rattaché à cet objectif",
    )


def latest_measurements_table(indicators: list[Any]) -> Table:
    rows = [
        [
            field(indicator, "name", default="Indicateur sans intitulé"),
            quantity(first(indicator, "value"), first(indicator, "unit"), _no_measure(indicator)),
            date_text(first(indicator, "measured_at"), "–"),
        ]
        for indicator in indicators
    ]
    return table(
        ["Indicateur", "Dernière mesure", "Date de la mesure"],
        rows,
        widths=[5, 4, 2],
        caption="Dernières mesures",
        missing="Aucun indicateur, donc aucune mesure",
    )


def _no_measure(indicator: Any) -> str:
    since = first(indicator, "baseline_on")
    return f"aucune mesure depuis le {date_text(since)}" if since else "aucune mesure enregistrée"


def _dated(value: str, day: object, preposition: str) -> str:
    return f"{value} ({preposition} {date_text(day)})" if day else value


def _approvals(objectives: list[Any]) -> Section:
    rows = [
        [
            field(objective, "title", "name", default="–"),
            f"version {text(first(approval, 'version'), '–')}",
            labelled(labels.ROLES, first(approval, "role"), "rôle non renseigné"),
            field(approval, "login", default="–"),
            date_text(first(approval, "date"), "–"),
        ]
        for objective in objectives
        for approval in items(first(objective, "approvals"))
    ]
    return Section(
        heading="Validations par les acteurs locaux",
        blocks=[
            paragraph(
                "Chaque validation porte sur une version de l'objectif et de ses indicateurs : ajouter ou "
                "modifier un indicateur crée une nouvelle version, soumise à une nouvelle validation."
            ),
            table(
                ["Objectif", "Version", "Rôle", "Validé par", "Date"],
                rows,
                widths=[5, 2, 3, 3, 2],
                missing="Aucune validation n'est enregistrée : aucun acteur local n'a encore validé les "
                "objectifs",
            ),
        ],
    )
