"""Projet de délibération: the draft resolution by which the assembly launches the shared-governance
approach and adopts its objectives — visas (the CGCT articles for the territory's kind, the RGPD, the earlier
decisions of the register), recitals, articles, and the votes, which stay blank for the assembly when none is
recorded."""

from __future__ import annotations

from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    date_text,
    evidence_section,
    field,
    first,
    header,
    items,
    key_values,
    mapping,
    paragraph,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.french import as_decimal, format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, Territory

KIND = "projet_deliberation"
_COUNCIL_BODIES = frozenset(
    {"conseil_municipal", "conseil_communautaire", "conseil_departemental", "conseil_regional"}
)
BLANK_VOTE = "……"


class DecisionContext(TypedDict, total=False):
    number: str
    title: str
    text: str
    date: str
    body: str  # conseil_municipal | conseil_communautaire | copil | …
    body_label: str
    legal_basis: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    step_key: str
    step: str


class ProjetDeliberationContext(CommonContext, total=False):
    """Context for ``projet_deliberation`` (all keys optional)."""

    parameters: dict[str, Any]  # the launch parameters: population, perimetre…
    phases: list[dict[str, Any]]  # {title, state: done | under_way | to_come, completed_on}
    referentiel: list[dict[str, Any]]  # objectives with their indicators (see referentiel_indicateurs)
    decisions: list[DecisionContext]  # the public entries of the decision register
    vote_step: str  # the step whose decision carries the votes; « deliberation_lancement » by default


class _Assembly(TypedDict):
    name: str  # « conseil municipal »
    head: str  # « le maire »
    articles: list[str]


def _assembly(territory: Territory, population: Any) -> _Assembly:
    if territory.kind == "epci":
        articles = ["L. 5211-1"]
        if population is not None and population > 50000:
            articles.append("L. 5211-10-1")
        return {"name": "conseil communautaire", "head": "le président", "articles": articles}
    if territory.kind == "departement":
        return {"name": "conseil départemental", "head": "le président", "articles": ["L. 3211-1"]}
    if territory.kind == "region":
        return {"name": "conseil régional", "head": "le président", "articles": ["L. 4221-1"]}
    articles = ["L. 2121-29", "L. 2141-1"]
    if population is not None and population >= 80000:
        articles.append("L. 2143-1")
    return {"name": "conseil municipal", "head": "le maire", "articles": articles}


