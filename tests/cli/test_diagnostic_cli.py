"""`gouvernance diagnostic …` as a project lead runs it: findings of each kind traced to the stakeholders and
consultations they came from; a kind it does not know, or a consultation of no one's, is refused."""

from __future__ import annotations

from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.progress import find_engagement_id
from gouvernance.stakeholders import consultations, importing, register_service

LEAD = ActorRef.of("claire", "chef_de_projet")
REGISTER = "Nom;Catégorie;Pouvoir;Intérêt\nCollectif du bocage;association;4;5\nMairie annexe;élu;5;3\n"


def test_findings_are_recorded_by_kind_with_their_sources(team, db, clock) -> None:
    engagement = team.launch()
    with db.transaction() as session:
        engagement_id = find_engagement_id(session, engagement)
        importing.import_csv(
            session, engagement_id=engagement_id, content=REGISTER.encode(), actor=LEAD, clock=clock
        )
        ids = [row.id for row in register_service.list_stakeholders(session, engagement_id)]
        workshop = consultations.add_consultation(
            session, engagement_id=engagement_id, step_key="recensement_forces_vives", held_on="2026-02-10",
            format="atelier", stakeholder_ids=ids, summary="Atelier du bourg", actor=LEAD, clock=clock,
        ).row.id  # fmt: skip

    critical = team.lead(
        "diagnostic", "add", engagement, "--kind", "point critique",
        "--title", "Peu de lieux de rencontre dans les hameaux", "--detail", "Exprimé à l'atelier du bourg.",
        "--with", "collectif du bocage", "--consultation", str(workshop),
    ).stdout  # fmt: skip
    assert "✓ Constat n° " in critical
    assert "inscrit (point critique)." in critical
    team.lead("diagnostic", "add", engagement, "--kind", "besoin", "--title", "Un tiers-lieu au bourg")
    unknown_kind = team.lead("diagnostic", "add", engagement, "--kind", "rêve", "--title", "X", ok=False)
    assert (
        "--kind : « rêve » inconnu (possibles : besoin, atout, point critique, projet en cours)"
        in unknown_kind.stderr
    )
    foreign = team.lead(
        "diagnostic", "add", engagement, "--kind", "atout", "--title", "X", "--consultation", "999999999",
        ok=False,
    )  # fmt: skip
    assert "consultations inconnues dans cet accompagnement : 999999999" in foreign.stderr

    listed = team.observer("diagnostic", "list", engagement).stdout
    assert listed.index("Besoin (1)") < listed.index("Point critique (1)")
    assert "• Peu de lieux de rencontre dans les hameaux" in listed
    assert f"sources : Collectif du bocage, consultation n° {workshop}" in listed
    assert "2 constats." in listed
