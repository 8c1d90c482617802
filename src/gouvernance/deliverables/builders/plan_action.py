"""Plan d'action: the formalisation step — needs, objectives with their indicators, means (budget, staff
time) and actions with who is responsible and by when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    date_text,
    direction_of,
    evidence_section,
    field,
    first,
    fte,
    header,
    items,
    key_values,
    labelled,
    mapping,
    money,
    paragraph,
    quantity,
    table,
    with_optional,
)
from gouvernance.deliverables.french import as_decimal
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, Table

KIND = "plan_action"


class IndicatorContext(TypedDict, total=False):
    name: str
    unit: str  # "%", "jours", "€", "participants"…
    baseline: float | str
    target: float | str
    direction: str  # increase | decrease | maintain
    frequency: str  # monthly | quarterly | half_yearly | yearly | once
    source: str


class ObjectiveContext(TypedDict, total=False):
    title: str
    description: str
    indicators: list[IndicatorContext]


class BudgetLineContext(TypedDict, total=False):
    poste: str
    montant: float | str
    financeur: str


class StaffContext(TypedDict, total=False):
    role: str
    etp: float | str


class MoyensContext(TypedDict, total=False):
    budget_total: float | str  # defaults to the sum of budget_lines
    budget_lines: list[BudgetLineContext]
    etp: list[StaffContext]
    autres: list[str]  # premises, digital tools…


class ActionContext(TypedDict, total=False):
    title: str
    objective: str
    responsible: str
    echeance: date | str
    status: str  # not_started | in_progress | done | late | cancelled
    partners: list[str]


class SuiviContext(TypedDict, total=False):
    instance: str  # e.g. "comité de pilotage"
    frequence: str
    modalites: str


class PlanActionContext(CommonContext, total=False):
    """Context for ``plan_action`` (all keys optional)."""

    contexte: str
    besoins: list[str]
    objectifs: list[ObjectiveContext]
    moyens: MoyensContext
    actions: list[ActionContext]
    suivi: SuiviContext


def build_plan_action(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(
        context, default_title="Plan d'action de la démarche de gouvernance partagée", clock=clock
    )
    sections = with_optional(
        [
            _needs(context),
            _objectives(context),
            _means(context),
            _actions(context),
            _follow_up(context),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _needs(context: Context) -> Section:
    blocks: list[Block] = [
        paragraph(
            "Le plan d'action formalise la démarche : il part des besoins identifiés lors de l'état "
            "des lieux, "
            "fixe des objectifs mesurables, chiffre les moyens nécessaires et programme les actions."
        )
    ]
    if context.get("contexte"):
        blocks.append(paragraph(context["contexte"]))
    blocks.append(
        bullets(items(context.get("besoins")), missing="aucun besoin n'est inscrit au diagnostic territorial")
    )
    return Section(heading="Besoins identifiés", blocks=blocks)


def indicator_table(indicators: list[Any]) -> Table:
    rows = [
        [
            field(indicator, "name", default="indicateur sans intitulé"),
            field(indicator, "unit", default="–"),
            quantity(first(indicator, "baseline"), first(indicator, "unit"), "non renseignée"),
            quantity(first(indicator, "target"), first(indicator, "unit"), "non renseignée"),
            labelled(labels.INDICATOR_DIRECTIONS, direction_of(indicator), "non précisée"),
            labelled(labels.FREQUENCIES, first(indicator, "frequency"), "non précisée"),
            field(indicator, "source", default="non précisée"),
        ]
        for indicator in indicators
    ]
    return table(
        ["Indicateur", "Unité", "Référence", "Cible", "Évolution visée", "Fréquence", "Source"],
        rows,
        widths=[4, 1, 2, 2, 2, 2, 2],
        caption="Indicateurs",
        missing="Aucun indicateur n'est rattaché à cet objectif",
    )


def _objectives(context: Context) -> Section:
    objectives = items(context.get("objectifs"))
    subsections = [
        Section(
            heading=field(objective, "title", "name", default="Objectif sans intitulé"),
            blocks=[
                *([paragraph(first(objective, "description"))] if first(objective, "description") else []),
                indicator_table(items(first(objective, "indicators"))),
            ],
        )
        for objective in objectives
    ]
    blocks: list[Block] = [
        paragraph(
            "Chaque objectif est assorti d'indicateurs (valeur de référence, cible, fréquence de mesure, "
            "source) validés avec les acteurs locaux ; ils serviront à l'évaluation de la démarche."
        )
    ]
    if not subsections:
        blocks.append(
            paragraph(
                "Aucun objectif n'est encore inscrit : ils sont fixés à l'étape « Objectifs et "
                "indicateurs ».",
                note=True,
            )
        )
    return Section(
        heading="Objectifs et indicateurs",
        blocks=blocks,
        subsections=subsections,
    )


def _means(context: Context) -> Section:
    means = mapping(context, "moyens")
    lines = items(means.get("budget_lines"))
    staff = items(means.get("etp"))
    total_budget = first(means, "budget_total") or _sum(first(line, "montant") for line in lines)
    total_fte = _sum(first(person, "etp") for person in staff)
    return Section(
        heading="Moyens",
        blocks=[
            key_values(
                [
                    ("Budget total", money(total_budget, "aucun budget n'est chiffré")),
                    (
                        "Temps de travail",
                        fte(total_fte, "aucun temps de travail n'est chiffré en équivalents temps plein"),
                    ),
                ]
            ),
            table(
                ["Poste de dépense", "Montant", "Financeur"],
                [
                    [
                        field(line, "poste", default="poste non renseigné"),
                        money(first(line, "montant"), "montant non chiffré"),
                        field(line, "financeur", default="financeur non désigné"),
                    ]
                    for line in lines
                ],
                widths=[4, 2, 3],
                caption="Budget",
                missing="Aucune ligne budgétaire n'est inscrite",
            ),
            table(
                ["Fonction", "Temps consacré"],
                [
                    [
                        field(person, "role", default="fonction non renseignée"),
                        fte(first(person, "etp"), "temps non chiffré"),
                    ]
                    for person in staff
                ],
                widths=[4, 2],
                caption="Ressources humaines",
                missing="Aucune fonction n'est affectée à la démarche en équivalents temps plein",
            ),
            paragraph("Autres moyens mobilisés :"),
            bullets(items(means.get("autres")), missing="aucun autre moyen n'est recensé"),
        ],
    )


def _sum(values: Any) -> Decimal | None:
    numbers = [number for value in values if (number := as_decimal(value)) is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _actions(context: Context) -> Section:
    rows = [
        [
            str(index),
            field(action, "title", "name", default="action sans intitulé"),
            field(action, "objective", default="objectif non précisé"),
            field(action, "responsible", default="responsable non désigné"),
            date_text(first(action, "echeance"), "échéance non fixée"),
            labelled(labels.ACTION_STATUSES, first(action, "status"), default="À engager"),
        ]
        for index, action in enumerate(items(context.get("actions")), start=1)
    ]
    return Section(
        heading="Actions",
        blocks=[
            table(
                ["N°", "Action", "Objectif", "Responsable", "Échéance", "Statut"],
                rows,
                widths=[1, 5, 3, 3, 2, 2],
                caption="Programme d'actions",
                missing="Aucune action n'est encore inscrite au plan",
            )
        ],
    )


def _follow_up(context: Context) -> Section:
    follow_up = mapping(context, "suivi")
    blocks: list[Block] = [
        key_values(
            [
                (
                    "Instance de suivi",
                    field(follow_up, "instance", default="aucune instance de suivi n'est désignée"),
                ),
                ("Fréquence", labelled(labels.FREQUENCIES, first(follow_up, "frequence"), "non fixée")),
            ]
        )
    ]
    if first(follow_up, "modalites"):
        blocks.append(paragraph(follow_up["modalites"]))
    blocks.append(
        paragraph(
            "Le plan d'action est un document vivant : la sécurisation juridique comme l'évaluation peuvent "
            "conduire à le réviser. Chaque révision est validée par l'instance de suivi et datée."
        )
    )
    return Section(heading="Suivi et révision du plan", blocks=blocks)