def build_projet_deliberation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Projet de délibération", clock=clock)
    territory: Territory = fields["territory"]
    parameters = mapping(context, "parameters")
    population = as_decimal(first(parameters, "population"))
    assembly = _assembly(territory, population)
    objectives = items(context.get("referentiel"))
    decisions = items(context.get("decisions"))
    sections = with_optional(
        [
            _subject(context),
            _report(context, territory, population, objectives, decisions),
            _resolution(context, assembly, territory, objectives, decisions),
            _votes(context, decisions),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, numbered_headings=False, **fields)


def _subject(context: Context) -> Section:
    engagement = mapping(context, "engagement")
    return Section(
        heading="Objet",
        blocks=[
            paragraph(
                "Lancement de la démarche "
                f"« {field(engagement, 'title', default='de gouvernance partagée')} », adoption de ses "
                "objectifs et de ses indicateurs de suivi."
            )
        ],
    )


def _report(
    context: Context, territory: Territory, population: Any, objectives: list[Any], decisions: list[Any]
) -> Section:
    place = territory_phrase(territory)
    size = (
        f" ({format_number(population)} habitants)"
        if population is not None
        else " (population non renseignée au lancement de l'accompagnement)"
    )
    blocks: list[Block] = [
        paragraph(
            f"{place[0].upper()}{place[1:]}{size} s'est engagée dans une démarche de gouvernance partagée : "
            "associer les habitants, les associations, les entreprises, les agents et les partenaires "
            "institutionnels à l'élaboration et au suivi de l'action publique locale."
        ),
        *_progress(context),
    ]
    pieces = len(items(context.get("evidence")))
    if pieces:
        plural = "s" if pieces > 1 else ""
        blocks.append(
            paragraph(
                f"Le dossier de la démarche réunit {pieces} pièce{plural} justificative{plural} (liste en "
                "annexe)."
            )
        )
    if objectives:
        blocks.append(paragraph("Les objectifs proposés à l'assemblée sont les suivants :"))
        blocks.append(bullets([_objective_line(objective) for objective in objectives]))
    else:
        blocks.append(
            paragraph(
                "Aucun objectif n'est encore inscrit au référentiel de la démarche : l'article 2 ci-dessous "
                "sera complété une fois les objectifs formalisés.",
                note=True,
            )
        )
    earlier = [d for d in decisions if first(d, "step_key") != _vote_step(context)]
    if earlier:
        blocks.append(paragraph("Décisions déjà prises dans le cadre de la démarche :"))
        blocks.append(bullets([_decision_line(decision) for decision in earlier]))
    return Section(heading="Note de synthèse", blocks=blocks)


_PHASE_STATES = {"under_way": "en cours", "to_come": "à venir"}


def _progress(context: Context) -> list[Block]:
    """Where the journey stands: each phase done (and when), under way or to come."""
    phases = items(context.get("phases"))
    if not phases:
        return [
            paragraph(
                "L'avancement des étapes de la démarche n'est pas connu de ce document : il sera précisé "
                "par le service des assemblées.",
                note=True,
            )
        ]
    lines = []
    for phase in phases:
        title = field(phase, "title", default="phase sans intitulé")
        if first(phase, "state") == "done":
            day = first(phase, "completed_on")
            lines.append(
                f"{title} — phase achevée le {date_text(day)}" if day else f"{title} — phase achevée"
            )
        else:
            state = _PHASE_STATES.get(text(first(phase, "state"), ""), "état non renseigné")
            lines.append(f"{title} — phase {state}")
    return [paragraph("Avancement de la démarche :"), bullets(lines)]


def _objective_line(objective: Any) -> str:
    title = field(objective, "title", "name", default="objectif sans intitulé")
    indicators = [field(indicator, "name", default="") for indicator in items(first(objective, "indicators"))]
    indicators = [name for name in indicators if name]
    if not indicators:
        return f"{title} (aucun indicateur n'y est encore rattaché)"
    return f"{title} — mesuré par : {', '.join(indicators)}"


def _decision_line(decision: Any) -> str:
    number = field(decision, "number", default="sans numéro")
    return (
        f"{field(decision, 'title', default='décision sans intitulé')} — "
        f"{field(decision, 'body_label', default='instance non renseignée')}, "
        f"décision n° {number} du {date_text(first(decision, 'date'), 'date non renseignée')}"
    )


def _vote_step(context: Context) -> str:
    return text(context.get("vote_step"), "deliberation_lancement")


def _visas(assembly: _Assembly, decisions: list[Any], context: Context) -> list[str]:
    articles = assembly["articles"]
    numbering = "son article" if len(articles) == 1 else "ses articles"
    listed = ", ".join(articles[:-1]) + (" et " if len(articles) > 1 else "") + articles[-1]
    visas = [
        f"Vu le code général des collectivités territoriales, notamment {numbering} {listed} ;",
        "Vu le règlement (UE) 2016/679 du 27 avril 2016 relatif à la protection des personnes physiques à "
        "l'égard du traitement des données à caractère personnel et la loi n° 78-17 du 6 janvier 1978 "
        "relative à l'informatique, aux fichiers et aux libertés ;",
    ]
    for decision in decisions:
        if first(decision, "step_key") == _vote_step(context):
            continue
        day = date_text(first(decision, "date"), "date non renseignée")
        title = field(decision, "title", default="décision sans intitulé")
        if first(decision, "body") in _COUNCIL_BODIES:
            visas.append(
                f"Vu la délibération n° {field(decision, 'number', default='–')} du {day} : {title} ;"
            )
        else:
            body = field(decision, "body_label", default="instance non renseignée")
            visas.append(f"Vu la décision du {body} du {day} : {title} ;")
        if first(decision, "legal_basis"):
            visas.append(f"Vu {field(decision, 'legal_basis')} ;")
    return visas


def _resolution(
    context: Context, assembly: _Assembly, territory: Territory, objectives: list[Any], decisions: list[Any]
) -> Section:
    name = assembly["name"]
    place = territory_phrase(territory)
    blocks: list[Block] = [paragraph(f"Le {name},")]
    blocks += [paragraph(visa) for visa in _visas(assembly, decisions, context)]
    blocks += [
        paragraph(
            f"Considérant que le droit des habitants à être informés des affaires de {place} et à être "
            "consultés sur les décisions qui les concernent est un principe essentiel de la démocratie "
            "locale ;"
        ),
        paragraph(
            "Considérant que l'état des lieux des forces vives et le diagnostic territorial ont mis en "
            "évidence "
            "les besoins, les atouts et les points critiques auxquels la démarche doit répondre ;"
        ),
    ]
    if objectives:
        blocks.append(
            paragraph(
                "Considérant que les objectifs de la démarche et leurs indicateurs ont été soumis à la "
                "validation des acteurs locaux ;"
            )
        )
    blocks.append(paragraph("Après en avoir délibéré, DÉCIDE :"))
    blocks += [
        paragraph(
            "Article 1 : d'approuver le lancement de la démarche de gouvernance partagée "
            f"« {field(mapping(context, 'engagement'), 'title', default='de gouvernance partagée')} »."
        ),
        paragraph(
            "Article 2 : d'adopter les objectifs suivants, dont l'atteinte sera mesurée par les "
            "indicateurs du "
            "référentiel annexé :"
            if objectives
            else "Article 2 : d'adopter les objectifs de la démarche ; aucun objectif n'étant encore "
            "inscrit au "
            "référentiel, cet article sera complété avant l'inscription à l'ordre du jour."
        ),
    ]
    if objectives:
        blocks.append(
            bullets([field(o, "title", "name", default="objectif sans intitulé") for o in objectives])
        )
    blocks += [
        paragraph(
            "Article 3 : de prendre acte qu'une charte de la participation citoyenne, élaborée avec les "
            "habitants et les partenaires, précisera les règles de la participation et sera soumise au "
            f"{name}."
        ),
        paragraph(
            f"Article 4 : d'autoriser {assembly['head']} à signer tout document nécessaire à la mise en "
            "œuvre "
            "de la présente délibération."
        ),
        paragraph(
            "Article 5 : la présente délibération peut faire l'objet d'un recours devant le tribunal "
            "administratif dans un délai de deux mois à compter de sa publication et de sa transmission au "
            "représentant de l'État."
        ),
    ]
    return Section(heading="Délibération", blocks=blocks)


def _votes(context: Context, decisions: list[Any]) -> Section:
    voted = next(
        (
            d
            for d in decisions
            if first(d, "step_key") == _vote_step(context) and first(d, "body") in _COUNCIL_BODIES
        ),
        None,
    )

    def count(key: str) -> str:
        value = first(voted, key) if voted is not None else None
        return format_number(value) if isinstance(value, int) else BLANK_VOTE

    blocks: list[Block] = [
        key_values(
            [
                ("Pour", count("votes_for")),
                ("Contre", count("votes_against")),
                ("Abstentions", count("abstentions")),
            ]
        )
    ]
    if voted is None:
        blocks.append(
            paragraph(
                "Aucun vote n'est encore enregistré au registre des décisions : les résultats sont à "
                "porter en "
                "séance.",
                note=True,
            )
        )
    else:
        blocks.append(
            paragraph(
                f"Délibération n° {field(voted, 'number', default='–')} du "
                f"{date_text(first(voted, 'date'), 'date non renseignée')}, inscrite au registre des "
                "décisions."
            )
        )
    return Section(heading="Résultat du vote", blocks=blocks)
