"""Convention de partenariat: the agreement that comes out of mediation with associations and companies —
parties, purpose, shared objectives, means, each party's obligations, duration and signatures.

Articles are numbered in their headings ("Article 3 – Moyens mobilisés"), as in any French agreement, so
the document's automatic numbering is switched off.
"""

from __future__ import annotations

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
    mapping,
    money,
    paragraph,
    table,
    text,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Section, Territory

KIND = "convention_partenariat"


class PartyContext(TypedDict, total=False):
    name: str
    kind: str  # collectivite | commune | epci | association | entreprise | partenaire_institutionnel
    address: str
    siret: str
    represented_by: str
    qualite: str  # "Maire", "Président"…
    designation: str  # how the agreement calls it: "la Commune", "l'Association"


class MeansContext(TypedDict, total=False):
    party: str
    contributions: list[str]
    valorisation: float | str  # euros


class ObligationsContext(TypedDict, total=False):
    party: str
    obligations: list[str]


class DurationContext(TypedDict, total=False):
    start: date | str
    end: date | str
    months: int
    renouvellement: str


class FundingContext(TypedDict, total=False):
    montant: float | str
    modalites: str  # payment schedule


class FollowUpContext(TypedDict, total=False):
    comite: str
    frequence: str
    indicateurs: list[str]


class ConventionContext(CommonContext, total=False):
    """Context for ``convention_partenariat`` (all keys optional). Without ``parties`` the collectivité
    and a partner to complete are used; ``parties``, ``moyens`` or ``obligations`` given as a list, even
    empty, is the register of the parties, and what it lacks is said as such rather than left to complete."""

    parties: list[PartyContext]
    preambule: str
    objet: str
    objectifs: list[str]
    moyens: list[MeansContext]
    obligations: list[ObligationsContext]
    financement: FundingContext
    duree: DurationContext
    suivi: FollowUpContext
    resiliation: str
    tribunal: str
    lieu_signature: str
    exemplaires: int


