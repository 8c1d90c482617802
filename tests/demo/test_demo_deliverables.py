"""The demonstration fills what the deliverables are written from: walked to its end, every dedicated
deliverable of the shared-governance journey reads, in its PDF, the engagement's own content — stakeholders,
objectives, indicators, decisions, consultations — and never a bare « À compléter ». One demo build for the
module: rendering PDFs is slow."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from gouvernance.deliverables.model import PLACEHOLDER
from gouvernance.deliverables.production import render_on_demand
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.content_substance import OBJECTIVES, WORKSHOP_OUTCOME
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.evidence.store import MemoryBlobStore

PDFTOTEXT = shutil.which("pdftotext")
KEYS = (
    "cartographie_acteurs",
    "fiche_traitement_rgpd",
    "referentiel_indicateurs",
    "projet_deliberation",
    "charte_participation",
    "synthese_concertation",
    "rapport_etat_des_lieux",
    "note_securisation_juridique",
    "plan_action",
)
OBJECTIVE_TITLES = [title for title, _, _ in OBJECTIVES.values()]
INDICATOR_LABELS = [indicator.label for _, _, indicators in OBJECTIVES.values() for indicator in indicators]


def _words(text: str) -> str:
    """The text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf_texts(db, shipped_catalog) -> dict[str, str]:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text is not checked")
    model = shipped_catalog.get(DEMO_MODEL)
    demo = launch_demo(db, model, "Communauté de communes du Val Fleuri")
    JourneyWalker(db, model, demo.engagement_id, demo.clock, MemoryBlobStore()).run()
    rendered = render_on_demand(
        db, demo.engagement_id, renderer=DocumentRenderer(), clock=demo.clock, keys=list(KEYS)
    )
    texts = {}
    for key, _, files in rendered:
        [pdf] = [file for file in files if file.filename.endswith(".pdf")]
        out = subprocess.run(
            [PDFTOTEXT, "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout
        texts[key] = _words(out.decode())
    return texts


def test_every_deliverable_is_rendered(pdf_texts) -> None:
    assert set(pdf_texts) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_no_deliverable_says_a_bare_a_completer(pdf_texts, key) -> None:
    assert PLACEHOLDER not in pdf_texts[key]
    assert "Val Fleuri" in pdf_texts[key]


def test_the_stakeholder_map_lists_the_register_conflicts_and_mediators(pdf_texts) -> None:
    text = pdf_texts["cartographie_acteurs"]
    for expected in (
        "SAS Fleuri Aménagement",
        "Collectif « Sauvons le bocage »",
        "Nadia Benali",
        "Habitant·e n° 1",  # a resident registered in person, never named
        "Conflits et médiateurs pressentis",
        "Acteurs clés",
        "Oui (",
    ):
        assert expected in text, expected
    assert "Marc Petit" not in text


def test_the_rgpd_record_states_the_volumes_held(pdf_texts) -> None:
    text = pdf_texts["fiche_traitement_rgpd"]
    assert "Mission d'intérêt public" in text or "mission d'intérêt public" in text
    assert "Parties prenantes inscrites 31" in text
    assert "Aucune durée de conservation n'est paramétrée" in text
    assert "h.marchand@" not in text


def test_the_indicator_framework_has_objectives_indicators_approvals_and_measurements(pdf_texts) -> None:
    text = pdf_texts["referentiel_indicateurs"]
    for expected in [*OBJECTIVE_TITLES, *INDICATOR_LABELS, "Élu·e référent·e", "sophie.bernard"]:
        assert expected in text, expected
    assert "Journal des consultations" in text
    assert "aucune mesure depuis" not in text  # the demo measured every indicator


def test_the_draft_resolution_has_visas_objectives_and_the_recorded_votes(pdf_texts) -> None:
    text = pdf_texts["projet_deliberation"]
    for expected in (
        "Le conseil communautaire,",
        "Vu le code général des collectivités territoriales, notamment son article L. 5211-1",
        "Vu la décision du comité de pilotage",
        "Après en avoir délibéré, DÉCIDE :",
        "Article 1",
        OBJECTIVE_TITLES[0],
        "Pour 38",
        "DCC-",
    ):
        assert expected in text, expected


def test_the_charter_uses_the_register_and_the_methods_in_use(pdf_texts) -> None:
    text = pdf_texts["charte_participation"]
    for expected in (
        "23 400 habitants",
        "Organisation syndicale",
        "Réunion publique",
        "Atelier",
        "une plateforme en ligne complète",
        INDICATOR_LABELS[0],
    ):
        assert expected in text, expected


def test_the_consultation_summary_reports_what_was_said_and_the_findings(pdf_texts) -> None:
    text = pdf_texts["synthese_concertation"]
    for expected in (
        "Atelier citoyen de co-construction",
        "navette le samedi matin",
        _words(WORKSHOP_OUTCOME),
        "Besoin : Une navette le samedi matin",
        "Point critique : Le projet de parc d'activités des Granges divise",
    ):
        assert expected in text, expected


def test_the_dedicated_reports_carry_the_demo_content(pdf_texts) -> None:
    assert "Le projet de parc d'activités des Granges divise" in pdf_texts["rapport_etat_des_lieux"]
    assert OBJECTIVE_TITLES[1] in pdf_texts["plan_action"]
    assert INDICATOR_LABELS[2] in pdf_texts["plan_action"]
