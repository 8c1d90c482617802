"""Version 4 of the shared-governance journey, checked against the law: which mandatory-body steps may be
skipped for which territory (commune or EPCI, population, quartiers prioritaires), and the steps and guards
added for the CST, the launching deliberation, the COPIL, the local actors' validation, the periodic
measurement and the DIF trainers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from pydantic import ValidationError

from gouvernance.guards.builtin import ParameterCondition
from gouvernance.guards.registry import GuardContext, parse_guard
from gouvernance.spec.catalog import Catalog
from gouvernance.spec.schema import ProcessModel

MANDATORY_BODIES = ("instances_obligatoires", "commission_services_publics_locaux", "conseils_citoyens")


@pytest.fixture(scope="module")
def journey(shipped_catalog: Catalog) -> ProcessModel:
    return shipped_catalog.get("gouvernance-partagee")


def _context(model: ProcessModel, parameters: dict[str, Any]) -> GuardContext:
    engagement = SimpleNamespace(parameters=parameters)
    return cast(GuardContext, SimpleNamespace(model=model, engagement=engagement))


def _skip_refusals(model: ProcessModel, step_key: str, **parameters: Any) -> list[str]:
    ctx = _context(model, parameters)
    guards = [g for g in model.steps_by_key[step_key].compiled_guards if g.applies_to("skip")]
    assert guards, step_key
    return [refusal.fr for g in guards if (refusal := g.check(ctx)) is not None]


def _skippable(model: ProcessModel, **parameters: Any) -> dict[str, bool]:
    return {key: not _skip_refusals(model, key, **parameters) for key in MANDATORY_BODIES}


def test_the_journey_is_version_4(journey: ProcessModel) -> None:
    assert journey.version == 4
    assert journey.parameters_by_key["quartiers_prioritaires"].default == 0


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        # A small commune: no conseil de quartier, no CCSPL, no quartier prioritaire.
        (
            {"perimetre": "commune", "population": 8_000},
            {
                "instances_obligatoires": True,
                "commission_services_publics_locaux": True,
                "conseils_citoyens": True,
            },
        ),
        # Above 10 000 inhabitants a commune has its CCSPL, but conseils de quartier only from 80 000.
        (
            {"perimetre": "commune", "population": 20_000},
            {
                "instances_obligatoires": True,
                "commission_services_publics_locaux": False,
                "conseils_citoyens": True,
            },
        ),
        (
            {"perimetre": "commune", "population": 85_000, "quartiers_prioritaires": 3},
            {
                "instances_obligatoires": False,
                "commission_services_publics_locaux": False,
                "conseils_citoyens": False,
            },
        ),
        # An EPCI of 20 000: the CCSPL and the conseil de développement start above 50 000.
        (
            {"perimetre": "epci", "population": 20_000},
            {
                "instances_obligatoires": True,
                "commission_services_publics_locaux": True,
                "conseils_citoyens": True,
            },
        ),
        (
            {"perimetre": "epci", "population": 60_000, "quartiers_prioritaires": 2},
            {
                "instances_obligatoires": False,
                "commission_services_publics_locaux": False,
                "conseils_citoyens": False,
            },
        ),
    ],
)
def test_which_mandatory_bodies_may_be_skipped(
    journey: ProcessModel, parameters: dict[str, Any], expected: dict[str, bool]
) -> None:
    assert _skippable(journey, **parameters) == expected


def test_a_refused_skip_says_which_body_the_law_imposes(journey: ProcessModel) -> None:
    [ccspl] = _skip_refusals(
        journey, "commission_services_publics_locaux", perimetre="commune", population=20_000
    )
    assert "CCSPL (art. L1413-1 CGCT)" in ccspl
    assert "« Périmètre de la démarche » (commune = epci attendu)" in ccspl
    [conseil] = _skip_refusals(journey, "instances_obligatoires", perimetre="epci", population=60_000)
    assert "conseil de développement (art. L5211-10-1 CGCT)" in conseil
    [citoyens] = _skip_refusals(
        journey, "conseils_citoyens", perimetre="epci", population=60_000, quartiers_prioritaires=2
    )
    assert "quartier prioritaire" in citoyens


def test_a_parameter_guard_takes_one_form_and_its_conditions_are_checked(journey: ProcessModel) -> None:
    with pytest.raises(ValidationError):
        parse_guard({"rule": "parameter", "parameter": "population", "any": [{"parameter": "perimetre"}]})
    with pytest.raises(ValidationError):
        parse_guard({"rule": "parameter"})
    guard = parse_guard(
        {
            "rule": "parameter",
            "all": [{"parameter": "habitants", "op": "gt", "value": 1}, {"parameter": "perimetre"}],
        }
    )
    assert isinstance(guard, ParameterCondition)
    step = journey.steps_by_key["instances_obligatoires"]
    assert [(p.code, p.fr) for p in guard.validate_against(journey, step)] == [
        ("unknown_parameter", "paramètre inconnu « habitants »"),
        ("parameter_value", "valeur True incompatible avec le paramètre de type « choice »"),
    ]
    both = parse_guard(
        {
            "rule": "parameter",
            "all": [
                {"parameter": "perimetre", "value": "epci"},
                {"parameter": "population", "op": "ge", "value": 50_000},
            ],
        }
    )
    assert both.check(_context(journey, {"perimetre": "epci", "population": 60_000})) is None
    refusal = both.check(_context(journey, {"perimetre": "epci", "population": 40_000}))
    assert refusal is not None
    assert refusal.fr == "condition non remplie sur « Population (habitants) » (40000 ≥ 50000 attendu)"


def _rules(model: ProcessModel, step_key: str) -> dict[str, dict[str, Any]]:
    return {g.rule: g.model_dump(by_alias=True) for g in model.steps_by_key[step_key].compiled_guards}


def test_the_steps_and_guards_added_in_version_4(journey: ProcessModel) -> None:
    stage_of = journey.stage_of_step
    assert stage_of["saisine_comite_social_territorial"] == "outils_collaboratifs"
    assert journey.steps_by_key["saisine_comite_social_territorial"].kind == "consultation"
    assert "saisine_comite_social_territorial" in journey.steps_by_key["installation_instances"].after
    deliberation = _rules(journey, "deliberation_lancement")["decision_recorded"]
    assert (deliberation["bodies"], deliberation["legal_basis"]) == (
        ("conseil_municipal", "conseil_communautaire"),
        True,
    )
    executoire = _rules(journey, "transmission_publication_deliberation")["decision_recorded"]
    assert (executoire["step"], executoire["transmitted"], executoire["published"]) == (
        "deliberation_lancement",
        True,
        True,
    )
    for step_key in ("restitution_etat_des_lieux", "seminaire_elus", "decision_suites"):
        copil = _rules(journey, step_key)["decision_recorded"]
        assert (copil["bodies"], copil["legal_basis"]) == (("copil",), False), step_key
    assert _rules(journey, "objectifs_indicateurs")["objectives_validated"]["roles"] == ("elu", "partenaire")
    assert stage_of["mesure_periodique_indicateurs"] == "animation_reseaux"
    assert "indicators_measured" in _rules(journey, "mesure_periodique_indicateurs")
    assert "indicators_measured" in _rules(journey, "collecte_indicateurs")
    assert "training_trainers_approved" in _rules(journey, "session_formation_elus")
