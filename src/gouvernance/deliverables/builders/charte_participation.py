"""Charte de la participation citoyenne: the commitments of the collectivité and of the participants — values,
who takes part (the families of actors in the register), how (the consultation methods in use, the digital
platform if the launch parameters provide one), roles, rules of the game, feedback to residents and
evaluation (the objectives and their published indicators)."""

from __future__ import annotations

from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    evidence_section,
    field,
    first,
    header,
    items,
    key_values,
    labelled,
    mapping,
    paragraph,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.french import as_decimal, format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Section

KIND = "charte_participation"


class CountedContext(TypedDict, total=False):
    category: str
    method: str
    level: str
    count: int


class CharteContext(CommonContext, total=False):
    """Context for ``charte_participation`` (all keys optional)."""

    parameters: dict[str, Any]  # population, perimetre, instances_participatives_existantes, avec_plateforme…
    categories_acteurs: list[CountedContext]  # families of actors in the register, with how many
    modalites: list[CountedContext]  # consultation methods used so far, with how many times
    niveaux_participation: list[CountedContext]  # IAP2 levels aimed at, with how many stakeholders
    referentiel: list[dict[str, Any]]  # objectives with their indicators (see referentiel_indicateurs)


def build_charte_participation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Charte de la participation citoyenne", clock=clock)
    place = territory_phrase(fields["territory"])
    parameters = mapping(context, "parameters")
    sections = with_optional(
        [
            _preamble(place, parameters),
            _values(),
            _who(context),
            _how(context, parameters),
            _roles(),
            _rules(),
            _feedback(),
            _evaluation(context),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, **fields)


def _preamble(place: str, parameters: Any) -> Section:
    population = as_decimal(first(parameters, "population"))
    perimeter = {"commune": "la commune", "epci": "l'ensemble des communes de l'intercommunalité"}.get(
        text(first(parameters, "perimetre"), ""), ""
    )
    blocks: list[Block] = [
        paragraph(
            f"Par la présente charte, {place} et les personnes qui participent à la démarche de gouvernance "
            "partagée s'engagent mutuellement. Chaque habitant peut donner son avis, être consulté, voire "
            "prendre part à la décision collective ; la collectivité s'engage à l'écouter et à lui rendre "
            "compte de ce qu'elle fait de sa contribution."
        ),
    ]
    facts = []
    if population is not None:
        facts.append(f"Elle concerne un territoire de {format_number(population)} habitants")
    if perimeter:
        facts.append(f"{'et' if facts else 'Elle'} porte sur {perimeter}")
    if facts:
        blocks.append(paragraph(" ".join(facts) + "."))
    return Section(heading="Préambule", blocks=blocks)


def _values() -> Section:
    return Section(
        heading="Nos valeurs",
        blocks=[
            bullets(
                [
                    "L'intérêt général : la participation sert le bien commun, au-delà des intérêts "
                    "particuliers.",
                    "L'égalité : chacun peut participer, quels que soient son âge, sa situation ou son "
                    "aisance à "
                    "l'oral ; les temps et les lieux sont choisis pour être accessibles.",
                    "La transparence : les informations utiles sont partagées, les décisions et leurs motifs "
                    "publiés.",
                    "Le respect : chaque parole est écoutée, les désaccords s'expriment sans mise en cause "
                    "des "
                    "personnes.",
                    "La sincérité : la collectivité dit à l'avance ce qui est ouvert à la discussion et ce "
                    "qui "
                    "ne l'est pas.",
                ]
            )
        ],
    )


def _counted(records: list[Any], key: str, vocabulary: dict[str, str]) -> list[list[str]]:
    return [
        [labelled(vocabulary, first(record, key), "–"), text(first(record, "count"), "–")]
        for record in records
    ]


def _actors(count: object) -> str:
    if not isinstance(count, int):
        return "nombre d'acteurs non renseigné"
    return f"{count} acteur{'s' if count > 1 else ''}"


def _who(context: Context) -> Section:
    return Section(
        heading="Qui participe",
        blocks=[
            paragraph(
                "La démarche associe toutes les forces vives du territoire. Les familles d'acteurs recensées "
                "au registre des parties prenantes sont les suivantes :"
            ),
            table(
                ["Famille d'acteurs", "Acteurs recensés"],
                _counted(items(context.get("categories_acteurs")), "category", labels.STAKEHOLDER_CATEGORIES),
                widths=[4, 2],
                missing="Aucune partie prenante n'est encore inscrite au registre",
            ),
        ],
    )


def _how(context: Context, parameters: Any) -> Section:
    blocks: list[Block] = [
        paragraph("Les modalités de participation déjà mises en œuvre dans la démarche sont les suivantes :"),
        table(
            ["Modalité", "Temps organisés"],
            _counted(items(context.get("modalites")), "method", labels.CONSULTATION_METHODS),
            widths=[4, 2],
            missing="Aucune consultation n'est encore inscrite au journal",
        ),
    ]
    levels = items(context.get("niveaux_participation"))
    if levels:
        blocks.append(
            paragraph(
                "Niveaux de participation visés (échelle de l'IAP2 : informer, consulter, impliquer, "
                "collaborer, habiliter) : "
                + ", ".join(
                    f"{field(level, 'level', default='–').lower()} ({_actors(first(level, 'count'))})"
                    for level in levels
                )
                + "."
            )
        )
    platform = first(parameters, "avec_plateforme_numerique")
    existing = first(parameters, "instances_participatives_existantes")
    blocks.append(
        key_values(
            [
                (
                    "Plateforme numérique",
                    "une plateforme en ligne complète les rencontres en présentiel, sans les remplacer"
                    if platform is True
                    else "la démarche ne prévoit pas de plateforme en ligne"
                    if platform is False
                    else "le recours à une plateforme en ligne n'a pas été précisé au lancement",
                ),
                (
                    "Instances existantes",
                    "les instances participatives existantes (conseils de quartier, conseil citoyen, conseil "
                    "de développement…) sont associées et articulées avec la démarche"
                    if existing is True
                    else "aucune instance participative n'existait au lancement de la démarche"
                    if existing is False
                    else "l'existence d'instances participatives n'a pas été précisée au lancement",
                ),
            ]
        )
    )
    return Section(heading="Comment participer", blocks=blocks)


def _roles() -> Section:
    return Section(
        heading="Les rôles de chacun",
        blocks=[
            key_values(
                [
                    ("Les élus", "portent la démarche, arbitrent et décident ; ils motivent leurs choix."),
                    (
                        "Les agents",
                        "mettent en œuvre les actions, apportent leur expertise et sont garants des "
                        "valeurs du "
                        "service public.",
                    ),
                    (
                        "Les habitants et usagers",
                        "donnent leur avis, proposent, et prennent part à la décision lorsque celle-ci leur "
                        "est confiée.",
                    ),
                    (
                        "Les associations, entreprises et partenaires",
                        "apportent leurs compétences et leurs moyens ; leurs engagements sont écrits dans "
                        "une "
                        "convention de partenariat.",
                    ),
                    (
                        "Le cabinet d'accompagnement",
                        "anime les temps de participation en tiers neutre et en restitue fidèlement le "
                        "contenu.",
                    ),
                ]
            )
        ],
    )


def _rules() -> Section:
    return Section(
        heading="Les règles du jeu",
        blocks=[
            bullets(
                [
                    "Chaque temps de participation annonce son objet, ce qui est soumis à la discussion et "
                    "ce "
                    "qui sera fait des contributions.",
                    "La parole est distribuée équitablement ; l'animation veille à ce que chacun "
                    "s'autorise à "
                    "la prendre.",
                    "Les données personnelles des participants sont limitées au nécessaire et ne sont jamais "
                    "publiées ; chacun peut en demander la suppression.",
                    "Les documents préparatoires sont transmis à l'avance, en langage clair.",
                ]
            )
        ],
    )


def _feedback() -> Section:
    return Section(
        heading="Le retour aux habitants",
        blocks=[
            paragraph(
                "Après chaque temps de participation, une synthèse est publiée : « ce que nous avons "
                "entendu, "
                "ce que nous en faisons ». La collectivité indique pour chaque proposition si elle est "
                "retenue, "
                "étudiée ou écartée, et pourquoi. Les décisions importantes sont publiées régulièrement."
            )
        ],
    )


def _evaluation(context: Context) -> Section:
    public = [
        f"{field(indicator, 'name', default='indicateur sans intitulé')} "
        f"({field(objective, 'title', default='–')})"
        for objective in items(context.get("referentiel"))
        for indicator in items(first(objective, "indicators"))
        if first(indicator, "public") is True
    ]
    objectives = [field(o, "title", default="") for o in items(context.get("referentiel"))]
    blocks: list[Block] = [
        paragraph(
            "La charte et la démarche sont évaluées au regard des objectifs fixés, des moyens alloués, des "
            "actions menées et des résultats obtenus. Les indicateurs publics sont mis à la disposition de "
            "tous, "
            "sans aucune donnée personnelle."
        ),
    ]
    if objectives:
        blocks += [paragraph("Objectifs de la démarche :"), bullets(objectives)]
    blocks += [
        paragraph("Indicateurs publiés :"),
        bullets(
            public,
            missing="aucun indicateur public n'est encore défini au référentiel des objectifs"
            if objectives
            else "aucun objectif ni indicateur n'est encore inscrit au référentiel",
        ),
        paragraph("La charte est révisée à l'issue de l'évaluation, avec les participants."),
    ]
    return Section(heading="L'évaluation", blocks=blocks)
