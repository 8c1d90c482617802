"""Plan de formation des élus et des agents: each person's role in the approach, anticipating difficulties,
sharing experience — as modules with audiences, objectives, dates and the way learning is assessed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    date_text,
    field,
    first,
    header,
    items,
    key_values,
    labelled,
    mapping,
    money,
    paragraph,
    table,
    text,
)
from gouvernance.deliverables.french import NBSP, as_decimal, format_number, parse_temporal
from gouvernance.deliverables.model import Block, DeliverableDocument, Section

KIND = "plan_formation"


class AudienceContext(TypedDict, total=False):
    public: str  # "Élus", "Agents de la direction de la citoyenneté"…
    effectif: int
    besoins: str


class ModuleContext(TypedDict, total=False):
    title: str
    public: str
    objectifs: list[str]
    contenu: list[str]
    duree: float | str  # hours when a number
    format: str  # in_person | remote | hybrid (French accepted)
    intervenant: str
    date: date | str
    lieu: str
    statut: str  # prévue, tenue, annulée (sessions the engine knows)


class FinancementContext(TypedDict, total=False):
    budget: float | str
    sources: list[str]  # e.g. "Plan de formation de la collectivité", "CNFPT"


class PlanFormationContext(CommonContext, total=False):
    """Context for ``plan_formation`` (all keys optional). ``modules`` or ``publics`` given as a list, even
    empty, is what the engine knows (the training sessions): none then reads « aucune session de formation
    enregistrée » rather than a placeholder."""

    contexte: str
    objectifs: list[str]
    publics: list[AudienceContext]
    modules: list[ModuleContext]
    evaluation: list[str]
    financement: FinancementContext


def build_plan_formation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Plan de formation des élus et des agents", clock=clock)
    modules = items(context.get("modules"))
    sections = [
        _stakes(context),
        Section(
            heading="Objectifs pédagogiques",
            blocks=[bullets(items(context.get("objectifs")), missing="aucun objectif pédagogique défini")],
        ),
        _audiences(context),
        _modules(modules, registered=isinstance(context.get("modules"), list)),
        _calendar(modules, registered=isinstance(context.get("modules"), list)),
        _assessment(context),
        _funding(context),
    ]
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _stakes(context: Context) -> Section:
    blocks: list[Block] = [
        paragraph(
            "La gouvernance partagée transforme la posture de chacun. Les élus, représentants des acteurs "
            "locaux, coordonnent la participation de tous et décident au nom du plus grand nombre ; "
            "les agents "
            "territoriaux sont les experts au service des projets collectifs et les garants des valeurs du "
            "service public."
        ),
        paragraph(
            "Le plan de formation vise à informer chacun de son rôle dans la démarche, à anticiper les "
            "difficultés et à partager les expériences."
        ),
    ]
    if context.get("contexte"):
        blocks.append(paragraph(context["contexte"]))
    return Section(heading="Contexte et enjeux", blocks=blocks)


def _audiences(context: Context) -> Section:
    rows = [
        [
            field(audience, "public", "name", default="public non précisé"),
            field(audience, "effectif", default="effectif non renseigné"),
            field(audience, "besoins", default="besoins non recensés"),
        ]
        for audience in items(context.get("publics"))
    ]
    if not rows:
        registered = isinstance(context.get("publics"), list)
        rows = [
            ["aucune personne inscrite aux séances" if registered else "aucun public renseigné", "0", "–"]
        ]
    return Section(
        heading="Publics concernés",
        blocks=[table(["Public", "Effectif", "Besoins identifiés"], rows, widths=[3, 1, 5])],
    )


def _duration(value: object) -> str:
    hours = as_decimal(value)
    return f"{format_number(hours)}{NBSP}h" if hours is not None else text(value, "durée non fixée")


def _modules(modules: list[Any], *, registered: bool) -> Section:
    """``registered``: the modules are the sessions the engine knows, so none means none was entered."""
    subsections = [
        Section(
            heading=field(module, "title", "name", default="Module sans intitulé"), blocks=_module(module)
        )
        for module in modules
    ]
    empty = paragraph(f"Aucune session de formation {'enregistrée' if registered else 'renseignée'}.")
    return Section(
        heading="Modules de formation", blocks=[] if subsections else [empty], subsections=subsections
    )


def _module(module: Any) -> list[Block]:
    facts = [
        ("Public", field(module, "public", default="public non précisé")),
        ("Durée", _duration(first(module, "duree"))),
        (
            "Format",
            labelled(labels.TRAINING_FORMATS, first(module, "format"), default="modalité non précisée"),
        ),
        ("Intervenant", field(module, "intervenant", default="intervenant non désigné")),
        ("Date", date_text(first(module, "date"), "date non fixée")),
        ("Lieu", field(module, "lieu", default="lieu non fixé")),
    ]
    if first(module, "statut"):
        facts.append(("Statut", field(module, "statut")))
    blocks: list[Block] = [
        key_values(facts),
        paragraph("Objectifs :"),
        bullets(items(first(module, "objectifs")), missing="aucun objectif défini pour ce module"),
    ]
    if isinstance(module, Mapping) and "contenu" in module:
        contents = bullets(items(first(module, "contenu")), missing="contenu non décrit")
        blocks += [paragraph("Contenu :"), contents]
    return blocks


def _calendar(modules: list[Any], *, registered: bool) -> Section:
    def sort_key(module: Any) -> tuple[int, str]:
        when = parse_temporal(first(module, "date"))
        return (0, when.isoformat()) if when is not None else (1, "")

    rows = [
        [
            date_text(first(module, "date"), "date non fixée"),
            field(module, "title", "name", default="module sans intitulé"),
            field(module, "public", default="public non précisé"),
            field(module, "lieu", default="lieu non fixé"),
        ]
        for module in sorted(modules, key=sort_key)
    ]
    if not rows:
        rows = [
            ["–", f"aucune session de formation {'enregistrée' if registered else 'renseignée'}", "–", "–"]
        ]
    return Section(
        heading="Calendrier",
        blocks=[table(["Date", "Module", "Public", "Lieu"], rows, widths=[2, 4, 3, 3])],
    )


def _assessment(context: Context) -> Section:
    return Section(
        heading="Évaluation des acquis",
        blocks=[
            paragraph(
                "Chaque session se conclut par une évaluation à chaud ; un retour d'expérience collectif est "
                "organisé quelques mois plus tard, une fois les pratiques engagées."
            ),
            bullets(items(context.get("evaluation")), missing="aucune modalité d'évaluation complémentaire"),
        ],
    )


def _funding(context: Context) -> Section:
    funding = mapping(context, "financement")
    return Section(
        heading="Budget et financement",
        blocks=[
            key_values(
                [
                    (
                        "Budget prévisionnel",
                        money(first(funding, "budget"), "aucun budget de formation chiffré"),
                    ),
                    (
                        "Financement",
                        field(funding, "sources", default="aucune source de financement indiquée"),
                    ),
                ]
            ),
            paragraph(
                "La formation des agents territoriaux peut s'appuyer sur l'offre du Centre national de la "
                "fonction publique territoriale (CNFPT) ; celle des élus sur les crédits de formation de la "
                "collectivité et le droit individuel à la formation des élus (DIFE).",
                note=True,
            ),
        ],
    )
