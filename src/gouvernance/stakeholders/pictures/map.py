"""The stakeholder map: discs coloured by category and sized by power, grouped by connected part and laid
out by seeded springs, relations as lines (conflicts dashed), every name beside its disc, and a legend."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from gouvernance.stakeholders.analysis.classification import (
    is_key_player,
)
from gouvernance.stakeholders.pictures.drawing import (
    CATEGORY_COLOURS,
    LINE_EM,
    coord,
    counted,
    escape_text,
    halo_label,
    halo_lines,
    node_title,
    number_text,
    open_svg,
    phrase,
    quote_attribute,
    text_width,
    wrap_name,
)
from gouvernance.stakeholders.vocabulary import RelationType

LAYOUT_SEED = 7
MAX_MAP_NODES = 400  # networkx's dense spring layout (numpy only) stops below 500 nodes
RELATION_COLOUR = "#707070"
CONFLICT_COLOUR = "#b2182b"


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
        f"{counted(graph.number_of_nodes(), 'stakeholders', lang)}, "
        f"{counted(graph.number_of_edges(), 'relations', lang)}, {counted(conflicts, 'conflicts', lang)}."
    )
    if len(shown) < graph.number_of_nodes():
        description += (
            f" {number_text(len(shown), lang)} {phrase('shown', lang)} "
            f"{number_text(graph.number_of_nodes(), lang)} "
            f"({phrase('most_influential', lang)})."
        )
    parts = open_svg(width, height, id_prefix, phrase("map_title", lang), description, lang)
    parts.append(
        f'<defs><marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{RELATION_COLOUR}"/>'
        "</marker></defs>"
    )
    if not shown:
        parts.append(
            halo_label(frame.plot_width / 2, height / 2, phrase("empty", lang), size=16, anchor="middle")
        )
    else:
        positions = _layout(graph, shown, frame, seed)
        parts += _map_edges(graph, shown, positions, lang, id_prefix)
        parts += _map_nodes(graph, shown, positions, lang, frame)
    parts.append(halo_label(frame.margin / 2, 26, phrase("map_title", lang), size=16, weight="bold"))
    parts.append(halo_label(frame.margin / 2, height - 12, description, size=11))
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
        title = f"<title>{escape_text(text)}</title>"
        if relation is RelationType.conflit:
            # Bowed, so that it never runs through a stakeholder sitting between the two sides.
            bend_x, bend_y = (x1 + x2) / 2 - (y2 - y1) * 0.18, (y1 + y2) / 2 + (x2 - x1) * 0.18
            conflicts.append(
                f'<path d="M{coord(x1)},{coord(y1)} Q{coord(bend_x)},{coord(bend_y)} '
                f'{coord(x2)},{coord(y2)}" fill="none" '
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
            f'<line x1="{coord(x1)}" y1="{coord(y1)}" x2="{coord(x2)}" y2="{coord(y2)}" '
            f'stroke="{RELATION_COLOUR}" '
            f'stroke-width="1.3" stroke-opacity="0.75"{marker}>{title}</line>'
        )
    return ["<g>", *ordinary, *conflicts, "</g>"]


def _map_nodes(
    graph: nx.MultiDiGraph,
    shown: list[str],
    positions: dict[str, tuple[float, float]],
    lang: str,
    frame: _Frame,
) -> list[str]:
    parts = ["<g>"]
    for node in sorted(shown, key=lambda node: (-graph.nodes[node]["power"], node)):  # big discs first, under
        data = graph.nodes[node]
        x, y = positions[node]
        parts.append(
            f'<g class="stakeholder" data-id={quote_attribute(node)}>'
            f"<title>{escape_text(node_title(data, lang))}</title>"
            f'<circle cx="{coord(x)}" cy="{coord(y)}" r="{coord(_radius(data["power"], len(shown)))}" '
            f'fill="{CATEGORY_COLOURS[data["category"]]}" stroke="#333333" stroke-width="1"/></g>'
        )
    return [
        *parts,
        "</g>",
        '<g aria-hidden="true">',
        *_map_labels(graph, shown, positions, frame),
        "</g>",
    ]


Box = tuple[float, float, float, float]
LABEL_WIDTH = 140.0  # pixels a name may take before it wraps


def label_size(crowd: int) -> float:
    """The names' font size: smaller on denser maps, so that each name finds room near its disc."""
    return 11.0 if crowd <= 30 else 10.0 if crowd <= 60 else 9.0 if crowd <= 120 else 8.0


