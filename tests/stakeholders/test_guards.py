"""The stakeholder guards through the one door: refused while someone is missing (and named), accepted once
the consultation is recorded. Runs on SQLite, and on PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import TransitionRefused
from gouvernance.spec.validation import TemplateInvalid, load_model_text
from gouvernance.stakeholders.guards import coverage_requirements
from gouvernance.stakeholders.records import StageRequirement
from tests.engagements.helpers import counts, fire, step
from tests.stakeholders.conftest import MODELS

CONSULTANT = ActorRef.of("claire", "consultant")
CHEF = ActorRef.of("julien", "chef_de_projet")


def _start(register, key: str) -> None:
    fire(register.db, register.clock, register.engagement_id, key, "start", CONSULTANT)


def _finish(register, key: str, *, started: bool = False) -> None:
    if not started:
        _start(register, key)
    fire(register.db, register.clock, register.engagement_id, key, "submit", CONSULTANT)
    fire(register.db, register.clock, register.engagement_id, key, "approve", CHEF)


def _refusals(register, key: str, event: str = "submit", actor: ActorRef = CONSULTANT) -> dict[str, object]:
    """The guard refusals of ``event`` by code; asserts nothing was written."""
    before = counts(register.db, register.engagement_id)
    state = step(register.db, register.engagement_id, key).state
    with pytest.raises(TransitionRefused) as refused:
        fire(register.db, register.clock, register.engagement_id, key, event, actor)
    assert counts(register.db, register.engagement_id) == before
    assert step(register.db, register.engagement_id, key).state == state
    return {reason.code: reason for reason in refused.value.reasons}


def _accepted(register, key: str, event: str = "submit", actor: ActorRef = CONSULTANT) -> None:
    result = fire(register.db, register.clock, register.engagement_id, key, event, actor)
    assert result.event == event


def test_an_empty_register_never_satisfies_the_consultation_guards(register) -> None:
    _finish(register, "entretiens")
    _start(register, "synthese")
    reasons = _refusals(register, "synthese")
    assert set(reasons) == {"guard.stakeholder_register_empty"}
    assert "registre des parties prenantes est vide" in reasons["guard.stakeholder_register_empty"].fr


def test_key_players_and_categories_refused_until_consulted_then_accepted(register) -> None:
    register.load()
    _finish(register, "entretiens")
    _start(register, "synthese")
    register.consult("entretiens", "maire")

    reasons = _refusals(register, "synthese")
    players = reasons["guard.stakeholders_not_consulted"]
    assert players.fr == (
        "parties prenantes à « gérer étroitement » non consultées pendant cette phase : "
        "Collectif riverain, Promoteur"
    )
    assert players.en.startswith("stakeholders to 'manage closely' not consulted during this stage: ")
    assert [m["key"] for m in players.details["missing"]] == ["collectif", "promoteur"]
    categories = reasons["guard.categories_not_represented"]
    assert "habitant/usager (0 sur 1 ; à consulter : Collectif riverain, Conseil de quartier" in categories.fr
    assert "organisation syndicale (0 sur 1 ; à consulter : Syndicat)" in categories.fr

    # A consultation recorded for a step of another stage does not count for this one.
    register.consult("partenaires", "collectif", "promoteur", "syndicat")
    assert set(_refusals(register, "synthese")) == {
        "guard.stakeholders_not_consulted",
        "guard.categories_not_represented",
    }

    register.consult("synthese", "collectif", "syndicat")
    reasons = _refusals(register, "synthese")
    assert set(reasons) == {"guard.stakeholders_not_consulted"}  # residents and unions heard now
    assert reasons["guard.stakeholders_not_consulted"].fr.endswith(": Promoteur")
    assert reasons["guard.stakeholders_not_consulted"].details["to_consult"] == [register.ids["promoteur"]]

    register.consult("entretiens", "promoteur")
    _accepted(register, "synthese")
    assert step(register.db, register.engagement_id, "synthese").state == "in_review"


def _to_mediation(register) -> None:
    register.load()
    _finish(register, "entretiens")
    register.consult("entretiens", "maire", "promoteur", "collectif", "syndicat")
    _finish(register, "synthese")
    _start(register, "partenaires")


def test_a_minimum_share_per_category(register) -> None:
    _to_mediation(register)
    reasons = _refusals(register, "partenaires")
    share = reasons["guard.stakeholders_not_consulted"]
    assert "inférieure à 50 %" in share.fr
    # The developer heard during the diagnostic does not count for the mediation stage.
    assert "association 0 sur 4, encore 2 parmi : Maison des associations, Asso A, Asso B, Asso C" in share.fr
    assert "entreprise 0 sur 2, encore 1 parmi : Promoteur, Entreprise B" in share.fr
    assert {(g["category"], g["required"]) for g in share.details["groups"]} == {
        ("association", 2),
        ("entreprise", 1),
    }

    register.consult("partenaires", "asso-a", "entreprise-b", fmt="atelier")
    reasons = _refusals(register, "partenaires")
    assert "association 1 sur 4, encore 1 parmi" in reasons["guard.stakeholders_not_consulted"].fr
    assert "entreprise 1 sur" not in reasons["guard.stakeholders_not_consulted"].fr

    register.consult("partenaires", "asso-c", fmt="questionnaire")
    _accepted(register, "partenaires")
    # On approve, every key player heard at any point of the engagement (scope: engagement) is enough.
    _accepted(register, "partenaires", "approve", CHEF)


def test_conflicts_need_a_meeting_with_both_sides_and_a_mediator(register) -> None:
    _to_mediation(register)
    register.consult("partenaires", "asso-a", "asso-b", "promoteur", fmt="atelier")
    _finish(register, "partenaires", started=True)
    _start(register, "seance")

    reasons = _refusals(register, "seance")
    conflict = reasons["guard.conflicts_not_mediated"]
    assert conflict.fr == (
        "conflits sans séance de médiation réunissant les deux parties et un médiateur pendant cette phase : "
        "Collectif riverain ↔ Promoteur (médiateurs possibles : Maison des associations)"
    )
    [pair] = conflict.details["unmediated"]
    assert [pair["first"]["key"], pair["second"]["key"]] == ["collectif", "promoteur"]
    assert conflict.details["sessions"] == [[register.ids[k] for k in ("collectif", "promoteur", "maison")]]

    register.consult("seance", "collectif", "promoteur", fmt="atelier")  # no go-between
    register.consult("seance", "collectif", "promoteur", "maison", fmt="questionnaire")  # not a meeting
    assert "guard.conflicts_not_mediated" in _refusals(register, "seance")

    register.consult("seance", "collectif", "promoteur", "maison", fmt="atelier")
    _accepted(register, "seance")


def test_without_a_mediator_in_the_map_any_neutral_third_party_will_do(register, db, clock) -> None:
    from gouvernance.stakeholders import relations

    _to_mediation(register)
    with db.transaction() as session:
        for relation in relations.list_relations(session, register.engagement_id):
            if relation.type != "conflit":
                relations.delete_relation(
                    session,
                    engagement_id=register.engagement_id,
                    relation_id=relation.id,
                    actor=CHEF,
                    clock=clock,
                )
    register.consult("partenaires", "asso-a", "asso-b", "promoteur", fmt="atelier")
    _finish(register, "partenaires", started=True)
    _start(register, "seance")
    conflict = _refusals(register, "seance")["guard.conflicts_not_mediated"]
    assert "(aucun médiateur identifié dans la cartographie)" in conflict.fr
    register.consult("seance", "collectif", "promoteur", "asso-b", fmt="entretien")
    _accepted(register, "seance")


def test_guard_parameters_are_checked_against_the_vocabulary() -> None:
    text = (MODELS / "parties.yaml").read_text(encoding="utf-8")
    broken = (
        text.replace("quadrant: gérer étroitement}", "quadrant: incontournable}")
        .replace("categories: [habitant_usager, syndicat]", "categories: [habitant_usager, martiens]")
        .replace("min_share: 0.5", "min_share: 1.5")
        .replace("with_mediator: true}", "with_mediator: true, formats: [pétition]}")
    )
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text(broken, "parties.yaml")
    rendered = invalid.value.render()
    assert "guards[0].quadrant: quadrant inconnu(e) « incontournable »" in rendered
    assert "guards[1].categories: catégorie inconnu(e) « martiens »" in rendered
    assert "guards[0].min_share: valeur trop grande" in rendered
    assert "guards[0].formats: format inconnu(e) « pétition »" in rendered
    assert len(invalid.value.problems) == 4


def test_labels_and_synonyms_in_templates_become_codes(parties_model) -> None:
    guards = parties_model.steps_by_key["synthese"].compiled_guards
    assert guards[0].quadrant == ("gerer_etroitement",)
    assert guards[1].categories == ("habitant_usager", "organisation_syndicale")


def test_the_model_guards_are_the_coverage_requirements(parties_model) -> None:
    # The share rule and the engagement-wide rule are not per-stage "everyone" requirements.
    assert coverage_requirements(parties_model) == [
        StageRequirement(
            "diagnostic",
            categories=frozenset({"habitant_usager", "organisation_syndicale"}),
            quadrants=frozenset({"gerer_etroitement"}),
        )
    ]
