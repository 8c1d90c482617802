from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from gouvernance.deliverables.model import (
    DeliverableDocument,
    Figure,
    Paragraph,
    Section,
    Table,
    Territory,
    kind_label,
    outline,
    slugify,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def document(**overrides):
    fields = {
        "kind": "plan_action",
        "title": "Plan d'action",
        "territory": Territory(name="Saint-Martin-d'Hères", kind="commune", insee_code="38421"),
        "engagement_reference": "ACC-1",
        "generated_at": datetime(2026, 11, 21, 23, 30, tzinfo=UTC),
        "author": "Claire Dupont",
        "sections": [
            Section(heading="A", subsections=[Section(heading="A1"), Section(heading="A2")]),
            Section(heading="B"),
        ],
    }
    return DeliverableDocument(**(fields | overrides))


def test_tables_must_be_rectangular():
    with pytest.raises(ValidationError, match="row 1 has 1 cells, expected 2"):
        Table(headers=["a", "b"], rows=[["1", "2"], ["3"]])


def test_column_widths_need_one_positive_weight_per_column():
    with pytest.raises(ValidationError):
        Table(headers=["a", "b"], rows=[], column_widths=[1])
    assert Table(headers=["a", "b"], rows=[], column_widths=[1, 3]).width_percents() == [25.0, 75.0]


def test_figures_must_be_svg():
    assert Figure(svg=SVG, caption="c", alt="a").data_uri.startswith("data:image/svg+xml;base64,")
    with pytest.raises(ValidationError, match="root element must be <svg>"):
        Figure(svg="<html></html>", caption="c", alt="a")
    with pytest.raises(ValidationError, match="not well-formed"):
        Figure(svg="<svg", caption="c", alt="a")


def test_figures_never_resolve_external_entities():
    external = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'
    with pytest.raises(ValidationError, match="not well-formed"):
        Figure(svg=external, caption="c", alt="a")


def test_generated_at_must_be_aware():
    with pytest.raises(ValidationError, match="timezone-aware"):
        document(generated_at=datetime(2026, 11, 21, 12, 0))


def test_kind_must_be_an_identifier():
    with pytest.raises(ValidationError):
        document(kind="../etc")


def test_insee_code_pattern():
    assert Territory(name="Ajaccio", insee_code="2A004").insee_code == "2A004"
    with pytest.raises(ValidationError):
        Territory(name="X", insee_code="abc")


def test_outline_numbers_sections_and_subsections():
    entries = outline(document())
    assert [entry.label for entry in entries] == ["1. A", "2. B"]
    assert [child.label for child in entries[0].children] == ["1.1. A1", "1.2. A2"]
    assert entries[0].children[1].anchor == "sec-1-2"
    assert entries[0].children[1].depth == 2


def test_unnumbered_documents_keep_unique_anchors():
    entries = outline(document(numbered_headings=False))
    assert [entry.label for entry in entries] == ["A", "B"]
    assert len({entry.anchor for entry in entries}) == 2


def test_filename_uses_the_paris_day_and_an_ascii_slug():
    # 23:30 UTC on the 21st is the 22nd in Paris.
    assert document().filename("pdf") == "plan_action-saint-martin-d-heres-2026-11-22.pdf"


def test_slugify_and_kind_label():
    assert slugify("Île-de-France !") == "ile-de-france"
    assert slugify("***") == "document"
    assert kind_label("plan_action") == "Plan d'action"
    assert kind_label("compte_rendu_atelier") == "Compte rendu atelier"


def test_documents_are_immutable():
    with pytest.raises(ValidationError):
        Paragraph(text="x").text = "y"  # type: ignore[misc]


def test_control_characters_that_xml_cannot_hold_are_dropped():
    assert Paragraph(text="Ligne\x0bcollée\x00 ici\n\tet là").text == "Lignecollée ici\n\tet là"
    assert Table(headers=["a\x1f"], rows=[["\x08b"]]).rows == [["b"]]
