"""The demonstration edition of a participatory budget, walked to its end: its seven deliverables, rendered
as PDF, carry the demo's ideas, decisions, votes per channel and figures, with French headings and nothing
left « À compléter »."""

from __future__ import annotations

import shutil

import pytest

from gouvernance.budget.service import ProposalStatus, closed_vote, proposals
from gouvernance.deliverables.model import PLACEHOLDER
from gouvernance.deliverables.production import context_for, local_today
from gouvernance.deliverables.registry import build_document
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.budget_demo import IDEAS, walk_budget_demo
from gouvernance.engagements.subject import load_subject
from gouvernance.evidence.store import MemoryBlobStore
from tests.processes import run

PDFTOTEXT = shutil.which("pdftotext")
KINDS = (
    "reglement_budget_participatif",
    "catalogue_idees",
    "rapport_analyse",
    "liste_projets_vote",
    "resultats_vote",
    "tableau_suivi_realisation",
    "bilan_budget_participatif",
)


def _text(content: bytes) -> str:
    return " ".join(run([PDFTOTEXT, "-layout", "-", "-"], input=content, text=False).stdout.decode().split())


@pytest.fixture(scope="module")
def edition(db, shipped_catalog):
    return walk_budget_demo(db, shipped_catalog.get("budget-participatif"), MemoryBlobStore())


@pytest.fixture(scope="module")
def pdfs(db, edition) -> dict[str, str]:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text is not checked")
    renderer = DocumentRenderer()
    texts = {}
    with db.reading() as session:
        subject = load_subject(session, edition.engagement_id, None)
        for kind in KINDS:
            context = context_for(
                session, subject.engagement, subject.model, kind, today=local_today(edition.clock)
            )
            document = build_document(kind, context, clock=edition.clock)
            texts[kind] = _text(renderer.render(document, "pdf").content)
    return texts


def test_the_edition_goes_from_ideas_to_built_projects(db, edition) -> None:
    with db.reading() as session:
        rows = proposals(session, edition.engagement_id)
        vote = closed_vote(session, edition.engagement_id)
    assert [row.title for row in rows] == [idea.title for idea in IDEAS]
    statuses = {row.number: ProposalStatus(row.status) for row in rows}
    assert [n for n, s in statuses.items() if s is ProposalStatus.IRRECEVABLE] == [7, 8, 12]
    assert [n for n, s in statuses.items() if s is ProposalStatus.NON_FAISABLE] == [6, 11]
    assert [n for n, s in statuses.items() if s is ProposalStatus.REALISEE] == [1, 3, 10]
    assert [n for n, s in statuses.items() if s is ProposalStatus.LAUREATE] == [2, 5]
    # 100 000 €: n° 3 (845 voix), 2 (810) and 1 (602) take 75 300 €; n° 9 (26 400 €) no longer fits the
    # 24 700 € left, n° 5 (12 600 €) does, n° 13 (14 200 €) does not, n° 10 (9 800 €) does: 2 300 € left.
    assert vote is not None
    assert [r["number"] for r in vote.results if r["won"]] == [3, 2, 1, 5, 10]


def test_each_deliverable_carries_the_demos_content(pdfs) -> None:
    assert "Enveloppe d'investissement 100 000 €" in pdfs["reglement_budget_participatif"]
    assert "Plafond par projet 30 000 €" in pdfs["reglement_budget_participatif"]
    assert "Vote des habitants" in pdfs["reglement_budget_participatif"]  # the calendar, from the steps
    assert "sans objet (étape écartée)" in pdfs["reglement_budget_participatif"]  # a first edition
    assert "13 idées déposées" in pdfs["catalogue_idees"]
    assert "Gratuité de la cantine" in pdfs["catalogue_idees"]
    assert "Bords de Loire" in pdfs["catalogue_idees"]
    assert "ouvrage du département de Maine-et-Loire" in pdfs["rapport_analyse"]
    assert "210 000 €" in pdfs["rapport_analyse"]
    assert "zone rouge" in pdfs["rapport_analyse"]
    assert "8 projets soumis au vote" in pdfs["liste_projets_vote"]
    assert "Pumptrack pour vélos" in pdfs["liste_projets_vote"]
    assert "4 380 voix exprimées" in pdfs["resultats_vote"]
    assert "En ligne 2 945 67 %" in pdfs["resultats_vote"]
    assert "Urne 1 435 33 %" in pdfs["resultats_vote"]
    assert "Reliquat 2 300 €" in pdfs["resultats_vote"]
    assert "3 projets réalisés sur 5 projets lauréats (60 %)" in pdfs["tableau_suivi_realisation"]
    assert "Verger conservatoire" in pdfs["tableau_suivi_realisation"]
    assert "Affectée aux projets lauréats 97 700 €" in pdfs["bilan_budget_participatif"]
    assert "Le vote en ligne représente 67 % des voix" in pdfs["bilan_budget_participatif"]


@pytest.mark.parametrize("kind", KINDS)
def test_no_deliverable_is_left_to_complete_or_has_an_english_heading(pdfs, kind) -> None:
    text = pdfs[kind]
    assert PLACEHOLDER not in text
    for english in ("Parameters", "Evidence", "Attached files", "Launch parameters"):
        assert english not in text
    assert "Annexe – Pièces justificatives" in text
