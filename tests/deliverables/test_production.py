"""Deliverables produced from the outbox when a step that produces them is done, and rebuilt on demand:
stored content-addressed, with a version history, never twice for the same event."""

from __future__ import annotations

import io

from docx import Document

from gouvernance.deliverables.production import build_on_demand, deliverables_of, produce_from_outbox
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.evidence.store import MemoryBlobStore
from tests.engagements.helpers import finish_a1_a2


def test_done_step_renders_its_deliverables_once(db, clock, mini_model, launch_engagement, people) -> None:
    store = MemoryBlobStore()
    renderer = DocumentRenderer()
    engagement_id = launch_engagement(mini_model)
    finish_a1_a2(db, clock, engagement_id, people, store)
    produced = produce_from_outbox(db, renderer=renderer, store=store, clock=clock)
    mine = [p for p in produced if p.engagement_id == engagement_id]
    assert {p.key for p in mine} == {"note"}
    assert sorted(p.format for p in mine) == ["docx", "html", "pdf"]
    assert produce_from_outbox(db, renderer=renderer, store=store, clock=clock) == []  # nothing twice
    with db.reading() as session:
        rows = deliverables_of(session, engagement_id)
    assert {(r.format, r.version) for r in rows} == {("html", 1), ("pdf", 1), ("docx", 1)}
    pdf = next(r for r in rows if r.format == "pdf")
    assert store.get(pdf.sha256).startswith(b"%PDF")
    docx = Document(io.BytesIO(store.get(next(r for r in rows if r.format == "docx").sha256)))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "Saint-Jean-de-Braye" in text
    html = store.get(next(r for r in rows if r.format == "html").sha256).decode()
    assert 'lang="fr"' in html
    assert "note juridique" in html  # the evidence gathered is listed in the annex


def test_rebuilding_on_demand_adds_a_version(db, clock, mini_model, launch_engagement, people) -> None:
    store = MemoryBlobStore()
    engagement_id = launch_engagement(mini_model)
    first = build_on_demand(db, engagement_id, renderer=DocumentRenderer(), store=store, clock=clock)
    second = build_on_demand(db, engagement_id, renderer=DocumentRenderer(), store=store, clock=clock)
    assert {p.version for p in first} == {1}
    assert {p.version for p in second} == {2}
    with db.reading() as session:
        assert len(deliverables_of(session, engagement_id)) == 6
