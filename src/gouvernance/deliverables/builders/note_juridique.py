"""Note de sécurisation juridique: the approach checked against the collectivité's competences, the rules on
public participation, data protection (RGPD) and public procurement, ending with opinions and reservations.

The legal framework paragraphs are fixed text (references to the CGCT, the RGPD, the code de la commande
publique); the analysis, the opinions and the reservations come from the context.
"""

from __future__ import annotations

from typing import Any, TypedDict

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
    money,
    paragraph,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Paragraph, Section, Territory

KIND = "note_securisation_juridique"


class CompetencesContext(TypedDict, total=False):
    exercees: list[str]
    transferees: list[dict[str, str]]  # {competence, beneficiaire}
    analyse: str


class ParticipationContext(TypedDict, total=False):
    dispositifs: list[str]  # e.g. "conseil citoyen", "budget participatif"
    analyse: str


class TraitementContext(TypedDict, total=False):
    finalite: str
    base_legale: str  # public_task | consent | legal_obligation | contract (French accepted)
    donnees: list[str] | str
    duree_conservation: str
    destinataires: str


class RgpdContext(TypedDict, total=False):
    traitements: list[TraitementContext]
    dpo: str
    aipd_requise: bool
    analyse: str


class AchatContext(TypedDict, total=False):
    objet: str
    montant: float | str  # estimated, excluding VAT
    procedure: str


class CommandePubliqueContext(TypedDict, total=False):
    achats: list[AchatContext]
    analyse: str


class AvisContext(TypedDict, total=False):
    domaine: str
    avis: str  # favorable | favorable_with_reservations | unfavorable | to_review (French accepted)
    reserves: list[str]


class NoteJuridiqueContext(CommonContext, total=False):
    """Context for ``note_securisation_juridique`` (all keys optional)."""

    objet: str
    competences: CompetencesContext
    participation_public: ParticipationContext
    rgpd: RgpdContext
    commande_publique: CommandePubliqueContext
    avis: list[AvisContext]
    avis_global: str
    conclusion: str
    reserves: list[str]


