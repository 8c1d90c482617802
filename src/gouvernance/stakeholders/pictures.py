"""The stakeholder map and the Mendelow power/interest grid as SVG, written by hand (no plotting library).

Both pictures are meant to be read at a glance and by screen readers (RGAA): the SVG has a title and a
description that summarise it, every stakeholder and relation carries its own ``<title>``, colours come from
the Okabe-Ito palette (safe for colour-blind readers) and never carry meaning alone (conflicts are also
dashed, attitudes are also a sign). Layouts are seeded: the same map always gives the same picture.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax import saxutils

import networkx as nx

from gouvernance.inputs import xml_text
from gouvernance.stakeholders.analysis import HIGH_SCORE_THRESHOLD, is_key_player, mendelow_quadrant
from gouvernance.stakeholders.records import SCORE_MAX, SCORE_MIN, StakeholderData
from gouvernance.stakeholders.vocabulary import Attitude, Category, Quadrant, RelationType

LAYOUT_SEED = 7
MAX_MAP_NODES = 400  # networkx's dense spring layout (numpy only) stops below 500 nodes
MAX_MAP_LABELS = 40
FONT = "Marianne, Arial, Helvetica, sans-serif"
TEXT = "#1e1e1e"
RELATION_COLOUR = "#707070"
CONFLICT_COLOUR = "#b2182b"

CATEGORY_COLOURS: dict[Category, str] = {
    Category.habitant_usager: "#e69f00",
    Category.association: "#56b4e9",
    Category.entreprise: "#009e73",
    Category.agent_territorial: "#0072b2",
    Category.elu: "#cc79a7",
    Category.partenaire_institutionnel: "#f0e442",
    Category.organisation_syndicale: "#d55e00",
    Category.autre: "#999999",
}
ATTITUDE_SIGNS: dict[Attitude, str] = {Attitude.favorable: "+", Attitude.neutre: "", Attitude.oppose: "−"}

_TEXTS = {
    "map_title": ("Carte des parties prenantes", "Stakeholder map"),
    "grid_title": ("Grille pouvoir / intérêt (Mendelow)", "Power / interest grid (Mendelow)"),
    "legend": ("Légende", "Legend"),
    "power": ("Pouvoir", "Power"),
    "interest": ("Intérêt", "Interest"),
    "relation": ("relation (flèche : orientée)", "relation (arrow: directed)"),
    "conflict": ("conflit", "conflict"),
    "empty": ("Aucune partie prenante.", "No stakeholder."),
    "shown": ("affichées sur", "shown out of"),
    "most_influential": ("les plus influentes", "the most influential"),
    "others": ("autres", "others"),
}


def _escape(text: str) -> str:
    """Text content that stays well-formed XML whatever was stored (see ``xml_text``)."""
    return saxutils.escape(xml_text(text))


def _quoteattr(text: str) -> str:
    return saxutils.quoteattr(xml_text(text))


def _t(key: str, lang: str) -> str:
    fr, en = _TEXTS[key]
    return en if lang == "en" else fr


_COUNTED = {
    "stakeholders": (("partie prenante", "parties prenantes"), ("stakeholder", "stakeholders")),
    "relations": (("relation", "relations"), ("relation", "relations")),
    "conflicts": (("conflit", "conflits"), ("conflict", "conflicts")),
}


def _count(value: int, key: str, lang: str) -> str:
    """« 1 conflit », « 2 conflits », « 12 345 parties prenantes »."""
    fr, en = _COUNTED[key]
    one, many = en if lang == "en" else fr
    return f"{_number(value, lang)} {one if value == 1 else many}"


def _number(value: int, lang: str) -> str:
    return f"{value:,}".replace(",", "," if lang == "en" else "\u202f")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _f(value: float) -> str:
    return f"{value:.1f}"


def _stakeholder_title(
    name: str, category: Category, power: int, interest: int, attitude: Attitude, lang: str
) -> str:
    return (
        f"{name} — {category.label(lang)} ; {_t('power', lang).lower()} {power}/5, "
        f"{_t('interest', lang).lower()} {interest}/5 ; {attitude.label(lang)}"
    )


def _node_title(data: dict[str, Any], lang: str) -> str:
    return _stakeholder_title(
        data["name"], data["category"], data["power"], data["interest"], data["attitude"], lang
    )


def _open_svg(width: int, height: int, prefix: str, title: str, description: str, lang: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'xml:lang="{"en" if lang == "en" else "fr"}" font-family="{FONT}" fill="{TEXT}">',
        f'<title id="{prefix}-title">{_escape(title)}</title>',
        f'<desc id="{prefix}-desc">{_escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _label(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", weight: str = "normal"
) -> str:
    """Text over a white halo, legible over lines and discs. The halo is a second, stroked copy underneath
    rather than ``paint-order``, which some renderers (WeasyPrint, for the PDF deliverables) ignore."""
    common = f'x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}"'
    content = _escape(text)
    return (
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" '
        f'aria-hidden="true">{content}</text><text {common}>{content}</text>'
    )


# --- Stakeholder map --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    plot_width: int
    margin: int = 40


def stakeholder_map_svg(
    graph: nx.MultiDiGraph,
    *,
    lang: str = "fr",
    max_nodes: int = 100,
    width: int = 1000,
    height: int = 700,
    seed: int = LAYOUT_SEED,
    id_prefix: str = "carte",
) -> str:
    """The map: one disc per stakeholder (colour: category; size: power), one line per relation (arrow when
    directed), conflicts dashed in red. Above ``max_nodes`` (at most 400), only the most influential
    stakeholders are drawn (key players first, then power, interest and number of relations), and the
    description says so."""
    shown = _select(graph, min(max_nodes, MAX_MAP_NODES))
    frame = _Frame(width, height, plot_width=width - 240)
    conflicts = sum(1 for *_, key in graph.edges(keys=True) if key == RelationType.conflit)
    description = (
        f"{_count(graph.number_of_nodes(), 'stakeholders', lang)}, "
        f"{_count(graph.number_of_edges(), 'relations', lang)}, {_count(conflicts, 'conflicts', lang)}."
    )
    if len(shown) < graph.number_of_nodes():
        description += (
            f" {_number(len(shown), lang)} {_t('shown', lang)} {_number(graph.number_of_nodes(), lang)} "
            f"({_t('most_influential', lang)})."
        )
    parts = _open_svg(width, height, id_prefix, _t("map_title", lang), description, lang)
    parts.append(
        f'<defs><marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{RELATION_COLOUR}"/>'
        "</marker></defs>"
    )
    if not shown:
        parts.append(_label(frame.plot_width / 2, height / 2, _t("empty", lang), size=16, anchor="middle"))
    else:
        positions = _layout(graph, shown, frame, seed)
        parts += _map_edges(graph, shown, positions, lang, id_prefix)
        parts += _map_nodes(graph, shown, positions, lang, frame.plot_width)
    parts.append(_label(frame.margin / 2, 26, _t("map_title", lang), size=16, weight="bold"))
    parts.append(_label(frame.margin / 2, height - 12, description, size=11))
    parts += _map_legend(graph, shown, frame, lang, id_prefix)
    parts.append("</svg>")
    return "\n".join(parts)


def _radius(power: int, crowd: int = 1) -> float:
    """Grows with power; shrinks on crowded maps (``crowd``: discs drawn) so that discs do not pile up."""
    return (5.0 + 2.5 * power) * max(0.5, min(1.0, math.sqrt(30 / max(crowd, 1))))


def _select(graph: nx.MultiDiGraph, limit: int) -> list[str]:
    if graph.number_of_nodes() <= limit:
        return sorted(graph)
    degree = graph.degree

    def rank(node: str) -> tuple[object, ...]:
        data = graph.nodes[node]
        key = is_key_player(data["quadrant"], data["salience_class"])
        return (not key, -data["power"], -data["interest"], -degree[node], data["name"], node)

    return sorted(sorted(graph, key=rank)[:limit])


def _layout(
    graph: nx.MultiDiGraph, shown: list[str], frame: _Frame, seed: int
) -> dict[str, tuple[float, float]]:
    """Each connected group gets its own seeded spring layout and a square sized to its number of members;
    the squares are shelved left to right, largest first. (One spring layout of everything would push small
    groups and lone stakeholders to the corners and crush the main group.)"""
    springs = _springs(graph, shown)
    groups = sorted(
        (sorted(group) for group in nx.connected_components(springs)), key=lambda g: (-len(g), g[0])
    )
    left, top = frame.margin, frame.margin + 20
    width, height = frame.plot_width - 2 * frame.margin, frame.height - top - frame.margin - 10
    squares = _pack([len(group) for group in groups], width, height)
    positions: dict[str, tuple[float, float]] = {}
    for group, (x, y, side) in zip(groups, squares, strict=True):
        pad = min(side * 0.12, 30.0)
        for node, (u, v) in _unit_layout(springs.subgraph(group), seed).items():
            positions[node] = (left + x + pad + u * (side - 2 * pad), top + y + pad + v * (side - 2 * pad))
    return positions


def _pack(sizes: list[int], width: float, height: float) -> list[tuple[float, float, float]]:
    """Squares of side proportional to √size, shelved in rows, at the largest scale that fits the area."""
    best: tuple[float, list[tuple[float, float, float]]] = (0.0, [])
    unit = math.sqrt(width * height / sum(sizes)) * 1.5
    for _ in range(30):
        squares = _shelve([unit * math.sqrt(size) for size in sizes], width)
        used_width = max(x + side for x, _, side in squares)
        used_height = max(y + side for _, y, side in squares)
        fit = min(width / used_width, height / used_height)
        if unit * fit > best[0]:
            best = (unit * fit, [(x * fit, y * fit, side * fit) for x, y, side in squares])
        unit *= 0.9
    return best[1]


def _springs(graph: nx.MultiDiGraph, shown: list[str]) -> nx.Graph:
    """Relations pull their ends together; conflicts pull too, but weakly, so that a dispute is drawn short
    and visible without making adversaries look like partners."""
    springs = nx.Graph()
    springs.add_nodes_from(shown)
    for source, target, key in sorted(graph.subgraph(shown).edges(keys=True)):
        pull = 0.3 if key == RelationType.conflit else 1.0
        if springs.has_edge(source, target):
            pull = max(pull, springs[source][target]["weight"])
        springs.add_edge(source, target, weight=pull)
    return springs


def _shelve(sides: list[float], width: float) -> list[tuple[float, float, float]]:
    """(x, y, side) of each square, in rows from the top-left."""
    placed, x, y, row = [], 0.0, 0.0, 0.0
    for side in sides:
        if x > 0 and x + side > width:
            x, y, row = 0.0, y + row, 0.0
        placed.append((x, y, side))
        x, row = x + side, max(row, side)
    return placed


def _unit_layout(group: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    """Positions within [0, 1]². A flat layout is stretched to use its square, but by 2.5 times at most, so
    that the drawing keeps its shape."""
    if group.number_of_nodes() == 1:
        return {next(iter(group)): (0.5, 0.5)}
    raw = nx.spring_layout(group, seed=seed, method="force", weight="weight", iterations=150)
    xs = [float(point[0]) for point in raw.values()]
    ys = [float(point[1]) for point in raw.values()]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    largest = max(span_x, span_y) or 1.0
    scale_x, scale_y = max(span_x, largest / 2.5), max(span_y, largest / 2.5)
    shift_x, shift_y = (1 - span_x / scale_x) / 2, (1 - span_y / scale_y) / 2
    return {
        node: (shift_x + (float(x) - min(xs)) / scale_x, shift_y + (float(y) - min(ys)) / scale_y)
        for node, (x, y) in raw.items()
    }


def _map_edges(
    graph: nx.MultiDiGraph,
    shown: list[str],
    positions: dict[str, tuple[float, float]],
    lang: str,
    prefix: str,
) -> list[str]:
    ordinary, conflicts = [], []
    names = graph.nodes
    for source, target, key in sorted(graph.subgraph(shown).edges(keys=True)):
        relation = RelationType(key)
        (x1, y1), (x2, y2) = positions[source], positions[target]
        arrow = " ⟶ " if relation.directed else " ⟷ "
        text = f"{names[source]['name']}{arrow}{names[target]['name']} : {relation.label(lang)}"
        title = f"<title>{_escape(text)}</title>"
        if relation is RelationType.conflit:
            # Bowed, so that it never runs through a stakeholder sitting between the two sides.
            bend_x, bend_y = (x1 + x2) / 2 - (y2 - y1) * 0.18, (y1 + y2) / 2 + (x2 - x1) * 0.18
            conflicts.append(
                f'<path d="M{_f(x1)},{_f(y1)} Q{_f(bend_x)},{_f(bend_y)} {_f(x2)},{_f(y2)}" fill="none" '
                f'stroke="{CONFLICT_COLOUR}" stroke-width="2.5" stroke-dasharray="7 4">{title}</path>'
            )
            continue
        marker = ""
        if relation.directed:
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            trim = (_radius(names[target]["power"], len(shown)) + 2) / length
            x2, y2 = x2 - (x2 - x1) * trim, y2 - (y2 - y1) * trim
            marker = f' marker-end="url(#{prefix}-arrow)"'
        ordinary.append(
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{RELATION_COLOUR}" '
            f'stroke-width="1.3" stroke-opacity="0.75"{marker}>{title}</line>'
        )
    return ["<g>", *ordinary, *conflicts, "</g>"]


def _map_nodes(
    graph: nx.MultiDiGraph,
    shown: list[str],
    positions: dict[str, tuple[float, float]],
    lang: str,
    plot_width: float,
) -> list[str]:
    parts = ["<g>"]
    for node in sorted(shown, key=lambda node: (-graph.nodes[node]["power"], node)):  # big discs first, under
        data = graph.nodes[node]
        x, y = positions[node]
        parts.append(
            f'<g class="stakeholder" data-id={_quoteattr(node)}>'
            f"<title>{_escape(_node_title(data, lang))}</title>"
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(_radius(data["power"], len(shown)))}" '
            f'fill="{CATEGORY_COLOURS[data["category"]]}" stroke="#333333" stroke-width="1"/></g>'
        )
    return [
        *parts,
        "</g>",
        '<g aria-hidden="true">',
        *_map_labels(graph, shown, positions, plot_width),
        "</g>",
    ]


def _map_labels(
    graph: nx.MultiDiGraph, shown: list[str], positions: dict[str, tuple[float, float]], plot_width: float
) -> list[str]:
    """Names next to the discs, most important first (key players, then power and number of relations), each
    only where it overlaps no disc and no name already written; every disc keeps its full title anyway."""
    degree = graph.subgraph(shown).degree
    crowd = len(shown)

    def importance(node: str) -> tuple[object, ...]:
        data = graph.nodes[node]
        return (
            not is_key_player(data["quadrant"], data["salience_class"]),
            -data["power"],
            -degree[node],
            node,
        )

    discs = [
        (x - r, y - r, x + r, y + r)
        for node in shown
        for (x, y), r in [(positions[node], _radius(graph.nodes[node]["power"], crowd))]
    ]
    taken: list[tuple[float, float, float, float]] = []
    labels = []
    for node in sorted(shown, key=importance)[:MAX_MAP_LABELS]:
        (x, y), radius = positions[node], _radius(graph.nodes[node]["power"], crowd)
        text = _shorten(graph.nodes[node]["name"], 28)
        width = 6.2 * len(text)  # 11px sans-serif, about 6 px a character
        own = (x - radius, y - radius, x + radius, y + radius)
        right = (x + radius + 2, y - 8, x + radius + 4 + width, y + 5)
        left = (x - radius - 4 - width, y - 8, x - radius - 2, y + 5)
        for box, anchor in ((right, "start"), (left, "end")):
            inside = box[0] >= 0 and box[2] <= plot_width
            if inside and not any(_overlap(box, other) for other in (*taken, *discs) if other != own):
                taken.append(box)
                label_x = x + radius + 3 if anchor == "start" else x - radius - 3
                labels.append(_label(label_x, y + 4, text, anchor=anchor))
                break
    return labels


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _map_legend(
    graph: nx.MultiDiGraph, shown: Sequence[str], frame: _Frame, lang: str, prefix: str
) -> list[str]:
    present = {graph.nodes[node]["category"] for node in shown}
    x = frame.plot_width + 16
    parts = ['<g aria-hidden="true">', _label(x, 60, _t("legend", lang), size=14, weight="bold")]
    y = 86
    for category, colour in CATEGORY_COLOURS.items():
        if category in present:
            parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="7" fill="{colour}" stroke="#333333"/>')
            parts.append(_label(x + 22, y, category.label(lang)))
            y += 22
    y += 10
    parts.append(_label(x, y, f"{_t('power', lang)} :", weight="bold"))
    for power, offset in ((1, 16), (3, 56), (5, 106)):
        parts.append(
            f'<circle cx="{x + offset}" cy="{y + 26}" r="{_f(_radius(power, len(shown)))}" '
            'fill="#ffffff" stroke="#333333"/>'
        )
        parts.append(_label(x + offset, y + 62, str(power), anchor="middle"))
    y += 90
    parts.append(
        f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="{RELATION_COLOUR}" stroke-width="1.3" '
        f'marker-end="url(#{prefix}-arrow)"/>'
    )
    parts.append(_label(x + 42, y + 4, _t("relation", lang)))
    y += 24
    parts.append(
        f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="{CONFLICT_COLOUR}" stroke-width="2.5" '
        'stroke-dasharray="7 4"/>'
    )
    parts.append(_label(x + 42, y + 4, _t("conflict", lang)))
    parts.append("</g>")
    return parts


# --- Power / interest grid --------------------------------------------------------------------------------

_CELL = 120
_LEFT, _TOP = 80, 60
_QUADRANT_FILLS = {
    Quadrant.gerer_etroitement: "#f8d7d3",
    Quadrant.satisfaire: "#fdf0c7",
    Quadrant.informer: "#dcefd9",
    Quadrant.surveiller: "#ececec",
}


def power_interest_grid_svg(
    stakeholders: Iterable[StakeholderData],
    *,
    lang: str = "fr",
    max_per_cell: int = 30,
    id_prefix: str = "grille",
) -> str:
    """Mendelow's grid: interest across, power upwards, the four quadrants named, each stakeholder a disc
    (colour: category; sign: attitude) in the cell of its scores. Discs sharing a cell are spread on a
    sunflower pattern in name order, so the same list always gives the same picture; up to three per cell are
    named, and above ``max_per_cell`` the cell shows how many more there are."""
    cells: defaultdict[tuple[int, int], list[StakeholderData]] = defaultdict(list)
    for stakeholder in stakeholders:
        cells[(stakeholder.interest, stakeholder.power)].append(stakeholder)
    width, height = _LEFT + 5 * _CELL + 260, _TOP + 5 * _CELL + 70
    parts = _open_svg(width, height, id_prefix, _t("grid_title", lang), _grid_description(cells, lang), lang)
    parts += _grid_background(lang)
    for (interest, power), members in sorted(cells.items()):
        members.sort(key=lambda stakeholder: (stakeholder.name, stakeholder.id))
        parts += _grid_cell(interest, power, members, max_per_cell, lang)
    parts += _grid_quadrant_labels(lang)
    parts += _grid_legend({s.category for members in cells.values() for s in members}, lang)
    parts.append("</svg>")
    return "\n".join(parts)


def _grid_description(cells: dict[tuple[int, int], list[StakeholderData]], lang: str) -> str:
    counts = {quadrant: 0 for quadrant in Quadrant}
    for (interest, power), members in cells.items():
        counts[mendelow_quadrant(power, interest)] += len(members)
    total = sum(counts.values())
    if total == 0:
        return _t("empty", lang)
    detail = " ; ".join(
        f"{quadrant.label(lang)} : {_number(count, lang)}" for quadrant, count in counts.items()
    )
    return f"{_count(total, 'stakeholders', lang)}. {detail}."


def _cell_origin(interest: int, power: int) -> tuple[float, float]:
    return _LEFT + (interest - SCORE_MIN) * _CELL, _TOP + (SCORE_MAX - power) * _CELL


def _grid_background(lang: str) -> list[str]:
    parts = []
    for quadrant, fill in _QUADRANT_FILLS.items():
        x, y, w, h = _quadrant_box(quadrant)
        parts.append(
            f'<rect class="quadrant" data-quadrant="{quadrant.value}" '
            f'x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
        )
    for step in range(6):
        offset = step * _CELL
        parts.append(
            f'<line x1="{_LEFT + offset}" y1="{_TOP}" x2="{_LEFT + offset}" y2="{_TOP + 5 * _CELL}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
        parts.append(
            f'<line x1="{_LEFT}" y1="{_TOP + offset}" x2="{_LEFT + 5 * _CELL}" y2="{_TOP + offset}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
    split = _LEFT + (HIGH_SCORE_THRESHOLD - SCORE_MIN + 0.5) * _CELL
    parts.append(
        f'<line x1="{_f(split)}" y1="{_TOP}" x2="{_f(split)}" y2="{_TOP + 5 * _CELL}" stroke="#555555" '
        'stroke-width="2"/>'
    )
    split_y = _TOP + (SCORE_MAX + 0.5 - HIGH_SCORE_THRESHOLD) * _CELL
    parts.append(
        f'<line x1="{_LEFT}" y1="{_f(split_y)}" x2="{_LEFT + 5 * _CELL}" y2="{_f(split_y)}" stroke="#555555" '
        'stroke-width="2"/>'
    )
    parts.append('<g aria-hidden="true">')
    for score in range(SCORE_MIN, SCORE_MAX + 1):
        x, y = _cell_origin(score, score)
        parts.append(_label(x + _CELL / 2, _TOP + 5 * _CELL + 18, str(score), anchor="middle"))
        parts.append(_label(_LEFT - 10, y + _CELL / 2 + 4, str(score), anchor="end"))
    parts.append(
        _label(
            _LEFT + 2.5 * _CELL, _TOP + 5 * _CELL + 44, f"{_t('interest', lang)} →", size=13, anchor="middle"
        )
    )
    centre_y = _TOP + 2.5 * _CELL
    parts.append(
        f'<text x="28" y="{centre_y}" font-size="13" text-anchor="middle" '
        f'transform="rotate(-90 28 {centre_y})">{_escape(_t("power", lang))} →</text>'
    )
    parts.append(_label(_LEFT, 30, _t("grid_title", lang), size=16, weight="bold"))
    parts.append("</g>")
    return parts


def _quadrant_box(quadrant: Quadrant) -> tuple[float, float, float, float]:
    low_cells = HIGH_SCORE_THRESHOLD - SCORE_MIN + 0.5  # 3 cells of "low" scores
    high_cells = 5 - low_cells
    left_w, right_w = low_cells * _CELL, high_cells * _CELL
    top_h, bottom_h = high_cells * _CELL, low_cells * _CELL
    right_x, bottom_y = _LEFT + left_w, _TOP + top_h
    return {
        Quadrant.satisfaire: (_LEFT, _TOP, left_w, top_h),
        Quadrant.gerer_etroitement: (right_x, _TOP, right_w, top_h),
        Quadrant.surveiller: (_LEFT, bottom_y, left_w, bottom_h),
        Quadrant.informer: (right_x, bottom_y, right_w, bottom_h),
    }[quadrant]


def _grid_quadrant_labels(lang: str) -> list[str]:
    parts = ['<g aria-hidden="true">']
    for quadrant in Quadrant:
        x, y, _, _ = _quadrant_box(quadrant)
        text = quadrant.label(lang)
        parts.append(_label(x + 8, y + 17, text[:1].upper() + text[1:], size=13, weight="bold"))
    parts.append("</g>")
    return parts


def _grid_cell(
    interest: int, power: int, members: list[StakeholderData], max_per_cell: int, lang: str
) -> list[str]:
    left, top = _cell_origin(interest, power)
    drawn = members[:max_per_cell]
    parts = ["<g>"]
    if len(drawn) <= 3:
        for index, stakeholder in enumerate(drawn):
            y = top + _CELL / 2 + 8 + (index - (len(drawn) - 1) / 2) * 28
            parts += _grid_disc(stakeholder, left + 18, y, 8.0, lang)
            parts.append(_label(left + 30, y + 4, _shorten(stakeholder.name, 13), size=11))
    else:
        spacing = min(13.0, 40.0 / math.sqrt(len(drawn)))
        radius = max(2.5, min(7.0, spacing * 0.48))
        for index, stakeholder in enumerate(drawn):
            distance, angle = spacing * math.sqrt(index + 0.5), index * 2.399963229728653  # golden angle
            x = left + _CELL / 2 + distance * math.cos(angle)
            y = top + _CELL / 2 + 8 + distance * math.sin(angle)
            parts += _grid_disc(stakeholder, x, y, radius, lang)
    hidden = len(members) - len(drawn)
    if hidden:
        parts.append(
            _label(
                left + _CELL - 6,
                top + _CELL - 6,
                f"+{_number(hidden, lang)} {_t('others', lang)}",
                size=10,
                anchor="end",
            )
        )
    parts.append("</g>")
    return parts


def _grid_disc(stakeholder: StakeholderData, x: float, y: float, radius: float, lang: str) -> list[str]:
    title = _stakeholder_title(
        stakeholder.name,
        stakeholder.category,
        stakeholder.power,
        stakeholder.interest,
        stakeholder.attitude,
        lang,
    )
    sign = ATTITUDE_SIGNS[stakeholder.attitude] if radius >= 6 else ""
    glyph = (
        f'<text x="{_f(x)}" y="{_f(y + 4)}" font-size="12" font-weight="bold" text-anchor="middle" '
        f'aria-hidden="true">{sign}</text>'
        if sign
        else ""
    )
    return [
        f'<g class="stakeholder" data-id={_quoteattr(stakeholder.id)}><title>{_escape(title)}</title>'
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(radius)}" fill="{CATEGORY_COLOURS[stakeholder.category]}" '
        f'stroke="#333333" stroke-width="1"/>{glyph}</g>'
    ]


def _grid_legend(present: set[Category], lang: str) -> list[str]:
    x = _LEFT + 5 * _CELL + 24
    parts = ['<g aria-hidden="true">', _label(x, _TOP + 10, _t("legend", lang), size=14, weight="bold")]
    y = _TOP + 36
    for category, colour in CATEGORY_COLOURS.items():
        if category in present:
            parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="7" fill="{colour}" stroke="#333333"/>')
            parts.append(_label(x + 22, y, category.label(lang)))
            y += 22
    y += 12
    for attitude, sign in ATTITUDE_SIGNS.items():
        parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="8" fill="#ffffff" stroke="#333333"/>')
        if sign:
            parts.append(
                f'<text x="{x + 8}" y="{y}" font-size="12" font-weight="bold" '
                f'text-anchor="middle">{sign}</text>'
            )
        parts.append(_label(x + 22, y, attitude.label(lang)))
        y += 22
    parts.append("</g>")
    return parts
