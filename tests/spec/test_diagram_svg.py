"""The SVG drawing of a process model: well-formed XML, every stage and step named in full, one arrow per
dependency (between stages, then between the steps of each stage), and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gouvernance.spec.catalog import Catalog
from gouvernance.spec.diagram_svg import svg
from gouvernance.spec.schema import Localized, ProcessModel

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(model: ProcessModel, lang: str = "fr") -> ET.Element:
    return ET.fromstring(svg(model, lang))


def _titles(root: ET.Element, cls: str) -> list[str]:
    return [
        group.findtext("svg:title", namespaces=NS) or ""
        for group in root.iter(f"{{{NS['svg']}}}g")
        if cls in (group.get("class") or "").split()
    ]


@pytest.mark.parametrize("key", ["gouvernance-partagee", "budget-participatif", "co-construction"])
def test_the_drawing_parses_and_names_every_stage_and_step(shipped_catalog: Catalog, key: str) -> None:
    model = shipped_catalog.get(key)
    root = _parse(model)
    assert root.tag == f"{{{NS['svg']}}}svg"
    assert root.findtext("svg:title", namespaces=NS) == f"{model.title.fr} (v{model.version})"
    assert root.findtext("svg:desc", namespaces=NS)
    boxes = _titles(root, "box")
    for stage in model.stages:
        assert stage.title.fr in boxes
        for step in stage.steps:
            assert f"{step.title.fr} — {model.role_title(step.role)}" in boxes
    assert len(boxes) == len(model.stages) + len(model.steps_by_key)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))


def test_one_arrow_per_dependency(shipped_catalog: Catalog) -> None:
    model = shipped_catalog.get("gouvernance-partagee")
    root = _parse(model)
    arrows = {
        (path.get("data-from"), path.get("data-to"))
        for group in root.iter(f"{{{NS['svg']}}}g")
        if group.get("class") == "arrow"
        for path in group.findall("svg:path", NS)
    }
    expected = {(before, stage.key) for stage in model.stages for before in stage.after} | {
        (before, step.key) for step in model.steps_by_key.values() for before in step.after
    }
    assert arrows == expected
    assert len(_titles(root, "arrow")) == len(expected)
    assert ("etat_des_lieux", "securisation_juridique") in arrows
    assert ("deliberation_lancement", "transmission_publication_deliberation") in arrows


def test_text_is_escaped_and_long_titles_wrapped(shipped_catalog: Catalog) -> None:
    model = shipped_catalog.get("gouvernance-partagee")
    tricky = model.model_copy(update={"title": Localized(fr="Parcours <R&D> « test »")})
    raw = svg(tricky)
    assert "Parcours &lt;R&amp;D&gt; « test »" in raw
    root = ET.fromstring(raw)
    assert root.findtext("svg:title", namespaces=NS) == f"Parcours <R&D> « test » (v{model.version})"
    group = next(
        g
        for g in root.iter(f"{{{NS['svg']}}}g")
        if g.get("id") == "etape-transmission_publication_deliberation"
    )
    lines = [tspan.text for tspan in group.iter(f"{{{NS['svg']}}}tspan")]
    assert len(lines) > 2  # the title on several lines, then the role
    assert " ".join(lines[:-1]) == model.steps_by_key["transmission_publication_deliberation"].title.fr
    english = _parse(model, "en")
    assert "Stage graph" in "".join(english.itertext())


def test_the_cli_prints_it_or_writes_it(cli, tmp_path) -> None:
    out = tmp_path / "parcours.svg"
    cli("models", "show", "gouvernance-partagee", "--svg", "--out", str(out))
    assert ET.parse(out).getroot().tag == f"{{{NS['svg']}}}svg"
    printed = cli("models", "show", "gouvernance-partagee", "--svg").stdout
    assert ET.fromstring(printed).findtext("svg:title", namespaces=NS)
