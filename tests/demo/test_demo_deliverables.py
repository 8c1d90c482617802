"""The demonstration fills what the deliverables are written from: walked to its end, every one of the 15
deliverables of the shared-governance journey reads, in its PDF, the engagement's own content — stakeholders,
objectives, indicators, decisions, consultations, training sessions, convention parties, communication
actions, evaluation — and never a bare « À compléter »; their DOCX neither, and the ones with figures carry
them as pictures. One demo build for the module: rendering is slow."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass

import docx
import pytest

from gouvernance.deliverables.model import PLACEHOLDER
from gouvernance.deliverables.production import render_on_demand
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.content_item7 import COMMUNICATION, ELUS, SESSIONS
from gouvernance.demo.content_substance import ACTIONS, OBJECTIVES, WORKSHOP_OUTCOME
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
    "plan_communication",
    "plan_formation",
    "feuille_emargement",
    "bilan_formation",
    "convention_partenariat",
    "rapport_evaluation",
)
WITH_FIGURES = ("cartographie_acteurs", "rapport_etat_des_lieux", "rapport_evaluation")
DOCX_CHECKED = (*WITH_FIGURES, "projet_deliberation", "convention_partenariat")
OBJECTIVE_TITLES = [title for title, _, _ in OBJECTIVES.values()]
INDICATOR_LABELS = [indicator.label for _, _, indicators in OBJECTIVES.values() for indicator in indicators]
ACTION_TITLES = [title for actions in ACTIONS.values() for title, _, _ in actions]
SESSION_TITLES = [session[0] for session in SESSIONS]


@dataclass(frozen=True)
class Rendered:
    pdf_texts: dict[str, str]
    docx_files: dict[str, bytes]


def _words(text: str) -> str:
    """The text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


def has(text: str, expected: str) -> bool:
    """Whether ``expected`` reads in ``text``, whatever the line breaks and hyphenation of the PDF: letters
    and digits only are compared."""
    return _letters(expected) in _letters(text)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


@pytest.fixture(scope="module")
def rendered(db, shipped_catalog) -> Rendered:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text is not checked")
    model = shipped_catalog.get(DEMO_MODEL)
    demo = launch_demo(db, model, "Communauté de communes du Val Fleuri")
    JourneyWalker(db, model, demo.engagement_id, demo.clock, MemoryBlobStore()).run()
    rendered = render_on_demand(
        db, demo.engagement_id, renderer=DocumentRenderer(), clock=demo.clock, keys=list(KEYS)
    )
    texts, words = {}, {}
    for key, _, files in rendered:
        [pdf] = [file for file in files if file.filename.endswith(".pdf")]
        out = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf.content, capture_output=True, check=True).stdout
        texts[key] = _words(out.decode())
        for file in files:
            if file.filename.endswith(".docx"):
                words[key] = file.content
    return Rendered(texts, words)


@pytest.fixture(scope="module")
def pdf_texts(rendered: Rendered) -> dict[str, str]:
    return rendered.pdf_texts


def _docx_text(document: docx.document.Document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells if cell.text]
    return _words("\n".join([*(paragraph.text for paragraph in document.paragraphs), *cells]))


def test_every_deliverable_is_rendered(pdf_texts) -> None:
    assert set(pdf_texts) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_no_deliverable_says_a_bare_a_completer(pdf_texts, key) -> None:
    assert not has(pdf_texts[key], PLACEHOLDER)
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
        assert has(text, expected), expected
    assert "Marc Petit" not in text


def test_the_rgpd_record_states_the_volumes_held(pdf_texts) -> None:
    text = pdf_texts["fiche_traitement_rgpd"]
    assert has(text, "mission d'intérêt public (article 6.1.e du RGPD)")
    assert has(text, "Parties prenantes inscrites 31")
    assert has(text, "Aucune durée de conservation n'est paramétrée")
    assert "h.marchand@" not in text


def test_the_indicator_framework_has_objectives_indicators_approvals_and_measurements(pdf_texts) -> None:
    text = pdf_texts["referentiel_indicateurs"]
    for expected in [*OBJECTIVE_TITLES, *INDICATOR_LABELS, "Élu·e référent·e", "sophie.bernard"]:
        assert has(text, expected), expected
    assert has(text, "Journal des consultations")
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
        assert has(text, expected), expected


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
        assert has(text, expected), expected


