"""The état des lieux report gets the register: the stakeholders table, both pictures and the consultations,
with residents who are private persons unnamed and no contact detail anywhere."""

from __future__ import annotations

from gouvernance.deliverables.model import Figure
from gouvernance.deliverables.production import build_on_demand, context_for, deliverables_of
from gouvernance.deliverables.registry import build_document
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.stakeholders_demo import seed_demo_stakeholders
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.spec.catalog import model_for

CHEF = ActorRef.of("julien", "chef_de_projet")


def _figures(sections) -> list[Figure]:
    found = []
    for section in sections:
        found += [block for block in section.blocks if isinstance(block, Figure)]
        found += _figures(section.subsections)
    return found


def test_the_etat_des_lieux_report_shows_the_register_and_its_pictures(
    db, clock, shipped_catalog, launch_engagement
) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_demo_stakeholders(session, engagement_id, actor=CHEF, clock=clock)
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        model = model_for(session, engagement.model_key, engagement.model_version)
        context = context_for(session, engagement, model, "rapport_etat_des_lieux", today=clock.now().date())
        other = context_for(session, engagement, model, "plan_action", today=clock.now().date())

    assert {"stakeholders", "power_interest_svg", "stakeholder_map_svg", "consultations"} <= set(context)
    assert not {"stakeholders", "power_interest_svg"} & set(other)
    caf = next(s for s in context["stakeholders"] if s["name"] == "Caisse d'allocations familiales")
    assert caf == {
        "name": "Caisse d'allocations familiales",
        "category": "partenaire_institutionnel",
        "power": "high",
        "interest": "high",
        "quadrant": "manage_closely",
        "participation_level": "collaborate",
        "salience": "expectant",
    }
    first = context["consultations"][0]
    assert (first["method"], first["participants"], first["step"]) == (
        "interview",
        2,
        "Réunion de cadrage de l'accompagnement",
    )

    document = build_document("rapport_etat_des_lieux", context, clock=clock)
    figures = _figures(document.sections)
    assert [figure.caption for figure in figures] == [
        "Grille pouvoir / intérêt des parties prenantes (Mendelow)",
        "Carte des relations entre parties prenantes",
    ]
    html = DocumentRenderer().render(document, "html").content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 2
    assert "Gérer étroitement" in html
    assert "Concertations menées" in html
    everything = html + context["stakeholder_map_svg"] + context["power_interest_svg"]
    assert "Marc Petit" not in everything  # a resident, as a private person: « Habitant·e n° 1 »
    assert "Habitant·e n° 1" in context["power_interest_svg"]
    assert "courriel.example" not in everything
    assert "cc-valfleuri.example" not in everything
    assert "Nadia Benali" in html  # officials are named by their function


def test_the_report_is_produced_with_the_figures(db, clock, shipped_catalog, launch_engagement) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_demo_stakeholders(session, engagement_id, actor=CHEF, clock=clock)
    store = MemoryBlobStore()
    build_on_demand(
        db,
        engagement_id,
        renderer=DocumentRenderer(),
        store=store,
        clock=clock,
        keys=["rapport_etat_des_lieux"],
    )
    with db.reading() as session:
        rows = {row.format: row for row in deliverables_of(session, engagement_id)}
    assert set(rows) == {"html", "pdf", "docx"}
    assert store.get(rows["html"].sha256).count(b"data:image/svg+xml") == 2
    assert store.get(rows["pdf"].sha256).startswith(b"%PDF")
