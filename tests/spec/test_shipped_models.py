"""The process models shipped in process_models/: they load, and the shared-governance journey has the shape
the domain brief describes (nine stages, five roles, the legal-review loop, the deliverables)."""

from __future__ import annotations

import networkx as nx
import pytest

from gouvernance.lifecycle.machines import MACHINE_BY_KIND, machine_events
from gouvernance.spec.catalog import Catalog, shipped_directory
from gouvernance.spec.schema import ParameterValueError, ProcessModel

JOURNEY_STAGES = [
    "etat_des_lieux",
    "securisation_juridique",
    "formalisation",
    "gestation_communication",
    "outils_collaboratifs",
    "formation_elus_agents",
    "mediation_partenaires",
    "animation_reseaux",
    "evaluation",
]
JOURNEY_ROLES = {"consultant", "chef_de_projet", "elu", "agent", "partenaire"}
JOURNEY_DELIVERABLES = {
    "rapport_etat_des_lieux",
    "note_securisation_juridique",
    "plan_action",
    "plan_formation",
    "feuille_emargement",
    "convention_partenariat",
    "rapport_evaluation",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog([shipped_directory()])


@pytest.fixture(scope="module")
def journey(catalog: Catalog) -> ProcessModel:
    return catalog.get("gouvernance-partagee")


def test_every_shipped_file_is_valid(catalog: Catalog) -> None:
    assert not catalog.invalid, "\n".join(problem.render() for problem in catalog.invalid)
    assert set(catalog.keys()) == {
        "gouvernance-partagee",
        "budget-participatif",
        "co-construction",
        "barometre-satisfaction",
        "laboratoire-innovation",
    }


def test_journey_has_the_nine_stages_in_order(journey: ProcessModel) -> None:
    assert [stage.key for stage in journey.stages] == JOURNEY_STAGES
    for stage in journey.stages:
        assert 3 <= len(stage.steps) <= 8, stage.key


def test_journey_stage_dependencies_follow_the_order(journey: ProcessModel) -> None:
    position = {key: index for index, key in enumerate(JOURNEY_STAGES)}
    for stage in journey.stages[1:]:
        assert stage.after, f"{stage.key} should wait for an earlier stage"
        assert all(position[before] < position[stage.key] for before in stage.after)


def test_journey_roles(journey: ProcessModel) -> None:
    assert set(journey.roles_by_key) == JOURNEY_ROLES


def test_legal_review_sends_formalisation_back(journey: ProcessModel) -> None:
    formalisation = journey.stages_by_key["formalisation"]
    reviews = [step for step in formalisation.steps if step.kind == "review"]
    assert len(reviews) == 1
    review = reviews[0]
    assert review.role == "consultant"
    assert journey.reviewer_of(review) in {"elu", "chef_de_projet"}
    formalisation_steps = {step.key for step in formalisation.steps}
    assert review.sends_back
    assert set(review.sends_back) <= formalisation_steps
    assert set(review.after) <= set(review.sends_back)


def test_journey_declares_the_deliverables(journey: ProcessModel) -> None:
    assert set(journey.deliverables_by_key) >= JOURNEY_DELIVERABLES
    produced = {key for step in journey.steps_by_key.values() for key in step.deliverables.produces}
    assert produced >= JOURNEY_DELIVERABLES


def test_every_stage_and_step_has_a_french_and_english_title(catalog: Catalog) -> None:
    for model in catalog.latest():
        for stage in model.stages:
            assert stage.title.fr.strip(), (model.key, stage.key)
            assert stage.title.en, (model.key, stage.key)
            for step in stage.steps:
                assert step.title.fr.strip(), (model.key, step.key)
                assert step.title.en, (model.key, step.key)


# The loader does not check the properties below; a model that breaks them loads but gets stuck or
# silently ignores a guard at run time.


def _upstream_steps(model: ProcessModel, step_key: str) -> set[str]:
    """Steps certainly done before ``step_key`` becomes ready: earlier steps of its stage, and every step
    of the stages its stage waits for, transitively."""
    steps: nx.DiGraph = nx.DiGraph()
    steps.add_edges_from(
        (before, key) for key, befores in model.step_prerequisites.items() for before in befores
    )
    stages: nx.DiGraph = nx.DiGraph()
    stages.add_edges_from((before, stage.key) for stage in model.stages for before in stage.after)
    stage_key = model.stage_of_step[step_key]
    earlier_stages = nx.ancestors(stages, stage_key) if stage_key in stages else set()
    same_stage = nx.ancestors(steps, step_key) if step_key in steps else set()
    return same_stage | {step.key for stage in earlier_stages for step in model.stages_by_key[stage].steps}


def test_required_deliverables_are_produced_upstream(catalog: Catalog) -> None:
    for model in catalog.latest():
        for step in model.steps_by_key.values():
            upstream = _upstream_steps(model, step.key)
            available = {key for other in upstream for key in model.steps_by_key[other].deliverables.produces}
            missing = set(step.deliverables.requires) - available
            assert not missing, f"{model.key}/{step.key} requires {missing}, not produced upstream"


def test_guards_listen_to_events_of_their_step_kind(catalog: Catalog) -> None:
    for model in catalog.latest():
        for step in model.steps_by_key.values():
            events = set(machine_events(MACHINE_BY_KIND[step.kind]))
            for guard in step.compiled_guards:
                assert set(guard.on) <= events, f"{model.key}/{step.key}: {guard.rule} on {guard.on}"


def test_stage_steps_done_only_closes_a_stage(catalog: Catalog) -> None:
    """A stage_steps_done guard on a step that other steps of its stage wait for could never pass."""
    for model in catalog.latest():
        for stage in model.stages:
            closing = [
                step
                for step in stage.steps
                if any(
                    g.rule == "stage_steps_done" and getattr(g, "stage", None) in (None, stage.key)
                    for g in step.compiled_guards
                )
            ]
            assert len(closing) <= 1, (model.key, stage.key)
            for step in closing:
                assert not model.step_dependents[step.key], (model.key, step.key)


def test_skippable_steps_say_when(catalog: Catalog) -> None:
    journey = catalog.get("gouvernance-partagee")
    skippable = [step for step in journey.stages_by_key["outils_collaboratifs"].steps if step.skippable]
    assert skippable
    for step in skippable:
        conditions = [g for g in step.compiled_guards if g.rule == "parameter" and "skip" in g.on]
        assert conditions, step.key
        assert all(g.explanation for g in conditions), step.key


@pytest.mark.parametrize(
    "key",
    [
        "gouvernance-partagee",
        "budget-participatif",
        "co-construction",
        "barometre-satisfaction",
        "laboratoire-innovation",
    ],
)
def test_population_is_bounded_by_the_template(catalog: Catalog, key: str) -> None:
    population = catalog.get(key).parameters_by_key["population"]
    assert (population.minimum, population.maximum) == (1, 100_000_000)
    assert population.coerce("23400") == 23400
    for refused in (-1, 0, 10**1000, "100000001"):
        with pytest.raises(ParameterValueError):
            population.coerce(refused)