def test_the_consultation_summary_reports_what_was_said_and_the_findings(pdf_texts) -> None:
    text = pdf_texts["synthese_concertation"]
    for expected in (
        "Atelier citoyen de co-construction",
        "navette le samedi matin",
        _words(WORKSHOP_OUTCOME),
        "Besoin : Une navette le samedi matin",
        "Point critique : Le projet de parc d'activités des Granges divise",
    ):
        assert has(text, expected), expected


def test_the_dedicated_reports_carry_the_demo_content(pdf_texts) -> None:
    assert has(pdf_texts["rapport_etat_des_lieux"], "Le projet de parc d'activités des Granges divise")
    assert has(pdf_texts["plan_action"], OBJECTIVE_TITLES[1])
    assert has(pdf_texts["plan_action"], INDICATOR_LABELS[2])


def test_the_training_plan_lists_the_demo_sessions_and_trainers(pdf_texts) -> None:
    text = pdf_texts["plan_formation"]
    for expected in [
        *SESSION_TITLES,
        "Institut Territoires et Participation",
        "Salle du conseil communautaire",
    ]:
        assert has(text, expected), expected


def test_the_attendance_sheets_list_each_session_and_its_attendees(pdf_texts) -> None:
    text = pdf_texts["feuille_emargement"]
    for expected in [*SESSION_TITLES, *(name for name, _, _ in ELUS), "Martine Lefèvre", "Signature"]:
        assert has(text, expected), expected


def test_the_training_review_reports_the_attendance(pdf_texts) -> None:
    text = pdf_texts["bilan_formation"]
    for expected in ("Présence par séance", "Séances tenues 3", "83,3 %", *SESSION_TITLES):
        assert has(text, expected), expected


def test_the_convention_names_the_parties_their_means_and_commitments(pdf_texts) -> None:
    text = pdf_texts["convention_partenariat"]
    for expected in (
        "Centre social intercommunal La Passerelle",
        "Association Les Jardins partagés",
        "Hélène Marchand, Présidente",
        "Animation de six ateliers de quartier par an",
        "Ouvrir les jardins aux ateliers intergénérationnels",
        OBJECTIVE_TITLES[0],
    ):
        assert has(text, expected), expected


def test_the_communication_plan_lists_the_demo_actions(pdf_texts) -> None:
    text = pdf_texts["plan_communication"]
    for title, *_ in COMMUNICATION:
        assert has(text, title), title
    assert has(text, "Service communication")


def test_the_evaluation_report_evaluates_objectives_indicators_and_actions(pdf_texts) -> None:
    text = pdf_texts["rapport_evaluation"]
    for expected in [*OBJECTIVE_TITLES, *INDICATOR_LABELS, *ACTION_TITLES, "Évaluation de l'objectif"]:
        assert has(text, expected), expected
    assert not has(text, "non évalué")  # every demo indicator has its dates, baseline and target
    assert has(text, "Période évaluée du")
    assert has(text, "L'évaluation au")  # the method, counted from the engagement's records
    assert has(text, "115 jours")  # the action plan's days of work
    assert has(text, "Achever l'action « Installer l'instance de dialogue sur le parc d'activités »")
    # The conclusion gives each objective's standing, as evaluated on the report's day: three in all.
    flat = " ".join(text.split())
    standing = re.search(r"sur 3 objectifs : (\d+ [^,.]+(?:, \d+ [^,.]+)*)\.", flat)
    assert standing, "the conclusion counts the three objectives"
    assert sum(int(count) for count in re.findall(r"(\d+) ", standing.group(1))) == 3
    assert "aucune mesure depuis" not in text


@pytest.mark.parametrize("key", DOCX_CHECKED)
def test_the_docx_has_no_placeholder_and_carries_its_figures(rendered, key) -> None:
    document = docx.Document(io.BytesIO(rendered.docx_files[key]))
    text = _docx_text(document)
    assert "Val Fleuri" in text
    assert not has(text, PLACEHOLDER)
    if key in WITH_FIGURES:
        assert len(document.inline_shapes) >= 2, key
