"""The Mendelow threshold is a setting of the engagement (launch setting ``seuil_mendelow``, 3.5 by default):
the analysis, the grid, the exports, the import and the quadrant guards all read the engagement's own."""

from __future__ import annotations

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import InvalidInput, TransitionRefused
from gouvernance.stakeholders import reports
from gouvernance.stakeholders.analysis.classification import mendelow_quadrant
from gouvernance.stakeholders.pictures.grid import power_interest_grid_svg
from gouvernance.stakeholders.vocabulary import Quadrant
from tests.engagements.helpers import fire
from tests.stakeholders.conftest import Register, person
from tests.stakeholders.helpers import export_register, import_text

MIDDLING = "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\nmaison;Maison des associations;association;3;3\n"


@pytest.mark.parametrize("value", [1, 5, 0.5, "beaucoup", True, float("nan")])
def test_a_threshold_outside_the_scale_is_refused_at_launch(mini_model, launch_engagement, value) -> None:
    with pytest.raises(InvalidInput) as refused:
        launch_engagement(mini_model, seuil_mendelow=value)
    [reason] = refused.value.reasons
    assert reason.code == "stakeholders.threshold_out_of_range"
    assert "strictement compris entre 1 et 5" in reason.fr


def test_a_score_of_3_is_high_when_the_engagement_says_so(db, clock, mini_model, launch_engagement) -> None:
    default = launch_engagement(mini_model)
    lowered = launch_engagement(mini_model, seuil_mendelow="3")  # as the command line's --param gives it
    for engagement_id in (default, lowered):
        import_text(db, clock, engagement_id, MIDDLING)
    with db.reading() as session:
        analyses = {e: reports.analyse(session, e) for e in (default, lowered)}
        grids = {e: reports.pictures(session, e).power_interest_svg for e in (default, lowered)}
    assert analyses[default].profiles[0].quadrant is Quadrant.surveiller
    assert analyses[lowered].profiles[0].quadrant is Quadrant.gerer_etroitement
    mendelow = analyses[lowered].as_dict("fr")["mendelow"]
    assert mendelow["high_score_threshold"] == 3.0
    assert "élevé à partir de 3 (3, le milieu de l'échelle, l'est)" in mendelow["explanation"]
    assert "élevé à partir de 3 sur 5" in grids[lowered]
    assert "élevé à partir de 3,5 sur 5" in grids[default]
    exported = export_register(db, clock, lowered, "csv").content.decode()
    assert "gérer étroitement" in exported
    # Its own export reads back into it: the quadrant written agrees with the engagement's threshold.
    import_text(db, clock, lowered, exported)


def test_the_grid_splits_the_quadrants_on_the_cells_around_the_threshold() -> None:
    middling = [person("maison", 3, 3)]
    at_3 = power_interest_grid_svg(middling, threshold=3)
    # Scores 3, 4 and 5 are high: « gérer étroitement » spans their three cells (120 px each).
    assert 'data-quadrant="gerer_etroitement" x="320" y="60" width="360" height="360"' in at_3
    assert "gérer étroitement : 1 ; satisfaire : 0 ; informer : 0 ; surveiller : 0" in at_3
    assert "Élevé à partir de 3 sur 5" in at_3
    at_default = power_interest_grid_svg(middling)
    assert 'data-quadrant="gerer_etroitement" x="440" y="60" width="240" height="240"' in at_default
    assert "surveiller : 1" in at_default
    # Between two scores, the split is the same: 2.5 and 3 both make 3 high.
    assert at_3.replace("3 sur 5", "") == power_interest_grid_svg(middling, threshold=2.5).replace(
        "2,5 sur 5", ""
    )
    assert mendelow_quadrant(3, 3, 3) is Quadrant.gerer_etroitement
    assert mendelow_quadrant(3, 3) is Quadrant.surveiller


def test_the_quadrant_guards_follow_the_engagements_threshold(
    db, clock, parties_model, launch_engagement
) -> None:
    consultant, chef = ActorRef.of("claire", "consultant"), ActorRef.of("julien", "chef_de_projet")
    register = Register(db, clock, launch_engagement(parties_model, seuil_mendelow=3)).load()
    for event, actor in (("start", consultant), ("submit", consultant), ("approve", chef)):
        fire(db, clock, register.engagement_id, "entretiens", event, actor)
    fire(db, clock, register.engagement_id, "synthese", "start", consultant)
    register.consult("entretiens", "maire", "promoteur", "collectif", "syndicat", "conseil")
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, register.engagement_id, "synthese", "submit", consultant)
    # At 3.5 these three would do; at 3, the Maison des associations (3, 3) is a key player too.
    [missing] = [r for r in refused.value.reasons if r.code == "guard.stakeholders_not_consulted"]
    assert "Maison des associations" in missing.fr
    register.consult("entretiens", "maison")
    fire(db, clock, register.engagement_id, "synthese", "submit", consultant)


def test_a_bulk_launch_reads_the_register_with_each_engagements_threshold(db, clock, parties_model) -> None:
    import uuid
    from datetime import date

    from gouvernance.engagements.bulk import launch_many
    from gouvernance.engagements.service import LaunchRequest, Territory
    from gouvernance.stakeholders import importing
    from gouvernance.stakeholders.analysis.classification import THRESHOLD_SETTING

    # Power 3 without a « Saillance » column: power counts as a salience attribute only where 3 is high.
    sheet = "Nom;Catégorie;Pouvoir;Intérêt;Légitimité;Urgence\nMaison;association;3;3;oui;non\n"
    requests = [
        (
            f"seuil-{uuid.uuid4().hex}",
            LaunchRequest(parties_model, Territory(name, "commune"), date(2026, 3, 2), parameters),
        )
        for name, parameters in (("Olivet", {}), ("Saran", {THRESHOLD_SETTING: 3}))
    ]
    chef = ActorRef.of("julien", "chef_de_projet")
    outcomes = launch_many(
        db,
        requests,
        actor=chef,
        clock=clock,
        after_launch=importing.importer_for(sheet, actor=chef, clock=clock),
    )
    with db.reading() as session:
        analyses = [reports.analyse(session, outcome.engagement_id) for outcome in outcomes]
    assert [a.profiles[0].quadrant for a in analyses] == [Quadrant.surveiller, Quadrant.gerer_etroitement]
    assert [a.profiles[0].salience_class.value for a in analyses] == ["discretionary", "dominant"]
