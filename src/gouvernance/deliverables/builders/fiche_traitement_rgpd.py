"""Fiche de registre des traitements (RGPD, article 30): the processing of personal data that the stakeholder
register and the consultation log make — purpose, legal basis, persons and data concerned, recipients,
retention, security — with the volumes the instance actually holds (counts only, never a name)."""

from __future__ import annotations

from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    evidence_section,
    field,
    first,
    header,
    key_values,
    mapping,
    paragraph,
    text,
    with_optional,
)
from gouvernance.deliverables.french import format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, Territory

KIND = "fiche_traitement_rgpd"


class DonneesRegistreContext(TypedDict, total=False):
    parties_prenantes: int
    organisations: int
    personnes: int  # stakeholders registered as natural persons
    habitants: int  # of whom residents and service users
    categories_personnes: list[str]
    courriels: int
    telephones: int
    consultations: int
    participations: int


class FicheTraitementContext(CommonContext, total=False):
    """Context for ``fiche_traitement_rgpd`` (all keys optional)."""

    donnees_registre: DonneesRegistreContext
    dpo: str  # the data protection officer, as the collectivité names them
    duree_conservation: str  # as decided with the DPO
    hebergement: str  # where the instance is hosted


def build_fiche_traitement_rgpd(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Fiche de registre des traitements (RGPD)", clock=clock)
    held = mapping(context, "donnees_registre")
    sections = with_optional(
        [
            _identity(context, fields["territory"]),
            _purposes(),
            _persons_and_data(held),
            _recipients(context),
            _retention(context),
            _security(),
            _rights(),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, **fields)


def _controller(territory: Territory) -> str:
    if territory.kind == "commune":
        return f"Commune de {territory.name}, représentée par son maire"
    if territory.kind == "epci":
        return (
            f"{territory.name} (établissement public de coopération intercommunale), "
            "représenté par son président"
        )
    if territory.kind in ("departement", "region"):
        return f"{territory.kind_label} {territory.name}, représenté par son président"
    return territory.name


def _identity(context: Context, territory: Territory) -> Section:
    engagement = mapping(context, "engagement")
    return Section(
        heading="Identification du traitement",
        blocks=[
            paragraph(
                "La présente fiche constitue l'inscription au registre des activités de traitement "
                "(article 30 "
                "du règlement (UE) 2016/679, dit RGPD) du traitement mis en œuvre pour la démarche de "
                "gouvernance partagée. Elle est établie avec le délégué à la protection des données."
            ),
            key_values(
                [
                    (
                        "Intitulé",
                        "Registre des parties prenantes et journal des consultations de la démarche "
                        f"« {field(engagement, 'title', default='de gouvernance partagée')} »",
                    ),
                    ("Responsable du traitement", _controller(territory)),
                    (
                        "Délégué à la protection des données",
                        field(
                            context,
                            "dpo",
                            default="non désigné dans l'application : nom et coordonnées du DPO de la "
                            "collectivité à reporter ici",
                        ),
                    ),
                    ("Sous-traitant", _processor(context)),
                    (
                        "Référence de l'accompagnement",
                        field(engagement, "reference", default="non renseignée"),
                    ),
                ]
            ),
        ],
    )


def _processor(context: Context) -> str:
    consultancy = text(context.get("organisation"), "")
    if not consultancy:
        return "aucun cabinet de conseil n'est renseigné pour cet accompagnement"
    return f"{consultancy}, chargé de l'accompagnement (article 28 du RGPD)"


def _purposes() -> Section:
    return Section(
        heading="Finalités et base légale",
        blocks=[
            bullets(
                [
                    "Recenser les forces vives du territoire et cartographier les parties prenantes de la "
                    "démarche (pouvoir, intérêt, relations).",
                    "Organiser les consultations, ateliers et réunions publiques, et en tenir le journal "
                    "(date, modalité, participants, enseignements).",
                    "Vérifier que chaque famille d'acteurs a été entendue et rendre compte de la "
                    "participation.",
                    "Évaluer la démarche au regard de ses objectifs.",
                ]
            ),
            paragraph(
                "Base légale : exécution d'une mission d'intérêt public (article 6.1.e du RGPD), le droit "
                "des "
                "habitants à être informés des affaires de la collectivité et consultés sur les décisions "
                "qui "
                "les concernent étant un principe essentiel de la démocratie locale (article L. 2141-1 du "
                "code "
                "général des collectivités territoriales). Le traitement ne repose pas sur le consentement : "
                "les personnes peuvent toutefois s'y opposer (article 21 du RGPD)."
            ),
        ],
    )


def _count(held: Any, key: str) -> int:
    value = first(held, key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _persons_and_data(held: Any) -> Section:
    blocks: list[Block] = []
    if not held:
        blocks.append(
            paragraph(
                "Le registre des parties prenantes de cet accompagnement est vide : aucune donnée "
                "personnelle "
                "n'est encore traitée. Les volumes seront reportés à la première mise à jour de la fiche.",
                note=True,
            )
        )
    else:
        categories = text(first(held, "categories_personnes"), "aucune")
        blocks.append(
            key_values(
                [
                    ("Parties prenantes inscrites", format_number(_count(held, "parties_prenantes"))),
                    ("dont organisations", format_number(_count(held, "organisations"))),
                    ("dont personnes physiques", format_number(_count(held, "personnes"))),
                    ("dont habitants et usagers à titre personnel", format_number(_count(held, "habitants"))),
                    ("Catégories de personnes physiques", categories),
                    ("Adresses électroniques enregistrées", format_number(_count(held, "courriels"))),
                    ("Numéros de téléphone enregistrés", format_number(_count(held, "telephones"))),
                    ("Consultations au journal", format_number(_count(held, "consultations"))),
                    ("Participations enregistrées", format_number(_count(held, "participations"))),
                ]
            )
        )
    blocks += [
        paragraph("Catégories de données :"),
        bullets(
            [
                "identité : nom, ou dénomination de l'organisation et nom de son représentant ;",
                "catégorie d'acteur (habitant, association, entreprise, élu, agent, partenaire "
                "institutionnel, "
                "organisation syndicale) et mots-clés ;",
                "appréciations portées par la collectivité sur le pouvoir, l'intérêt, l'attitude et la "
                "légitimité de l'acteur à l'égard de la démarche ;",
                "coordonnées (adresse électronique, téléphone), lorsque la personne les a communiquées ;",
                "participation aux consultations : date, modalité, étape de la démarche.",
            ]
        ),
        paragraph(
            "Aucune donnée sensible au sens de l'article 9 du RGPD (opinions politiques, appartenance "
            "syndicale des personnes, santé…) n'est collectée : les organisations syndicales sont "
            "inscrites en "
            "tant qu'organisations, jamais leurs adhérents."
        ),
    ]
    return Section(heading="Personnes concernées et données traitées", blocks=blocks)


def _recipients(context: Context) -> Section:
    return Section(
        heading="Destinataires",
        blocks=[
            bullets(
                [
                    "les agents de la collectivité habilités pour la démarche (chef·fe de projet, agents "
                    "territoriaux désignés) et l'élu·e référent·e ;",
                    "le sous-traitant chargé de l'accompagnement "
                    f"({text(context.get('organisation'), 'cabinet non renseigné')}) ;",
                    "le public, pour les seuls documents publiés : les habitants inscrits à titre "
                    "personnel y "
                    "figurent sous un numéro (« Habitant·e n° 1 »), jamais sous leur nom, et aucune "
                    "coordonnée "
                    "n'y apparaît.",
                ]
            ),
            paragraph(
                "Transferts hors de l'Union européenne : aucun n'est prévu. "
                + text(
                    context.get("hebergement"),
                    "Le lieu d'hébergement de l'application n'est pas renseigné : à préciser avec le DPO.",
                )
            ),
        ],
    )


def _retention(context: Context) -> Section:
    declared = text(context.get("duree_conservation"), "")
    blocks: list[Block] = [
        paragraph(f"Durée de conservation : {declared}.")
        if declared
        else paragraph(
            "Aucune durée de conservation n'est paramétrée dans l'application pour cet accompagnement : elle "
            "est à fixer avec le délégué à la protection des données. Proposition : la durée de "
            "l'accompagnement, puis un an pour son évaluation ; les coordonnées sont alors supprimées et les "
            "habitants inscrits à titre personnel anonymisés.",
            note=True,
        ),
        paragraph(
            "Les pièces qui relèvent des archives publiques (délibérations, comptes rendus) suivent les "
            "règles "
            "du code du patrimoine."
        ),
    ]
    return Section(heading="Durée de conservation", blocks=blocks)


def _security() -> Section:
    return Section(
        heading="Mesures de sécurité",
        blocks=[
            bullets(
                [
                    "accès par compte nominatif, selon le rôle tenu dans l'accompagnement ;",
                    "coordonnées conservées à part du registre : ni les analyses, ni les cartes, ni les "
                    "exports publics ne les lisent ;",
                    "tout export comportant des coordonnées est tracé dans l'historique de "
                    "l'accompagnement ;",
                    "historique des actions conservé sans modification possible ;",
                    "suppression d'une partie prenante et de ses coordonnées sur demande (droit à "
                    "l'effacement).",
                ]
            )
        ],
    )


def _rights() -> Section:
    return Section(
        heading="Droits des personnes",
        blocks=[
            paragraph(
                "Les personnes inscrites sont informées du traitement lors de leur premier contact. Elles "
                "disposent des droits d'accès, de rectification, d'effacement, de limitation et d'opposition "
                "(articles 15 à 21 du RGPD), qu'elles exercent auprès du délégué à la protection des "
                "données de "
                "la collectivité, et peuvent introduire une réclamation auprès de la CNIL."
            )
        ],
    )
