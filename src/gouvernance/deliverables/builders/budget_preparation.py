"""The participatory budget before the vote: its rules (``reglement_budget_participatif``), the catalogue of
ideas deposited (``catalogue_idees``), the admissibility and feasibility report (``rapport_analyse``) and the
list of projects put to the vote (``liste_projets_vote``). The context is described in ``budget_common``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.budget_common import (
    IRRECEVABLE,
    NON_FAISABLE,
    PAST_FAISABILITE,
    PAST_RECEVABILITE,
    PUT_TO_VOTE,
    STATUS_LABELS,
    as_of,
    budget_evidence,
    budget_header,
    budget_of,
    budget_table,
    ceiling_of,
    cost_of,
    cost_text,
    district_of,
    envelope_of,
    euros_or,
    number_of,
    parameters_of,
    plural,
    proposals_of,
    status_counts,
    status_label,
    status_of,
    title_of,
)
from gouvernance.deliverables.builders.common import (
    Context,
    bullets,
    date_text,
    field,
    items,
    key_values,
    paragraph,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.french import format_euros
from gouvernance.deliverables.model import Block, DeliverableDocument, Section

ELIGIBILITY = (
    "relever de l'intérêt général et bénéficier au plus grand nombre",
    "être une dépense d'investissement (aménagement, équipement, travaux), et non de fonctionnement",
    "relever des compétences de la collectivité et se situer sur son territoire ou sur un bien qu'elle gère",
    "ne pas être déjà programmé ni en cours d'étude par la collectivité",
    "ne pas comporter d'élément discriminatoire, diffamatoire ou de nature commerciale",
)
COUNTING_RULE = (
    "Les voix exprimées en ligne et dans les urnes sont additionnées. Les projets sont classés par nombre "
    "de voix et retenus dans cet ordre tant que leur coût tient dans ce qui reste de l'enveloppe : un projet "
    "moins coûteux, plus bas dans le classement, peut ainsi compléter la liste. En cas d'égalité, le projet "
    "le moins coûteux passe en premier, puis le premier déposé."
)


def build_reglement(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(context, default_title="Règlement du budget participatif", clock=clock)
    parameters = parameters_of(context)
    territory = territory_phrase(fields["territory"])
    envelope, ceiling = envelope_of(context), ceiling_of(context)
    online = parameters.get("avec_plateforme_numerique")
    perimeter = "intercommunal" if parameters.get("perimetre") == "epci" else "communal"
    sections = [
        Section(
            heading="Article 1 – Objet et enveloppe",
            blocks=[
                paragraph(
                    f"{territory[0].upper()}{territory[1:]} consacre une part de son budget d'investissement "
                    "à des projets proposés puis choisis par les habitants. Le présent règlement fixe les "
                    "conditions de dépôt, d'analyse, de vote et de réalisation de ces projets."
                ),
                key_values(
                    [
                        ("Édition", _edition(parameters.get("numero_edition"))),
                        ("Enveloppe d'investissement", euros_or(envelope, "enveloppe non fixée")),
                        ("Plafond par projet", euros_or(ceiling, "aucun plafond fixé")),
                        ("Périmètre", f"territoire {perimeter}"),
                        ("Population", _population(parameters.get("population"))),
                    ]
                ),
            ],
        ),
        Section(
            heading="Article 2 – Qui peut déposer et voter",
            blocks=[
                paragraph(
                    f"Toute personne résidant sur le territoire {perimeter}, sans condition d'âge ni de "
                    "nationalité, peut déposer une ou plusieurs idées, seule ou en collectif "
                    "(association, conseil de quartier, école…). Les élus et les agents chargés de "
                    "l'analyse ne peuvent pas porter de projet."
                ),
                paragraph(
                    f"Toute personne résidant sur le territoire {perimeter} peut voter une seule fois, "
                    "pour un ou plusieurs projets soumis au vote."
                ),
            ],
        ),
        Section(
            heading="Article 3 – Critères de recevabilité",
            blocks=[
                paragraph("Pour être recevable, une idée doit :"),
                bullets(
                    [
                        *ELIGIBILITY,
                        "avoir un coût estimé au plus égal au plafond par projet de "
                        + euros_or(ceiling, "l'édition (plafond non fixé)"),
                    ]
                ),
                paragraph(
                    "Les services vérifient la recevabilité puis étudient la faisabilité technique et "
                    "juridique et chiffrent chaque projet. Tout refus est motivé, et le motif est publié."
                ),
            ],
        ),
        Section(
            heading="Article 4 – Calendrier",
            blocks=_calendar(context, as_of(context, fields["generated_at"])),
        ),
        Section(
            heading="Article 5 – Modalités de dépôt et de vote",
            blocks=[
                paragraph(_channels(online)),
                paragraph(COUNTING_RULE),
            ],
        ),
        Section(
            heading="Article 6 – Réalisation et suivi",
            blocks=[
                paragraph(
                    "Les projets lauréats sont inscrits au budget de la collectivité puis réalisés par ses "
                    "services en associant leurs porteurs. Un tableau de suivi public rend compte de leur "
                    "avancement jusqu'à leur réception."
                )
            ],
        ),
        Section(
            heading="Article 7 – Données personnelles",
            blocks=[
                paragraph(
                    "Les données recueillies lors du dépôt et du vote servent uniquement à l'organisation "
                    "du budget participatif ; elles ne sont ni publiées ni cédées et sont supprimées à la "
                    "fin de l'édition. Chacun dispose d'un droit d'accès, de rectification et "
                    "d'effacement (RGPD)."
                )
            ],
        ),
    ]
    return DeliverableDocument(
        kind="reglement_budget_participatif",
        sections=with_optional([*sections, budget_evidence(context)]),
        numbered_headings=False,
        **fields,
    )


def build_catalogue(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(context, default_title="Catalogue des idées déposées", clock=clock)
    proposals = proposals_of(context)
    day = as_of(context, fields["generated_at"])
    if not proposals:
        sections = [Section(heading="Idées déposées", blocks=[paragraph(f"Aucune idée déposée au {day}.")])]
    else:
        by_district: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for proposal in proposals:
            by_district[district_of(proposal)].append(proposal)
        summary = Section(
            heading="Synthèse",
            blocks=[
                paragraph(
                    f"{plural(len(proposals), 'idée déposée', 'idées déposées')} au {day}, "
                    f"dans {plural(len(by_district), 'quartier')}."
                ),
                budget_table(
                    ["Quartier", "Idées"],
                    [[district, str(len(rows))] for district, rows in sorted(by_district.items())],
                    widths=[3, 1],
                ),
            ],
        )
        sections = [
            summary,
            Section(
                heading="Idées par quartier",
                subsections=[
                    Section(
                        heading=district,
                        blocks=[
                            budget_table(
                                ["N°", "Idée", "Description", "Statut"],
                                [
                                    [
                                        number_of(p),
                                        title_of(p),
                                        field(p, "description", default="sans description"),
                                        status_label(p),
                                    ]
                                    for p in rows
                                ],
                                widths=[1, 3, 5, 2],
                            )
                        ],
                    )
                    for district, rows in sorted(by_district.items())
                ],
            ),
        ]
    return DeliverableDocument(
        kind="catalogue_idees",
        sections=with_optional([*sections, budget_evidence(context)]),
        **fields,
    )


def build_rapport_analyse(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(
        context, default_title="Rapport d'analyse de recevabilité et de faisabilité", clock=clock
    )
    proposals = proposals_of(context)
    day = as_of(context, fields["generated_at"])
    ceiling = ceiling_of(context)
    method = Section(
        heading="Méthode",
        blocks=[
            paragraph(
                "Chaque idée déposée est d'abord examinée au regard des critères de recevabilité du "
                "règlement, puis les idées recevables font l'objet d'une étude de faisabilité technique et "
                "juridique et d'un chiffrage par les services."
            ),
            paragraph(f"Plafond par projet : {euros_or(ceiling, 'aucun plafond fixé')}."),
        ],
    )
    if not proposals:
        return DeliverableDocument(
            kind="rapport_analyse",
            sections=with_optional(
                [
                    method,
                    Section(heading="Analyse", blocks=[paragraph(f"Aucune idée déposée au {day}.")]),
                    budget_evidence(context),
                ]
            ),
            **fields,
        )
    counts = status_counts(proposals)
    received = [p for p in proposals if status_of(p) in PAST_RECEVABILITE]
    waiting = len(proposals) - len(received) - counts[IRRECEVABLE]
    feasible = sum(1 for p in received if status_of(p) in PAST_FAISABILITE)
    summary = Section(
        heading="Synthèse",
        blocks=[
            paragraph(f"Situation au {day}."),
            key_values(
                [
                    ("Idées déposées", str(len(proposals))),
                    ("Recevables", str(len(received))),
                    ("Irrecevables", str(counts[IRRECEVABLE])),
                    ("En attente de l'analyse de recevabilité", str(waiting)),
                    ("Faisables", str(feasible)),
                    ("Non faisables", str(counts[NON_FAISABLE])),
                    (
                        "En attente de l'étude de faisabilité",
                        str(len(received) - feasible - counts[NON_FAISABLE]),
                    ),
                ]
            ),
        ],
    )
    recevabilite = Section(
        heading="Recevabilité",
        blocks=[
            budget_table(
                ["N°", "Idée", "Décision", "Motif"],
                [[number_of(p), title_of(p), *_recevabilite(p)] for p in proposals],
                widths=[1, 4, 2, 5],
            )
        ],
    )
    faisabilite_blocks: list[Block] = (
        [
            budget_table(
                ["N°", "Projet", "Coût estimé", "Au regard du plafond", "Décision", "Motif"],
                [
                    [
                        number_of(p),
                        title_of(p),
                        cost_text(p),
                        _against_ceiling(cost_of(p), ceiling),
                        *_faisabilite(p),
                    ]
                    for p in received
                ],
                widths=[1, 4, 2, 2, 2, 4],
            )
        ]
        if received
        else [paragraph(f"Aucune idée recevable au {day} : l'étude de faisabilité n'a pas commencé.")]
    )
    sections = [
        method,
        summary,
        recevabilite,
        Section(heading="Faisabilité et chiffrage", blocks=faisabilite_blocks),
    ]
    return DeliverableDocument(
        kind="rapport_analyse",
        sections=with_optional([*sections, budget_evidence(context)]),
        orientation="landscape",
        **fields,
    )


def build_liste_projets_vote(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = budget_header(context, default_title="Liste des projets soumis au vote", clock=clock)
    in_vote = [p for p in proposals_of(context) if status_of(p) in PUT_TO_VOTE]
    day = as_of(context, fields["generated_at"])
    envelope = envelope_of(context)
    if not in_vote:
        blocks: list[Block] = [paragraph(f"Aucun projet soumis au vote au {day}.")]
    else:
        total = sum((cost_of(p) or Decimal(0) for p in in_vote), Decimal(0))
        blocks = [
            paragraph(
                f"{plural(len(in_vote), 'projet soumis', 'projets soumis')} au vote des habitants "
                f"(situation au {day}), pour un coût estimé total de {format_euros(total)} et une enveloppe "
                f"de {euros_or(envelope, 'montant non fixé')}."
            ),
            budget_table(
                ["N°", "Projet", "Quartier", "Description", "Coût estimé"],
                [
                    [
                        number_of(p),
                        title_of(p),
                        district_of(p),
                        field(p, "description", default="–"),
                        cost_text(p),
                    ]
                    for p in in_vote
                ],
                widths=[1, 3, 2, 5, 2],
            ),
        ]
        if envelope is not None and total > envelope:
            blocks.append(
                paragraph(
                    f"Le coût total des projets dépasse l'enveloppe de {format_euros(total - envelope)} : "
                    "le vote départage les projets, retenus dans l'ordre des voix tant que l'enveloppe le "
                    "permet.",
                    note=True,
                )
            )
    sections = [
        Section(heading="Projets soumis au vote", blocks=blocks),
        Section(
            heading="Modalités du vote",
            blocks=[
                paragraph(_channels(parameters_of(context).get("avec_plateforme_numerique"))),
                paragraph(COUNTING_RULE),
            ],
        ),
    ]
    return DeliverableDocument(
        kind="liste_projets_vote",
        sections=with_optional([*sections, budget_evidence(context)]),
        **fields,
    )


# --- helpers ----------------------------------------------------------------------------------------------


def _edition(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return "1re édition" if value == 1 else f"{value}e édition"
    return "numéro d'édition non renseigné"


def _population(value: object) -> str:
    return (
        f"{text(value)} habitants"
        if isinstance(value, int) and not isinstance(value, bool)
        else ("population non renseignée")
    )


def _channels(online: object) -> str:
    if online is False:
        return (
            "Le dépôt des idées et le vote se font sur papier uniquement : formulaires et urnes en mairie, "
            "dans les maisons de quartier et lors des permanences."
        )
    return (
        "Le dépôt des idées et le vote se font en ligne, sur la plateforme participative de la collectivité, "
        "et sur papier : formulaires et urnes en mairie, dans les maisons de quartier et lors des "
        "permanences. Les associations relais aident les personnes éloignées du numérique."
    )


def _calendar(context: Context, day: str) -> list[Block]:
    calendar = [item for item in items(budget_of(context).get("calendar")) if isinstance(item, Mapping)]
    dated = [item for item in calendar if item.get("due")]
    if not dated:
        return [paragraph(f"Aucune échéance n'est fixée au {day} : le calendrier reste à arrêter.")]
    forecast = any(item.get("forecast") for item in dated)
    return [
        paragraph(
            "Échéances de chaque étape de l'édition"
            + (
                " ; celles des étapes qui ne sont pas encore ouvertes sont prévisionnelles, "
                "calculées à partir des durées prévues :"
                if forecast
                else " :"
            )
        ),
        budget_table(
            ["Phase", "Étape", "Échéance"],
            [
                [
                    field(item, "stage", default="–"),
                    field(item, "step", default="–"),
                    "sans objet (étape écartée)"
                    if item.get("skipped")
                    else date_text(item["due"], "–") + (" (prévision)" if item.get("forecast") else ""),
                ]
                for item in dated
            ],
            widths=[3, 4, 2],
        ),
    ]


def _recevabilite(proposal: Mapping[str, Any]) -> list[str]:
    status = status_of(proposal)
    if status == IRRECEVABLE:
        return ["irrecevable", field(proposal, "reason", default="motif non renseigné")]
    if status in PAST_RECEVABILITE:
        return ["recevable", "conforme aux critères du règlement"]
    return ["en attente", f"idée {STATUS_LABELS.get(status, status)}, pas encore analysée"]


def _faisabilite(proposal: Mapping[str, Any]) -> list[str]:
    status = status_of(proposal)
    if status == NON_FAISABLE:
        return ["non faisable", field(proposal, "reason", default="motif non renseigné")]
    if status in PAST_FAISABILITE:
        return ["faisable", f"étude favorable ; proposition aujourd'hui {status_label(proposal)}"]
    return ["en cours d'étude", "étude de faisabilité non conclue"]


def _against_ceiling(cost: Decimal | None, ceiling: Decimal | None) -> str:
    if cost is None:
        return "non chiffré"
    if ceiling is None:
        return "aucun plafond fixé"
    if cost <= ceiling:
        return f"dans le plafond ({format_euros(ceiling - cost)} de marge)"
    return f"au-delà du plafond de {format_euros(cost - ceiling)}"
