"""Stakeholder exports: CSV for spreadsheets, GraphML and GEXF for graph tools (Gephi, yEd, Cytoscape).

Contact details are personal data (RGPD): they are left out unless ``include_contacts=True``, which is for
internal use only; public exports never set it.

The CSV is what French spreadsheets open directly (``;``, a BOM, CRLF line ends, French headers and labels)
and what ``csv_import`` reads back. Every cell is quoted. What a spreadsheet would run as a formula (``=``,
``+``, ``-``, ``@``, tab or carriage return, after spaces) gets an apostrophe before it, at the start of a
cell and after every ``,`` or ``;`` in it: a spreadsheet that splits on the other separator starts a new
cell there. The import removes these apostrophes again.

Graph files hold only what XML 1.0 can: other characters, stored before the input rules, become U+FFFD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import networkx as nx

from gouvernance.inputs import xml_text
from gouvernance.spreadsheets import neutralise_formula
from gouvernance.stakeholders.analysis.classification import (
    HIGH_SCORE_THRESHOLD,
    mendelow_quadrant,
    mitchell_class,
)
from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.analysis.results import Analysis
from gouvernance.stakeholders.csv_import import COLUMNS
from gouvernance.stakeholders.pictures.drawing import CATEGORY_COLOURS
from gouvernance.stakeholders.records import RelationData, StakeholderData
from gouvernance.stakeholders.vocabulary import Category, SalienceAttribute, SalienceClass

CSV_FIELDS = (
    "id",
    "name",
    "kind",
    "category",
    "power",
    "interest",
    "attitude",
    "salience",
    "salience_class",
    "quadrant",
    "target_level",
    "tags",
    "notes",
)
CONTACT_FIELDS = ("email", "phone")
_CSV_ROWS_PER_CHUNK = 1000


def _salience_text(attributes: frozenset[SalienceAttribute], lang: str) -> str:
    """Attributes in a fixed order; an empty set is written as the class (« non partie prenante ») so that it
    reads back as empty rather than being derived again from the power score."""
    if not attributes:
        return SalienceClass.non_stakeholder.label(lang)
    return ", ".join(attribute.label(lang) for attribute in SalienceAttribute if attribute in attributes)


def stakeholders_csv(
    stakeholders: Iterable[StakeholderData],
    *,
    include_contacts: bool = False,
    lang: str = "fr",
    bom: bool = True,
    threshold: float = HIGH_SCORE_THRESHOLD,
) -> str:
    """One row per stakeholder, headers and labels in ``lang``, the quadrant from the engagement's Mendelow
    ``threshold``. With ``bom``, the text starts with a BOM so that Excel reads it as UTF-8; encode it as
    UTF-8."""
    return "".join(
        _csv_pieces(stakeholders, include_contacts=include_contacts, lang=lang, bom=bom, threshold=threshold)
    )


def stakeholders_csv_chunks(
    stakeholders: Iterable[StakeholderData],
    *,
    include_contacts: bool = False,
    lang: str = "fr",
    threshold: float = HIGH_SCORE_THRESHOLD,
) -> Iterator[bytes]:
    """``stakeholders_csv`` (with its BOM) encoded as UTF-8, a thousand rows at a time."""
    for piece in _csv_pieces(
        stakeholders, include_contacts=include_contacts, lang=lang, bom=True, threshold=threshold
    ):
        yield piece.encode()


def _csv_pieces(
    stakeholders: Iterable[StakeholderData], *, include_contacts: bool, lang: str, bom: bool, threshold: float
) -> Iterator[str]:
    fields = CSV_FIELDS + (CONTACT_FIELDS if include_contacts else ())
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([COLUMNS[name][1 if lang == "en" else 0] for name in fields])
    for count, stakeholder in enumerate(stakeholders, 1):
        row = _csv_row(stakeholder, lang, threshold)
        if include_contacts:
            contact = stakeholder.contact
            row += [(contact.email or "") if contact else "", (contact.phone or "") if contact else ""]
        writer.writerow([neutralise_formula(cell) for cell in row])
        if count % _CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_row(stakeholder: StakeholderData, lang: str, threshold: float) -> list[str]:
    return [
        stakeholder.id,
        stakeholder.name,
        stakeholder.kind.label(lang),
        stakeholder.category.label(lang),
        str(stakeholder.power),
        str(stakeholder.interest),
        stakeholder.attitude.label(lang),
        _salience_text(stakeholder.salience, lang),
        mitchell_class(stakeholder.salience).label(lang),
        mendelow_quadrant(stakeholder.power, stakeholder.interest, threshold).label(lang),
        stakeholder.target_level.label(lang) if stakeholder.target_level else "",
        ", ".join(stakeholder.tags),
        stakeholder.notes or "",
    ]


def export_graph(
    stakeholders: Iterable[StakeholderData],
    relations: Iterable[RelationData],
    *,
    graph: nx.MultiDiGraph | None = None,
    include_contacts: bool = False,
    analysis: Analysis | None = None,
    lang: str = "fr",
) -> nx.MultiDiGraph:
    """The map with plain attribute types only (strings, numbers, booleans), as graph files need them.

    Nodes: ``label`` (the name), the codes of ``kind``, ``category``, ``attitude``, ``quadrant``,
    ``salience_class`` and ``target_level``, ``salience`` (codes, comma-separated), ``power``, ``interest``,
    ``tags`` (``|``-separated), ``notes``, French or English ``category_label`` and ``quadrant_label``;
    with an analysis, ``community`` (its number, from 1 as in the analysis; -1: none) and ``betweenness``;
    with contacts, ``email`` and ``phone``.
    Edges: ``relation`` (code), ``relation_label``, ``weight``, ``directed``, ``start_date`` (ISO or "").

    ``graph``: the map ``build_graph`` already made of these records (for the analysis), not built again."""
    stakeholders = list(stakeholders)
    if graph is None:
        graph = build_graph(stakeholders, relations)
    profiles = {profile.party.id: profile for profile in analysis.profiles} if analysis else {}
    contacts = {stakeholder.id: stakeholder.contact for stakeholder in stakeholders}
    notes = {stakeholder.id: stakeholder.notes or "" for stakeholder in stakeholders}
    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        attributes: dict[str, object] = {
            "label": xml_text(data["name"]),
            "kind": data["kind"].value,
            "category": data["category"].value,
            "category_label": data["category"].label(lang),
            "power": data["power"],
            "interest": data["interest"],
            "attitude": data["attitude"].value,
            "salience": ",".join(a.value for a in SalienceAttribute if a in data["salience"]),
            "salience_class": data["salience_class"].value,
            "quadrant": data["quadrant"].value,
            "quadrant_label": data["quadrant"].label(lang),
            "target_level": data["target_level"].value if data["target_level"] else "",
            "tags": xml_text("|".join(data["tags"])),
            "notes": xml_text(notes.get(node, "")),
        }
        if analysis is not None:
            profile = profiles.get(node)
            attributes["community"] = (
                -1 if profile is None or profile.community is None else profile.community + 1
            )
            attributes["betweenness"] = 0.0 if profile is None else float(profile.betweenness)
        if include_contacts:
            contact = contacts[node]
            attributes["email"] = xml_text(contact.email or "") if contact else ""
            attributes["phone"] = xml_text(contact.phone or "") if contact else ""
        out.add_node(xml_text(node), **attributes)
    for index, (source, target, relation, data) in enumerate(graph.edges(keys=True, data=True)):
        out.add_edge(
            xml_text(source),
            xml_text(target),
            key=f"e{index}",
            relation=relation.value,
            relation_label=relation.label(lang),
            weight=float(data["weight"]),
            directed=relation.directed,
            start_date=data["start"].isoformat() if data["start"] else "",
        )
    return out


def stakeholders_graphml(
    stakeholders: Iterable[StakeholderData],
    relations: Iterable[RelationData],
    *,
    graph: nx.MultiDiGraph | None = None,
    include_contacts: bool = False,
    analysis: Analysis | None = None,
    lang: str = "fr",
) -> bytes:
    """GraphML (UTF-8). Symmetric relations are single edges with ``directed`` false."""
    graph = export_graph(
        stakeholders, relations, graph=graph, include_contacts=include_contacts, analysis=analysis, lang=lang
    )
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def stakeholders_gexf(
    stakeholders: Iterable[StakeholderData],
    relations: Iterable[RelationData],
    *,
    graph: nx.MultiDiGraph | None = None,
    include_contacts: bool = False,
    analysis: Analysis | None = None,
    lang: str = "fr",
) -> bytes:
    """GEXF 1.2 (UTF-8) for Gephi: symmetric relations are "mutual" edges (both ways); nodes carry their
    category colour and a size that grows with power."""
    graph = export_graph(
        stakeholders, relations, graph=graph, include_contacts=include_contacts, analysis=analysis, lang=lang
    )
    for _, data in graph.nodes(data=True):
        red, green, blue = _rgb(CATEGORY_COLOURS[Category(data["category"])])
        data["viz"] = {
            "color": {"r": red, "g": green, "b": blue, "a": 1.0},
            "size": 5.0 + 2.5 * data["power"],
        }
    for _, _, key, data in graph.edges(keys=True, data=True):
        data["id"] = key
        # "mutual", not "undirected": GEXF readers (networkx among them) refuse undirected edges in a
        # directed graph, and a symmetric relation does bind both ways.
        data["type"] = "directed" if data["directed"] else "mutual"
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