def build_convention(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Convention de partenariat", clock=clock)
    parties = _parties(context, fields["territory"])
    articles = [
        ("Objet de la convention", [paragraph(context.get("objet"), "Objet de la convention non rédigé.")]),
        (
            "Objectifs partagés",
            [bullets(items(context.get("objectifs")), missing="aucun objectif partagé n'est encore défini")],
        ),
        ("Moyens mobilisés", _means(context, parties)),
        ("Obligations des parties", _obligations(context, parties)),
        ("Dispositions financières", _funding(context)),
        ("Durée", _duration(context)),
        ("Suivi et évaluation", _follow_up(context)),
        ("Communication", [paragraph(_COMMUNICATION)]),
        ("Protection des données personnelles", [paragraph(_DATA_PROTECTION)]),
        ("Modification et résiliation", [paragraph(context.get("resiliation"), default=_TERMINATION)]),
        ("Règlement des litiges", [paragraph(_disputes(context))]),
    ]
    sections = [
        Section(heading="Entre les soussignés", blocks=_party_blocks(parties)),
        Section(
            heading="Préambule",
            blocks=[
                paragraph(context.get("preambule"), default=_PREAMBLE),
                paragraph("Il est convenu ce qui suit :"),
            ],
        ),
        *(
            Section(heading=f"Article {number} – {title}", blocks=blocks)
            for number, (title, blocks) in enumerate(articles, start=1)
        ),
        _signatures(context, parties),
    ]
    return DeliverableDocument(kind=KIND, sections=sections, numbered_headings=False, **fields)


_BLANK = "…" * 12  # written by hand when the convention is signed

_PREAMBLE = (
    "La collectivité a engagé une démarche de gouvernance partagée qui associe habitants, associations, "
    "entreprises et partenaires institutionnels à la conduite de l'action publique locale. Associations et "
    "entreprises sont des professionnels : leur collaboration avec la collectivité est un engagement "
    "financier et humain. La présente convention identifie les objectifs, les moyens et les obligations de "
    "chacune des parties, condition de la viabilité de la démarche."
)

_COMMUNICATION = (
    "Chaque partie mentionne le partenariat dans ses supports de communication relatifs aux actions "
    "conduites dans le cadre de la présente convention et informe l'autre partie avant toute communication "
    "engageant le partenariat."
)

_DATA_PROTECTION = (
    "Les parties respectent le règlement (UE) 2016/679 (RGPD) et la loi n° 78-17 du 6 janvier 1978 modifiée. "
    "Les données personnelles des habitants recueillies dans le cadre du partenariat sont limitées à ce qui "
    "est strictement nécessaire, utilisées aux seules fins de la présente convention et ne sont communiquées "
    "à aucun tiers."
)

_TERMINATION = (
    "Toute modification de la présente convention fait l'objet d'un avenant signé par les parties. En cas de "
    "manquement de l'une des parties à ses obligations, l'autre partie peut résilier la convention à "
    "l'expiration d'un délai d'un mois suivant l'envoi d'une mise en demeure restée sans effet, par lettre "
    "recommandée avec accusé de réception."
)


def _parties(context: Context, territory: Territory) -> list[Any]:
    parties = [party for party in items(context.get("parties")) if isinstance(party, dict | str)]
    if parties:
        return parties
    if isinstance(context.get("parties"), list):  # the register, with nobody in it yet
        unknown = {"represented_by": "représentant non désigné", "qualite": "qualité non renseignée"}
        return [
            {"name": territory.name, "kind": territory.kind, "designation": "la Collectivité", **unknown},
            {"name": "partenaire non encore enregistré", "designation": "le Partenaire", **unknown},
        ]
    unknown = {"represented_by": "représentant non désigné", "qualite": "qualité non renseignée"}
    collectivity = {
        "name": territory.name,
        "kind": territory.kind,
        "designation": "la Collectivité",
        **unknown,
    }
    return [collectivity, {"name": "partenaire non désigné", "designation": "le Partenaire", **unknown}]


def _designation(party: Any, index: int) -> str:
    default = "la Collectivité" if index == 0 else f"le Partenaire {index}" if index > 1 else "le Partenaire"
    return field(party, "designation", default=default)


def _party_blocks(parties: list[Any]) -> list[Block]:
    blocks: list[Block] = []
    for index, party in enumerate(parties):
        if index:
            blocks.append(paragraph("Et"))
        blocks.append(paragraph(_party_description(party, index)))
        if index == 0:
            blocks.append(paragraph("d'une part,"))
    if len(parties) > 1:
        blocks.append(paragraph("d'autre part,"))
    return blocks


def _party_description(party: Any, index: int) -> str:
    kind = labels.lookup(labels.PARTY_KINDS, first(party, "kind"))
    address, siret = first(party, "address"), first(party, "siret")
    parts = [field(party, "name", default="partie non désignée")]
    if kind and kind.split()[0].lower() not in parts[0].lower():
        parts.append(kind)
    if address:
        parts.append(f"dont le siège est situé {text(address)}")
    if siret:
        parts.append(f"SIRET {text(siret)}")
    parts.append(f"représenté(e) par {_signatory(party)}")
    parts.append(f"ci-après désigné(e) « {_designation(party, index)} »")
    return ", ".join(parts) + ","


def _signatory(party: Any) -> str:
    represented_by = field(party, "represented_by", default="représentant non désigné")
    return f"{represented_by}, {field(party, 'qualite', default='qualité non renseignée')}"


def _means(context: Context, parties: list[Any]) -> list[Block]:
    rows = [
        [
            field(item, "party", default="partie non désignée"),
            "\n".join(f"– {text(contribution)}" for contribution in items(first(item, "contributions")))
            or "aucune contribution indiquée",
            money(first(item, "valorisation"), default="–"),
        ]
        for item in items(context.get("moyens"))
    ]
    if not rows:
        registered = isinstance(context.get("moyens"), list)  # the register: nothing entered
        missing = "aucune contribution indiquée" if registered else "aucune contribution renseignée"
        rows = [[field(party, "name", default="partie non désignée"), missing, "–"] for party in parties]
    return [
        paragraph("Pour atteindre ces objectifs, les parties mobilisent les moyens suivants :"),
        table(["Partie", "Contributions", "Valorisation"], rows, widths=[3, 6, 2]),
    ]


def _obligations(context: Context, parties: list[Any]) -> list[Block]:
    listed = items(context.get("obligations"))
    if not listed:
        registered = isinstance(context.get("obligations"), list)  # the register: nothing entered
        none = ["aucun engagement indiqué" if registered else "aucun engagement renseigné"]
        listed = [
            {"party": field(party, "name", default="partie non désignée"), "obligations": none}
            for party in parties
        ]
    blocks: list[Block] = []
    for item in listed:
        blocks.append(paragraph(f"{field(item, 'party', default='Partie non désignée')} s'engage à :"))
        blocks.append(bullets(items(first(item, "obligations")), missing="aucun engagement indiqué"))
    return blocks


def _funding(context: Context) -> list[Block]:
    funding = mapping(context, "financement")
    return [
        key_values(
            [
                (
                    "Montant de la participation financière",
                    money(first(funding, "montant"), "aucune participation financière renseignée"),
                ),
                (
                    "Modalités de versement",
                    field(funding, "modalites", default="modalités de versement non fixées"),
                ),
            ]
        )
    ]


def _duration(context: Context) -> list[Block]:
    duration = mapping(context, "duree")
    begins = first(duration, "start")
    start = f"le {date_text(begins)}" if begins else "à la date de sa signature par la dernière des parties"
    months, end = first(duration, "months"), first(duration, "end")
    if end:
        period = f"jusqu'au {date_text(end)}"
    elif months:
        period = f"pour une durée de {text(months)} mois"
    else:
        period = "pour une durée que les parties n'ont pas encore fixée"
    renewal = field(duration, "renouvellement", default="Elle peut être renouvelée par avenant exprès.")
    return [paragraph(f"La présente convention prend effet {start} {period}. {renewal}")]


def _follow_up(context: Context) -> list[Block]:
    follow_up = mapping(context, "suivi")
    return [
        paragraph(
            f"Un comité de suivi ({field(follow_up, 'comite', default='composition non encore fixée')}) "
            "réunit les parties "
            f"{_frequency(follow_up)}. Il examine l'avancement des actions au regard des indicateurs "
            "suivants :"
        ),
        bullets(items(follow_up.get("indicateurs")), missing="aucun indicateur de suivi n'est encore retenu"),
    ]


def _frequency(follow_up: Any) -> str:
    frequency = first(follow_up, "frequence")
    return (
        f"selon une fréquence {text(frequency)}"
        if frequency
        else "à une fréquence qu'elles n'ont pas encore fixée"
    )


def _disputes(context: Context) -> str:
    court = field(context, "tribunal", default="le tribunal administratif territorialement compétent")
    return (
        "Les parties s'efforcent de régler à l'amiable tout différend relatif à l'interprétation ou à "
        f"l'exécution de la présente convention. À défaut d'accord, le litige est porté devant {court}."
    )


def _signatures(context: Context, parties: list[Any]) -> Section:
    place = field(context, "lieu_signature", default=_BLANK)
    copies = context.get("exemplaires")
    count = (
        copies if isinstance(copies, int) and not isinstance(copies, bool) and copies > 0 else len(parties)
    )
    headers = [f"Pour {field(party, 'name', default='partie non désignée')}" for party in parties]
    signatories = [f"{_signatory(party)}\n\n\n\n" for party in parties]
    return Section(
        heading="Signatures",
        blocks=[
            paragraph(f"Fait à {place}, le {_BLANK}, en {count} exemplaires originaux."),
            table(headers, [signatories], variant="signatures"),
        ],
    )
