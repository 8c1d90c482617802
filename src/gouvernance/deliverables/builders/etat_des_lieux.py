"""Rapport d'état des lieux: the territory's active forces, its development projects, the territorial
diagnostic (needs, assets, critical points) and the stakeholder map."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, TypedDict

from pydantic import ValidationError

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
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
    labelled,
    mapping,
    paragraph,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Figure, Paragraph, Section

KIND = "rapport_etat_des_lieux"


class ForceViveContext(TypedDict, total=False):
    name: str
    category: str  # stakeholder category: association, entreprise, habitant_usager…
    role: str  # what it brings to the territory


class ProjetContext(TypedDict, total=False):
    title: str
    porteur: str
    status: str
    echeance: date | str
    description: str


class DiagnosticContext(TypedDict, total=False):
    besoins: list[str]
    atouts: list[str]
    points_critiques: list[str]
    synthese: str


class StakeholderSummary(TypedDict, total=False):
    name: str
    category: str
    power: str  # "high" | "low" (or "élevé" | "faible")
    interest: str
    quadrant: str  # manage_closely | keep_satisfied | keep_informed | monitor; computed if absent
    participation_level: str  # IAP2: inform | consult | involve | collaborate | empower
    salience: str  # latent | expectant | definitive


class ConsultationContext(TypedDict, total=False):
    date: date | str
    method: str  # public_meeting | workshop | questionnaire | interview | online_platform
    public: str
    participants: int
    step: str
    outcome: str


class EtatDesLieuxContext(CommonContext, total=False):
    """Context for ``rapport_etat_des_lieux`` (all keys optional)."""

    contexte: str
    forces_vives: list[ForceViveContext]
    projets_developpement: list[ProjetContext]
    diagnostic: DiagnosticContext
    stakeholders: list[StakeholderSummary]
    power_interest_svg: str  # Mendelow grid picture
    stakeholder_map_svg: str  # relations picture
    consultations: list[ConsultationContext]
    synthese: str
    perspectives: list[str]


def build_etat_des_lieux(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="État des lieux du territoire", clock=clock)
    place = territory_phrase(fields["territory"])
    sections = with_optional(
        [
            _purpose(context, place),
            _forces_vives(context),
            _projects(context),
            _diagnostic(context),
            _stakeholders(context),
            _consultations(context),
            _conclusion(context),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _purpose(context: Context, place: str) -> Section:
    consultations = len(items(context.get("consultations")))
    evidence = len(items(context.get("evidence")))
    sources = [
        f"{consultations} temps de concertation" if consultations else "",
        f"{evidence} pièce{'s' if evidence > 1 else ''} justificative{'s' if evidence > 1 else ''} "
        "(liste en annexe)"
        if evidence
        else "",
    ]
    sources_text = " et ".join(source for source in sources if source)
    return Section(
        heading="Objet et méthode",
        blocks=[
            paragraph(
                f"Le présent rapport dresse l'état des lieux des forces vives de {place} et de ses "
                "projets de "
                "développement. Première étape de la démarche de gouvernance partagée, il pose le diagnostic "
                "territorial (besoins, atouts, points critiques) et la cartographie des parties "
                "prenantes sur "
                "lesquels s'appuieront la sécurisation juridique puis la formalisation du plan d'action."
            ),
            *([paragraph(context["contexte"])] if first(context, "contexte") else []),
            paragraph(
                f"Il s'appuie sur {sources_text}."
                if sources_text
                else "Aucun temps de concertation ni aucune pièce justificative n'est encore enregistré."
            ),
        ],
    )


def _forces_vives(context: Context) -> Section:
    actors = items(context.get("forces_vives"))
    rows = [
        [
            field(actor, "name", default="nom non renseigné"),
            labelled(labels.STAKEHOLDER_CATEGORIES, first(actor, "category"), "catégorie non renseignée"),
            field(actor, "role", default="–"),
        ]
        for actor in actors
    ]
    blocks: list[Block] = [
        paragraph(
            "Les forces vives rassemblent les acteurs qui font vivre le territoire : habitants et usagers, "
            "associations, entreprises, agents et élus, partenaires institutionnels. Chacun est un "
            "contributeur potentiel à des projets d'intérêt général."
        ),
        table(
            ["Acteur", "Catégorie", "Rôle et ressources"],
            rows,
            widths=[3, 2, 5],
            caption="Forces vives",
            missing="Aucune organisation n'est inscrite au registre des parties prenantes",
        ),
    ]
    categories = Counter(row[1] for row in rows)
    if categories:
        summary = ", ".join(f"{label.lower()} ({number})" for label, number in sorted(categories.items()))
        blocks.append(paragraph(f"Répartition par catégorie : {summary}."))
    return Section(heading="Les forces vives du territoire", blocks=blocks)


def _projects(context: Context) -> Section:
    rows = [
        [
            _project_title(project),
            field(project, "porteur", default="porteur non renseigné"),
            field(project, "status", default="état non renseigné"),
            date_text(first(project, "echeance"), "échéance non fixée"),
        ]
        for project in items(context.get("projets_developpement"))
    ]
    return Section(
        heading="Les projets de développement",
        blocks=[
            paragraph(
                "Les projets en cours ou envisagés, portés par la collectivité ou par des acteurs privés, "
                "orientent la démarche : elle doit s'articuler avec eux plutôt que s'y superposer."
            ),
            table(
                ["Projet", "Porteur", "État d'avancement", "Échéance"],
                rows,
                widths=[4, 3, 2, 2],
                missing="Aucun projet de développement n'est inscrit au diagnostic",
            ),
        ],
    )


def _project_title(project: Any) -> str:
    title = field(project, "title", "name", default="projet sans intitulé")
    description = text(first(project, "description"), "")
    return f"{title} : {description}" if description else title


def _diagnostic(context: Context) -> Section:
    diagnostic = mapping(context, "diagnostic")
    parts = [
        ("Besoins", "besoins", "aucun besoin n'est inscrit au diagnostic"),
        ("Atouts", "atouts", "aucun atout n'est inscrit au diagnostic"),
        ("Points critiques", "points_critiques", "aucun point critique n'est inscrit au diagnostic"),
    ]
    blocks: list[Block] = [
        paragraph(
            "Le diagnostic territorial croise les constats des acteurs rencontrés et les données "
            "disponibles. "
            "Il distingue les besoins exprimés, les atouts sur lesquels la démarche peut s'appuyer et les "
            "points critiques à traiter."
        )
    ]
    if first(diagnostic, "synthese"):
        blocks.append(paragraph(diagnostic["synthese"]))
    return Section(
        heading="Diagnostic territorial",
        blocks=blocks,
        subsections=[
            Section(heading=heading, blocks=[bullets(items(diagnostic.get(key)), missing=missing)])
            for heading, key, missing in parts
        ],
    )


def _stakeholder_row(stakeholder: Any) -> list[str]:
    power, interest = labels.level(first(stakeholder, "power")), labels.level(first(stakeholder, "interest"))
    quadrant = labels.mendelow_quadrant(first(stakeholder, "quadrant"), power, interest)
    if quadrant is not None:
        power, interest = (
            power or labels.QUADRANT_LEVELS[quadrant][0],
            interest or labels.QUADRANT_LEVELS[quadrant][1],
        )
    return [
        field(stakeholder, "name", default="nom non renseigné"),
        labelled(labels.STAKEHOLDER_CATEGORIES, first(stakeholder, "category"), "catégorie non renseignée"),
        text(labels.LEVEL_LABELS.get(power or ""), "non évalué"),
        text(labels.LEVEL_LABELS.get(interest or ""), "non évalué"),
        text(labels.MENDELOW_QUADRANTS.get(quadrant or ""), "non déterminée"),
        labelled(labels.IAP2_LEVELS, first(stakeholder, "participation_level"), "non fixée"),
    ]


def _stakeholders(context: Context) -> Section:
    rows = [_stakeholder_row(stakeholder) for stakeholder in items(context.get("stakeholders"))]
    blocks: list[Block] = [
        paragraph(
            "Chaque partie prenante est située sur la grille pouvoir / intérêt (Mendelow), qui indique la "
            "stratégie de relation à adopter : gérer étroitement (pouvoir et intérêt élevés), satisfaire "
            "(pouvoir élevé, intérêt faible), informer (pouvoir faible, intérêt élevé) ou surveiller. Le "
            "niveau de participation visé suit l'échelle de l'IAP2 : informer, consulter, impliquer, "
            "collaborer, habiliter."
        ),
        table(
            ["Partie prenante", "Catégorie", "Pouvoir", "Intérêt", "Stratégie", "Participation visée"],
            rows,
            widths=[4, 3, 2, 2, 3, 3],
            caption="Parties prenantes",
            missing="Aucune partie prenante n'est inscrite au registre",
        ),
    ]
    strategies = Counter(row[4] for row in rows if row[4] in labels.MENDELOW_QUADRANTS.values())
    if strategies:
        order = ["Gérer étroitement", "Satisfaire", "Informer", "Surveiller"]
        blocks.append(key_values((label, str(strategies.get(label, 0))) for label in order))
    blocks.extend(_figures(context))
    return Section(heading="Cartographie des parties prenantes", blocks=blocks)


def _figures(context: Context) -> list[Block]:
    pictures = [
        (
            "power_interest_svg",
            "Grille pouvoir / intérêt des parties prenantes (Mendelow)",
            "Grille à quatre quadrants plaçant chaque partie prenante selon son pouvoir et son intérêt ; "
            "le tableau ci-dessus en donne le détail.",
        ),
        (
            "stakeholder_map_svg",
            "Carte des relations entre parties prenantes",
            "Réseau des parties prenantes et de leurs relations (membre de, partenaire de, finance, "
            "représente, influence, en conflit avec).",
        ),
    ]
    figures: list[Block] = []
    for key, caption, alt in pictures:
        svg = context.get(key)
        if not isinstance(svg, str) or not svg.strip():
            continue
        try:
            figures.append(Figure(svg=svg, caption=caption, alt=alt))
        except ValidationError:
            figures.append(Paragraph(text=f"{caption} : figure illisible, à régénérer.", style="note"))
    return figures


def _consultations(context: Context) -> Section:
    rows = [
        [
            date_text(first(consultation, "date"), "date non renseignée"),
            labelled(labels.CONSULTATION_METHODS, first(consultation, "method"), "modalité non renseignée"),
            _public(consultation),
            field(consultation, "step", default="–"),
            field(consultation, "outcome", default="aucun enseignement consigné"),
        ]
        for consultation in items(context.get("consultations"))
    ]
    return Section(
        heading="Concertations menées",
        blocks=[
            table(
                ["Date", "Modalité", "Public", "Étape", "Principaux enseignements"],
                rows,
                widths=[2, 2, 3, 2, 5],
                missing="Aucune consultation n'est inscrite au journal",
            )
        ],
    )


def _public(consultation: Any) -> str:
    public = field(consultation, "public", default="public non renseigné")
    count = first(consultation, "participants")
    return f"{public} ({text(count)} participants)" if isinstance(count, int) else public


_NEXT_STEPS = (
    "restitution de l'état des lieux aux élus et validation par l'élu·e référent·e ;",
    "sécurisation juridique de la démarche : compétences, participation du public, RGPD, commande publique ;",
    "formalisation des besoins, des objectifs assortis d'indicateurs, des moyens et du plan d'action.",
)


def _conclusion(context: Context) -> Section:
    perspectives = items(context.get("perspectives")) or list(_NEXT_STEPS)
    return Section(
        heading="Synthèse et suites de la démarche",
        blocks=[
            paragraph(context.get("synthese"), _summary(context)),
            paragraph("Les prochaines étapes proposées sont les suivantes :"),
            bullets(perspectives),
        ],
    )


def _summary(context: Context) -> str:
    """What the diagnostic counts, when no written synthesis is given."""
    diagnostic = mapping(context, "diagnostic")
    counts = [
        (len(items(diagnostic.get(key))), one, many)
        for key, one, many in (
            ("besoins", "besoin", "besoins"),
            ("atouts", "atout", "atouts"),
            ("points_critiques", "point critique", "points critiques"),
        )
    ]
    if not any(count for count, _, _ in counts):
        return "Aucun constat n'est encore inscrit au diagnostic : la synthèse sera rédigée avec lui."
    listed = ", ".join(f"{count} {one if count <= 1 else many}" for count, one, many in counts)
    stakeholders = len(items(context.get("stakeholders")))
    heard = f", à partir d'un registre de {stakeholders} parties prenantes" if stakeholders else ""
    return f"Le diagnostic retient {listed}{heard}."