def _map_labels(
    graph: nx.MultiDiGraph, shown: list[str], positions: dict[str, tuple[float, float]], frame: _Frame
) -> list[str]:
    """Every stakeholder's whole name next to its disc, wrapped on several lines when long. The most important
    are placed first (key players, then power and number of relations); each name takes, among eight places
    around its disc at three distances, the one that covers the fewest names and discs already there."""
    degree = graph.subgraph(shown).degree
    crowd = len(shown)
    size = label_size(crowd)

    def importance(node: str) -> tuple[object, ...]:
        data = graph.nodes[node]
        return (
            not is_key_player(data["quadrant"], data["salience_class"]),
            -data["power"],
            -degree[node],
            node,
        )

    order = sorted(shown, key=importance)
    # Every box that a label should not cover: the discs first, then each label as it is placed.
    boxes = np.zeros((2 * crowd, 4))
    for index, node in enumerate(order):
        (x, y), r = positions[node], _radius(graph.nodes[node]["power"], crowd)
        boxes[index] = (x - r, y - r, x + r, y + r)
    area = np.array([0.0, 34.0, float(frame.plot_width), frame.height - 26.0])
    labels = []
    for index, node in enumerate(order):
        lines = wrap_name(graph.nodes[node]["name"], LABEL_WIDTH, size)
        places = _label_places(positions[node], _radius(graph.nodes[node]["power"], crowd), size, lines)
        candidates = np.array([place[3] for place in places])
        others = np.delete(boxes[: crowd + index], index, axis=0)  # not its own disc
        best = int(np.argmin(_crowding(candidates, others, area)))  # the first of equals: the preferred
        x, y, anchor, box = places[best]
        boxes[crowd + index] = box
        labels.append(halo_lines(x, y, lines, size=size, anchor=anchor))
    return labels


def _label_places(
    centre: tuple[float, float], radius: float, size: float, lines: list[str]
) -> list[tuple[float, float, str, Box]]:
    """(x, first baseline, anchor, box) of each place a label may take, the preferred ones first."""
    x, y = centre
    width = max(text_width(line, size) for line in lines)
    height = len(lines) * size * LINE_EM
    ascent = size * 0.95  # from the top of a line box to its baseline
    places = []
    for gap in (3.0, 12.0, 24.0):
        near = radius + gap
        middle, below, above = y - height / 2, y + near * 0.55, y - near * 0.55 - height
        for left, top, anchor in (
            (x + near, middle, "start"),
            (x - near - width, middle, "end"),
            (x + near * 0.7, below, "start"),
            (x + near * 0.7, above, "start"),
            (x - near * 0.7 - width, below, "end"),
            (x - near * 0.7 - width, above, "end"),
            (x - width / 2, y + near, "middle"),
            (x - width / 2, y - near - height, "middle"),
        ):
            anchor_x = {"start": left, "end": left + width, "middle": left + width / 2}[anchor]
            places.append((anchor_x, top + ascent, anchor, (left, top, left + width, top + height)))
    return places


def _crowding(candidates: np.ndarray, others: np.ndarray, area: np.ndarray) -> np.ndarray:
    """For each candidate box (one a row: left, top, right, bottom), how much of the other boxes it covers,
    and how far it spills out of ``area``."""
    size = (candidates[:, 2] - candidates[:, 0]) * (candidates[:, 3] - candidates[:, 1])
    outside = size - _shared(candidates, area[None, :])[:, 0]
    covered = _shared(candidates, others).sum(axis=1)
    return 4 * outside + 3 * covered


def _shared(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The area each box of ``a`` shares with each box of ``b``, as an (len(a), len(b)) array."""
    width = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    height = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _map_legend(
    graph: nx.MultiDiGraph, shown: Sequence[str], frame: _Frame, lang: str, prefix: str
) -> list[str]:
    present = {graph.nodes[node]["category"] for node in shown}
    x = frame.plot_width + 16
    parts = ['<g aria-hidden="true">', halo_label(x, 60, phrase("legend", lang), size=14, weight="bold")]
    y = 86
    for category, colour in CATEGORY_COLOURS.items():
        if category in present:
            parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="7" fill="{colour}" stroke="#333333"/>')
            parts.append(halo_label(x + 22, y, category.label(lang)))
            y += 22
    y += 10
    parts.append(halo_label(x, y, f"{phrase('power', lang)} :", weight="bold"))
    for power, offset in ((1, 16), (3, 56), (5, 106)):
        parts.append(
            f'<circle cx="{x + offset}" cy="{y + 26}" r="{coord(_radius(power, len(shown)))}" '
            'fill="#ffffff" stroke="#333333"/>'
        )
        parts.append(halo_label(x + offset, y + 62, str(power), anchor="middle"))
    y += 90
    parts.append(
        f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="{RELATION_COLOUR}" stroke-width="1.3" '
        f'marker-end="url(#{prefix}-arrow)"/>'
    )
    parts.append(halo_label(x + 42, y + 4, phrase("relation", lang)))
    y += 24
    parts.append(
        f'<line x1="{x}" y1="{y}" x2="{x + 34}" y2="{y}" stroke="{CONFLICT_COLOUR}" stroke-width="2.5" '
        'stroke-dasharray="7 4"/>'
    )
    parts.append(halo_label(x + 42, y + 4, phrase("conflict", lang)))
    parts.append("</g>")
    return parts
