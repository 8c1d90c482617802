"""Cartographie des forces vives et des parties prenantes: the stakeholder map and power/interest grid, the
register as a table (category, kind, power and interest, Mendelow strategy, Mitchell class, consulted or
not), the key players, and the conflicts with the go-betweens the map suggests."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypedDict

from pydantic import ValidationError

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    capitalised,
    evidence_section,
    field,
    first,
    header,
    items,
    labelled,
    paragraph,
    table,
    territory_phrase,
    text,
    with_optional,
)
from gouvernance.deliverables.french import format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Figure, Paragraph, Section

KIND = "cartographie_acteurs"


class ActeurContext(TypedDict, total=False):
    name: str
    category: str  # French label: « Association »
    kind: str  # « personne » | « organisation »
    power: int  # 1 to 5
    interest: int
    quadrant: str  # Mendelow strategy, French label
    mitchell_class: str  # Mitchell, Agle & Wood class, French label
    consultations: int  # how many consultations it took part in


class ActeurCleContext(TypedDict, total=False):
    name: str
    quadrant: str
    mitchell_class: str
    consulted: bool


class ConflitContext(TypedDict, total=False):
    first: str
    second: str
    weight: float
    mediators: list[str]


class CartographieContext(CommonContext, total=False):
    """Context for ``cartographie_acteurs`` (all keys optional)."""

    acteurs: list[ActeurContext]
    acteurs_cles: list[ActeurCleContext]
    conflits: list[ConflitContext]
    relations: int
    stakeholder_map_svg: str
    power_interest_svg: str


NO_REGISTER = "Aucune partie prenante n'est inscrite au registre de la démarche"


def build_cartographie_acteurs(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(
        context, default_title="Cartographie des forces vives et des parties prenantes", clock=clock
    )
    actors = items(context.get("acteurs"))
    sections = with_optional(
        [
            _purpose(context, actors, territory_phrase(fields["territory"])),
            _pictures(context),
            _register(actors),
            _key_players(context),
            _conflicts(context),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(
        kind=KIND, sections=sections, orientation="landscape", table_of_contents=True, **fields
    )


def _purpose(context: Context, actors: list[Any], place: str) -> Section:
    blocks: list[Block] = [
        paragraph(
            f"La présente cartographie recense les forces vives de {place} et les parties prenantes de la "
            "démarche de gouvernance partagée : qui elles sont, quel pouvoir et quel intérêt elles ont à "
            "son égard, et les relations qui les lient. Elle oriente la stratégie de relation avec chacune "
            "et prépare la médiation avec les partenaires."
        )
    ]
    if not actors:
        blocks.append(
            paragraph(f"{NO_REGISTER} : la cartographie sera établie après le recensement des forces vives.")
        )
        return Section(heading="Objet de la cartographie", blocks=blocks)
    consulted = sum(1 for actor in actors if _count(first(actor, "consultations")) > 0)
    relations = _count(context.get("relations"))
    heard = (
        "aucune n'a encore été consultée"
        if consulted == 0
        else f"{format_number(consulted)} {'a' if consulted == 1 else 'ont'} été consultée"
        f"{'s' if consulted > 1 else ''} au moins une fois"
    )
    blocks.append(
        paragraph(
            f"Le registre compte {_plural(len(actors), 'partie prenante', 'parties prenantes')} et "
            f"{_plural(relations, 'relation', 'relations')} ; {heard}."
        )
    )
    return Section(heading="Objet de la cartographie", blocks=blocks)


def _pictures(context: Context) -> Section:
    pictures = [
        (
            "stakeholder_map_svg",
            "Carte des relations entre parties prenantes",
            "Réseau des parties prenantes, colorées par catégorie et dimensionnées selon leur pouvoir, "
            "reliées par leurs relations (membre de, partenaire de, finance, représente, influence, en "
            "conflit avec) ; le tableau du registre en donne le détail.",
        ),
        (
            "power_interest_svg",
            "Grille pouvoir / intérêt (Mendelow)",
            "Grille à quatre quadrants plaçant chaque partie prenante selon son pouvoir et son intérêt ; "
            "le tableau du registre en donne le détail.",
        ),
    ]
    blocks: list[Block] = []
    for key, caption, alt in pictures:
        svg = context.get(key)
        if not isinstance(svg, str) or not svg.strip():
            blocks.append(
                Paragraph(
                    text=f"{caption} : aucune figure, faute de parties prenantes inscrites au registre.",
                    style="note",
                )
            )
            continue
        try:
            blocks.append(Figure(svg=svg, caption=caption, alt=alt))
        except ValidationError:
            blocks.append(Paragraph(text=f"{caption} : figure illisible, à régénérer.", style="note"))
    return Section(heading="Carte des parties prenantes", blocks=blocks)


def _register(actors: list[Any]) -> Section:
    rows = [
        [
            field(actor, "name", default="Nom non renseigné"),
            labelled(labels.STAKEHOLDER_CATEGORIES, first(actor, "category"), "Catégorie non renseignée"),
            capitalised(field(actor, "kind", default="–")),
            _power_interest(actor),
            capitalised(field(actor, "quadrant", default="–")),
            capitalised(field(actor, "mitchell_class", default="–")),
            _consulted(first(actor, "consultations")),
        ]
        for actor in actors
    ]
    blocks: list[Block] = [
        paragraph(
            "Pouvoir et intérêt sont notés de 1 à 5 (élevés à partir de 4). La stratégie suit la grille de "
            "Mendelow : gérer étroitement, satisfaire, informer ou surveiller. La classe de Mitchell, Agle "
            "et "
            "Wood combine pouvoir, légitimité et urgence. Les habitants inscrits à titre personnel "
            "apparaissent sous un numéro, jamais sous leur nom."
        ),
        table(
            [
                "Partie prenante",
                "Catégorie",
                "Nature",
                "Pouvoir / intérêt",
                "Stratégie",
                "Classe de Mitchell",
                "Consultée",
            ],
            rows,
            widths=[5, 3, 2, 2, 3, 3, 2],
            caption="Registre des parties prenantes",
            missing=NO_REGISTER,
        ),
    ]
    categories = Counter(row[1] for row in rows)
    if categories:
        summary = ", ".join(f"{label.lower()} ({number})" for label, number in sorted(categories.items()))
        blocks.append(paragraph(f"Répartition par catégorie : {summary}."))
    return Section(heading="Registre des parties prenantes", blocks=blocks)


def _power_interest(actor: Any) -> str:
    power, interest = first(actor, "power"), first(actor, "interest")
    if isinstance(power, int) and isinstance(interest, int):
        return f"{power} / {interest}"
    return "non évalués"


def _consulted(value: object) -> str:
    count = _count(value)
    return f"Oui ({count})" if count else "Non"


def _key_players(context: Context) -> Section:
    players = items(context.get("acteurs_cles"))
    lines = [
        f"{field(player, 'name', default='Nom non renseigné')} — "
        f"{capitalised(field(player, 'quadrant', default='–'))}, "
        f"classe {field(player, 'mitchell_class', default='–').lower()} ; "
        + ("consulté·e" if first(player, "consulted") else "pas encore consulté·e")
        for player in players
    ]
    unheard = sum(1 for player in players if not first(player, "consulted"))
    verb = "n'a" if unheard == 1 else "n'ont"
    blocks: list[Block] = [
        paragraph(
            "Les acteurs clés ont un pouvoir et un intérêt élevés (gérer étroitement) ou réunissent les "
            "trois "
            "attributs de Mitchell (classe définitive) : la démarche les associe étroitement."
        ),
        bullets(
            lines,
            missing="Aucun acteur clé : aucune partie prenante n'a à la fois un pouvoir et un intérêt "
            "élevés, "
            "ni les trois attributs de Mitchell.",
        ),
    ]
    if unheard:
        blocks.append(
            paragraph(
                f"{_plural(unheard, 'acteur clé', 'acteurs clés')} "
                f"{verb} pas encore été consulté{'s' if unheard > 1 else ''} : "
                "à entendre avant le diagnostic territorial.",
                note=True,
            )
        )
    return Section(heading="Acteurs clés", blocks=blocks)


def _conflicts(context: Context) -> Section:
    rows = [
        [
            f"{field(pair, 'first', default='–')} / {field(pair, 'second', default='–')}",
            text(first(pair, "weight"), "–"),
            text(items(first(pair, "mediators")), "aucun intermédiaire de confiance identifié"),
        ]
        for pair in items(context.get("conflits"))
    ]
    return Section(
        heading="Conflits et médiateurs pressentis",
        blocks=[
            paragraph(
                "Pour chaque conflit de la cartographie, les médiateurs pressentis sont les parties "
                "prenantes "
                "liées aux deux camps par des relations de coopération, les mieux reliées d'abord."
            ),
            table(
                ["Parties en conflit", "Intensité", "Médiateurs pressentis"],
                rows,
                widths=[5, 1, 5],
                missing="Aucun conflit n'est inscrit dans la cartographie",
            ),
        ],
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _plural(count: int, one: str, many: str) -> str:
    return f"{format_number(count)} {one if count <= 1 else many}"
