"""The demo fills the convention's parties, the training sessions with their attendance and the
communication plan as its people would, and the five deliverables written from them show it: the PDFs
(pdftotext) carry the demo's content, and never a bare « À compléter » where the engine has the facts."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from gouvernance.deliverables.production import render_on_demand
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.scenario import launch_demo
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.training.views import training_review

PDFTOTEXT = shutil.which("pdftotext")
KEYS = [
    "convention_partenariat",
    "plan_formation",
    "feuille_emargement",
    "bilan_formation",
    "plan_communication",
]
EXPECTED = {
    "convention_partenariat": [
        "Centre social intercommunal La Passerelle",
        "Olivier Caron, Directeur",
        "Animation de six ateliers de quartier par an",
        "Ouvrir les jardins aux ateliers intergénérationnels",
        "Hélène Marchand, Présidente",
    ],
    "plan_formation": [
        "Le rôle de l'élu dans une gouvernance partagée",
        "Institut Territoires et Participation (organisme agréé)",
        "Droit individuel à la formation des élus",
        "Animer un atelier participatif",
    ],
    "feuille_emargement": [
        "Coopérer avec la collectivité : la convention de partenariat",
        "Martine Lefèvre",
        "Signature",
        "Gérard Lemoine",
    ],
    "bilan_formation": ["Présence par séance", "83,3", "Séances tenues", "Retour d'expérience à six mois"],
    "plan_communication": [
        "Val Fleuri Mag",
        "réunion publique",
        "Service communication",
        "réalisée",
    ],
}


def _text(content: bytes) -> str:
    assert PDFTOTEXT is not None
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())  # one space for every run of spaces and line breaks


@pytest.fixture(scope="module")
def demo(db, shipped_catalog):
    model = shipped_catalog.get("gouvernance-partagee")
    engagement = launch_demo(db, model, "Communauté de communes du Val Fleuri")
    JourneyWalker(db, model, engagement.engagement_id, engagement.clock, MemoryBlobStore()).run()
    return engagement


def test_the_demo_records_attendance_per_audience(db, demo) -> None:
    with db.reading() as session:
        review = training_review(session, demo.engagement_id)
    assert (review.held, review.planned, review.cancelled) == (3, 1, 0)
    rates = {audience.value: str(attendance.rate) for audience, attendance in review.by_audience.items()}
    assert rates == {"elus": "83.3", "agents": "71.4", "partenaires": "66.7"}


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_demo_pdfs_carry_the_demo_content(db, demo) -> None:
    rendered = render_on_demand(
        db, demo.engagement_id, renderer=DocumentRenderer(), clock=demo.clock, keys=KEYS
    )
    texts = {
        key: _text(next(f.content for f in files if f.filename.endswith(".pdf")))
        for key, _, files in rendered
    }
    assert set(texts) == set(KEYS)
    for key, expected in EXPECTED.items():
        text = texts[key].replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
        for fragment in expected:
            assert fragment in text, (key, fragment)
        assert "À compléter" not in text, key
