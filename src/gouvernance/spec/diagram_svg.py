"""An SVG drawing of a process model, beside the Mermaid text (``diagram.py``) for readers without a Mermaid
renderer: first the stage graph, stages as boxes in columns by dependency level with an arrow per ``after``;
then each stage with its steps, laid out the same way by their own ``after``.

Pure: built with ElementTree (which escapes every text), no layout engine. Titles are wrapped; every box and
arrow carries a ``<title>`` naming it in full, and the drawing a ``<title>`` and a ``<desc>``."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter

from gouvernance.spec.schema import ProcessModel

SVG_NS = "http://www.w3.org/2000/svg"
BOX_WIDTH = 230
LINE_HEIGHT = 16
PADDING = 10
GAP_X = 60
GAP_Y = 20
MARGIN = 20
HEADING = 34
WRAP = 30

_FILL = {
    "stage": "#e8eef7",
    "decision": "#fdf0d5",
    "review": "#f3e5f5",
    "consultation": "#e3f4ea",
    "training": "#fff8e1",
    "mediation": "#fbe9e7",
    "evaluation": "#e0f2f1",
}


@dataclass(frozen=True)
class _Node:
    key: str
    title: str
    subtitle: str
    kind: str
    after: tuple[str, ...]


@dataclass(frozen=True)
class _Box:
    node: _Node
    lines: tuple[str, ...]
    x: float
    y: float

    @property
    def height(self) -> float:
        return 2 * PADDING + LINE_HEIGHT * (len(self.lines) + (1 if self.node.subtitle else 0))


def svg(model: ProcessModel, lang: str = "fr") -> str:
    """The model's drawing as an SVG document."""
    fr = lang == "fr"
    stage_nodes = [
        _Node(stage.key, stage.title.text(lang), "", "stage", tuple(stage.after)) for stage in model.stages
    ]
    sections: list[tuple[str, str, list[_Node]]] = [
        ("section-phases", "Enchaînement des phases" if fr else "Stage graph", stage_nodes)
    ]
    for index, stage in enumerate(model.stages, start=1):
        steps = [
            _Node(
                step.key,
                step.title.text(lang),
                model.role_title(step.role, lang),
                step.kind,
                tuple(step.after),
            )
            for step in stage.steps
        ]
        sections.append((f"section-{stage.key}", f"{index}. {stage.title.text(lang)}", steps))

    root = ET.Element("svg", {"xmlns": SVG_NS, "role": "img", "aria-labelledby": "titre description"})
    ET.SubElement(root, "title", id="titre").text = f"{model.title.text(lang)} (v{model.version})"
    ET.SubElement(root, "desc", id="description").text = (
        f"{len(model.stages)} phases et {len(model.steps_by_key)} étapes : d'abord l'enchaînement des "
        "phases, puis les étapes de chaque phase ; une flèche va de chaque prérequis à ce qui l'attend."
        if fr
        else f"{len(model.stages)} stages and {len(model.steps_by_key)} steps: the stage graph first, then "
        "each stage's steps; an arrow goes from each prerequisite to what waits for it."
    )
    _arrowhead(root)
    y, width = float(MARGIN), 0.0
    for section_id, heading, nodes in sections:
        group = ET.SubElement(root, "g", {"class": "section", "id": section_id})
        text = ET.SubElement(group, "text", {"x": str(MARGIN), "y": _n(y + 18), "font-weight": "bold"})
        text.text = heading
        boxes = _layout(nodes, MARGIN, y + HEADING)
        for box in boxes.values():
            _draw_box(group, box)
        for box in boxes.values():
            for before in box.node.after:
                if before in boxes:
                    _draw_arrow(group, boxes[before], box)
        bottom = max((b.y + b.height for b in boxes.values()), default=y + HEADING)
        width = max(width, max((b.x + BOX_WIDTH for b in boxes.values()), default=0.0))
        y = bottom + 2 * GAP_Y
    root.set("width", str(int(width + MARGIN)))
    root.set("height", str(int(y)))
    root.set("viewBox", f"0 0 {int(width + MARGIN)} {int(y)}")
    root.set("font-family", "Marianne, Arial, sans-serif")
    root.set("font-size", "13")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"