def build_note_juridique(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Note de sécurisation juridique de la démarche", clock=clock)
    territory: Territory = fields["territory"]
    sections = with_optional(
        [
            _purpose(context, territory),
            _competences(context, territory),
            _participation(context),
            _rgpd(context),
            _procurement(context),
            _opinions(context),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _purpose(context: Context, territory: Territory) -> Section:
    return Section(
        heading="Objet de la note",
        blocks=[
            paragraph(
                f"La présente note vérifie que la démarche de gouvernance partagée engagée par "
                f"{territory_phrase(territory)} respecte les obligations de la collectivité et en saisit les "
                "opportunités, au regard de ses compétences, des règles de participation du public, de la "
                "protection des données personnelles et de la commande publique."
            ),
            *([paragraph(context["objet"])] if first(context, "objet") else []),
            paragraph(
                "Elle est établie à partir des informations communiquées par la collectivité à la date de sa "
                "rédaction. Elle ne se substitue pas à l'analyse de ses services juridiques ni, le cas "
                "échéant, à celle d'un avocat.",
                note=True,
            ),
        ],
    )


_COMPETENCE_FRAMEWORK = {
    "commune": (
        "La commune dispose de la clause générale de compétence : le conseil municipal règle par ses "
        "délibérations les affaires de la commune (article L. 2121-29 du code général des collectivités "
        "territoriales, CGCT), sous réserve des compétences transférées à son intercommunalité."
    ),
    "epci": (
        "L'établissement public de coopération intercommunale est régi par les principes de spécialité et "
        "d'exclusivité : il n'intervient que dans les compétences que la loi ou ses statuts lui attribuent. "
        "La démarche doit se rattacher à l'une d'elles."
    ),
    "departement": (
        "Depuis la loi n° 2015-991 du 7 août 2015 portant nouvelle organisation territoriale de la "
        "République "
        "(NOTRe), le département ne dispose plus de la clause générale de compétence : la démarche doit se "
        "rattacher à une compétence que la loi lui attribue."
    ),
    "region": (
        "Depuis la loi n° 2015-991 du 7 août 2015 portant nouvelle organisation territoriale de la "
        "République "
        "(NOTRe), la région ne dispose plus de la clause générale de compétence : la démarche doit se "
        "rattacher à une compétence que la loi lui attribue."
    ),
}


def _competences(context: Context, territory: Territory) -> Section:
    competences = mapping(context, "competences")
    transferred = [
        [
            field(item, "competence", "name", default="compétence non précisée"),
            field(item, "beneficiaire", default="titulaire non précisé"),
        ]
        for item in items(competences.get("transferees"))
    ]
    framework = _COMPETENCE_FRAMEWORK.get(
        territory.kind,
        "La démarche doit se rattacher à une compétence de la collectivité, attribuée par la loi ou, pour "
        "un groupement, par ses statuts.",
    )
    return Section(
        heading="Compétences de la collectivité",
        blocks=[paragraph(framework)],
        subsections=[
            Section(
                heading="Compétences mobilisées",
                blocks=[
                    bullets(
                        items(competences.get("exercees")),
                        missing="aucune compétence mobilisée n'a été renseignée par la collectivité",
                    )
                ],
            ),
            Section(
                heading="Compétences transférées ou partagées",
                blocks=[
                    table(
                        ["Compétence", "Exercée par"],
                        transferred,
                        widths=[3, 2],
                        missing="Aucune compétence transférée ou partagée n'a été renseignée",
                    )
                ],
            ),
            Section(
                heading="Analyse",
                blocks=[_analysis(competences, "Analyse des compétences de la collectivité", context)],
            ),
        ],
    )


def _participation(context: Context) -> Section:
    participation = mapping(context, "participation_public")
    framework = [
        "Droit des habitants à être informés des affaires de la commune et consultés sur les décisions qui "
        "les concernent (article L. 2141-1 du CGCT).",
        "Consultation des électeurs sur les affaires relevant de la compétence de la collectivité, à titre "
        "consultatif (articles L. 1112-15 et suivants du CGCT), et référendum local décisionnel (articles "
        "LO 1112-1 et suivants).",
        "Conseils de quartier obligatoires dans les communes de 80 000 habitants et plus (article L. 2143-1 "
        "du CGCT) ; conseil de développement dans les EPCI à fiscalité propre de plus de 50 000 habitants "
        "(article L. 5211-10-1).",
        "Participation du public aux décisions ayant une incidence sur l'environnement (article L. 120-1 du "
        "code de l'environnement).",
    ]
    return Section(
        heading="Participation du public",
        blocks=[
            paragraph(
                "Tout citoyen et tout usager est légitime à émettre un avis, à être consulté, voire "
                "à participer "
                "à la décision collective. Le droit encadre ces modalités :"
            ),
            bullets(framework),
            paragraph(
                "Hors référendum local, les avis recueillis éclairent la décision sans la lier : celle-ci "
                "reste de la compétence de l'assemblée délibérante ou de l'exécutif.",
                note=True,
            ),
        ],
        subsections=[
            Section(
                heading="Dispositifs envisagés",
                blocks=[
                    bullets(
                        items(participation.get("dispositifs")),
                        missing="aucun dispositif de participation n'est encore arrêté",
                    )
                ],
            ),
            Section(
                heading="Analyse",
                blocks=[_analysis(participation, "Cadre légal de la participation du public", context)],
            ),
        ],
    )


def _rgpd(context: Context) -> Section:
    rgpd = mapping(context, "rgpd")
    processings = [
        [
            field(item, "finalite", default="finalité non précisée"),
            labelled(labels.LEGAL_BASES, first(item, "base_legale"), "base légale non précisée"),
            field(item, "donnees", default="données non précisées"),
            field(item, "duree_conservation", default="durée non fixée"),
            field(item, "destinataires", default="destinataires non précisés"),
        ]
        for item in items(rgpd.get("traitements"))
    ]
    framework = [
        "Règlement (UE) 2016/679 du 27 avril 2016 (RGPD) et loi n° 78-17 du 6 janvier 1978 relative à "
        "l'informatique, aux fichiers et aux libertés.",
        "Désignation d'un délégué à la protection des données, obligatoire pour les autorités publiques "
        "(article 37 du RGPD).",
        "Inscription de chaque traitement au registre des activités de traitement (article 30).",
        "Minimisation : seules les données nécessaires à la finalité sont collectées (article 5) ; les "
        "exports publics n'en contiennent aucune.",
        "Information des personnes (articles 13 et 14) et exercice de leurs droits d'accès, de "
        "rectification, d'effacement et d'opposition.",
        "Analyse d'impact lorsque le traitement est susceptible d'engendrer un risque élevé (article 35).",
    ]
    return Section(
        heading="Protection des données personnelles (RGPD)",
        blocks=[
            paragraph(
                "La démarche recueille des données personnelles d'habitants, d'usagers et de partenaires "
                "(inscriptions, contributions, feuilles d'émargement). Elle doit respecter :"
            ),
            bullets(framework),
            key_values(
                [
                    (
                        "Délégué à la protection des données",
                        field(rgpd, "dpo", default="non désigné dans l'application"),
                    ),
                    (
                        "Analyse d'impact (AIPD) requise",
                        text(rgpd.get("aipd_requise"), "non encore déterminé avec le DPO"),
                    ),
                ]
            ),
            table(
                ["Finalité", "Base légale", "Données", "Conservation", "Destinataires"],
                processings,
                caption="Traitements de données prévus",
                widths=[3, 3, 3, 2, 2],
                missing="Aucun traitement de données n'est encore décrit",
            ),
            _analysis(rgpd, "Conformité RGPD des dispositifs participatifs", context),
        ],
    )


def _procurement(context: Context) -> Section:
    procurement = mapping(context, "commande_publique")
    purchases = [
        [
            field(item, "objet", default="objet non précisé"),
            money(first(item, "montant"), "montant non estimé"),
            field(item, "procedure", default="procédure non arrêtée"),
        ]
        for item in items(procurement.get("achats"))
    ]
    framework = [
        "Une subvention finance une initiative du partenaire (article 9-1 de la loi n° 2000-321 du 12 avril "
        "2000) ; une prestation répondant à un besoin défini par la collectivité, contre un prix, relève du "
        "code de la commande publique.",
        "Une convention d'objectifs est obligatoire au-delà de 23 000 € de subvention annuelle (article 10 "
        "de la même loi et décret n° 2001-495 du 6 juin 2001).",
        "Le recours à un prestataire (plateforme de participation, animation, évaluation) suit la procédure "
        "déterminée par la valeur estimée du besoin (articles R. 2121-1 et suivants du code de la commande "
        "publique).",
    ]
    return Section(
        heading="Commande publique",
        blocks=[
            paragraph(
                "Associations et entreprises peuvent être partenaires de la démarche ou prestataires de la "
                "collectivité ; la qualification de la relation détermine le régime applicable :"
            ),
            bullets(framework),
            table(
                ["Objet", "Montant estimé (HT)", "Procédure envisagée"],
                purchases,
                caption="Achats et partenariats prévus",
                widths=[4, 2, 3],
                missing="Aucun achat ni partenariat n'est encore chiffré",
            ),
            _analysis(procurement, "Analyse au regard de la commande publique", context),
        ],
    )


def _opinion_row(item: Any) -> list[str]:
    reserves = items(first(item, "reserves"))
    return [
        field(item, "domaine", default="domaine non précisé"),
        labelled(labels.LEGAL_OPINIONS, first(item, "avis"), "avis non rendu"),
        "\n".join(f"– {text(reserve)}" for reserve in reserves) if reserves else "Aucune",
    ]


def _opinions(context: Context) -> Section:
    rows = [_opinion_row(item) for item in items(context.get("avis"))]
    blocks: list[Block] = [
        table(
            ["Domaine", "Avis", "Réserves"],
            rows,
            widths=[3, 2, 5],
            caption="Avis par domaine",
            missing="Aucun avis par domaine n'est encore rendu",
        ),
        key_values(
            [("Avis global", labelled(labels.LEGAL_OPINIONS, context.get("avis_global"), "non encore rendu"))]
        ),
        paragraph(
            context.get("conclusion"),
            _where_written(context, "Note de sécurisation juridique de la démarche", "La conclusion"),
        ),
    ]
    reserves = items(context.get("reserves"))
    if reserves:
        blocks.append(paragraph("La démarche peut se poursuivre sous les réserves suivantes :"))
        blocks.append(bullets(reserves, ordered=True))
    return Section(heading="Avis et réserves", blocks=blocks)


def _analysis(part: Any, step: str, context: Context) -> Paragraph:
    """The analysis written for one part of the note; else the evidence that holds it, or the step of the
    journey it is expected from."""
    return paragraph(first(part, "analyse"), _where_written(context, step, "L'analyse"))


def _where_written(context: Context, step: str, what: str) -> str:
    attached = [item for item in items(context.get("evidence")) if first(item, "step") == step]
    if not attached:
        return f"{what} n'est pas encore rédigée : elle est attendue à l'étape « {step} »."
    pieces = ", ".join(
        f"« {field(item, 'title', default='pièce sans intitulé')} » du {date_text(first(item, 'date'), '–')}"
        for item in attached
    )
    return (
        f"{what} n'est pas reprise dans la présente note : elle figure dans les pièces jointes à l'étape "
        f"« {step} » ({pieces}), listées en annexe."
    )