def _levels(nodes: Sequence[_Node]) -> dict[str, int]:
    known = {node.key for node in nodes}
    graph = {node.key: [key for key in node.after if key in known] for node in nodes}
    levels: dict[str, int] = {}
    for key in TopologicalSorter(graph).static_order():
        levels[key] = 1 + max((levels[before] for before in graph[key]), default=-1)
    return levels


def _layout(nodes: Sequence[_Node], x0: float, y0: float) -> dict[str, _Box]:
    levels = _levels(nodes)
    boxes: dict[str, _Box] = {}
    column_y: dict[int, float] = {}
    for node in nodes:  # in the model's order within each column
        level = levels[node.key]
        lines = tuple(textwrap.wrap(node.title, WRAP)) or ("",)
        box = _Box(node, lines, x0 + level * (BOX_WIDTH + GAP_X), column_y.get(level, y0))
        boxes[node.key] = box
        column_y[level] = box.y + box.height + GAP_Y
    return boxes


def _draw_box(parent: ET.Element, box: _Box) -> None:
    node = box.node
    prefix = "phase" if node.kind == "stage" else "etape"  # a step may share its key with a stage
    group = ET.SubElement(parent, "g", {"class": f"box {node.kind}", "id": f"{prefix}-{node.key}"})
    full = f"{node.title} — {node.subtitle}" if node.subtitle else node.title
    ET.SubElement(group, "title").text = full
    ET.SubElement(
        group,
        "rect",
        x=_n(box.x),
        y=_n(box.y),
        width=str(BOX_WIDTH),
        height=_n(box.height),
        rx="6",
        fill=_FILL.get(node.kind, "#ffffff"),
        stroke="#3a4a6b",
    )
    text = ET.SubElement(group, "text", x=_n(box.x + PADDING), y=_n(box.y + PADDING))
    for line in _lines(box):
        tspan = ET.SubElement(text, "tspan", x=_n(box.x + PADDING), dy=str(LINE_HEIGHT))
        tspan.text = line
    if node.subtitle:
        tspan.set("font-style", "italic")


def _lines(box: _Box) -> Iterable[str]:
    yield from box.lines
    if box.node.subtitle:
        yield box.node.subtitle


def _draw_arrow(parent: ET.Element, source: _Box, target: _Box) -> None:
    x1, y1 = source.x + BOX_WIDTH, source.y + source.height / 2
    x2, y2 = target.x, target.y + target.height / 2
    bend = max((x2 - x1) / 2, 20)
    group = ET.SubElement(parent, "g", {"class": "arrow"})
    ET.SubElement(group, "title").text = f"{source.node.title} → {target.node.title}"
    curve = f"M {_n(x1)} {_n(y1)} C {_n(x1 + bend)} {_n(y1)}, {_n(x2 - bend)} {_n(y2)}, {_n(x2)} {_n(y2)}"
    attributes = {
        "d": curve,
        "fill": "none",
        "stroke": "#3a4a6b",
        "marker-end": "url(#fleche)",
        "data-from": source.node.key,
        "data-to": target.node.key,
    }
    ET.SubElement(group, "path", attributes)


def _arrowhead(root: ET.Element) -> None:
    defs = ET.SubElement(root, "defs")
    marker = ET.SubElement(
        defs,
        "marker",
        id="fleche",
        viewBox="0 0 10 10",
        refX="10",
        refY="5",
        markerWidth="7",
        markerHeight="7",
        orient="auto-start-reverse",
    )
    ET.SubElement(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill="#3a4a6b")


def _n(value: float) -> str:
    return f"{value:.0f}"
