"""Launch settings every journey takes: steps and stages that apply only under conditions on the launch
parameters (``when:``), a scale on the durations, and the organisation's own titles for the roles. Each is
checked at launch with a clear error."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.settings import role_title
from gouvernance.errors import InvalidInput
from gouvernance.spec.validation import TemplateInvalid, load_model_text
from tests.engagements.helpers import attach_note, fire, step

MINI = (Path(__file__).parent.parent / "fixtures" / "models" / "mini.yaml").read_text(encoding="utf-8")
# Phase B applies only from 3 500 inhabitants; in phase A, a2 only where there is a platform.
CONDITIONAL = (
    MINI.replace(
        "  - key: b\n    title: Phase B\n    after: [a]\n",
        "  - key: b\n    title: Phase B\n    after: [a]\n"
        "    when: {parameter: population, op: ge, value: 3500}\n",
    )
    .replace(
        "      - {key: a2, title: Deux, role: consultant, duration: 2w, after: [a1],",
        "      - {key: a2, title: Deux, role: consultant, duration: 2w, after: [a1],\n"
        "         when: [{parameter: plateforme, op: eq, value: true}],",
    )
    .replace(
        "  - {key: population, type: integer, title: Population, default: 1000}\n",
        "  - {key: population, type: integer, title: Population, default: 1000}\n"
        "  - {key: plateforme, type: boolean, title: Plateforme, default: false}\n",
    )
)


def _model(text: str = CONDITIONAL):
    return load_model_text(text.replace("key: mini\n", f"key: mini-{uuid.uuid4().hex[:8]}\n", 1), "mini.yaml")


def _launch(db, clock, people, model, **parameters):
    with db.transaction() as session:
        return launch(
            session,
            LaunchRequest(model, Territory("Ardon", "commune", "45006"), date(2026, 3, 2), dict(parameters)),
            actor=people.consultant,
            clock=clock,
        ).engagement_id


def test_steps_and_stages_whose_conditions_fail_are_skipped_at_launch_and_the_journey_goes_on(
    db, clock, people
) -> None:
    model = _model()
    small = _launch(db, clock, people, model, population=1200)
    assert [step(db, small, key).state for key in ("a1", "a2", "b1", "b2")] == [
        "ready",
        "skipped",
        "skipped",
        "skipped",
    ]
    # a2 does not apply: the review that waits for it becomes ready once a1 is done; phase B is left out.
    fire(db, clock, small, "a1", "start", people.consultant)
    attach_note(db, clock, small, people.consultant)
    fire(db, clock, small, "a1", "submit", people.consultant)
    fire(db, clock, small, "a1", "approve", people.chef)
    assert step(db, small, "a_rev").state == "ready"

    large = _launch(db, clock, people, model, population=20_000, plateforme=True)
    assert [step(db, large, key).state for key in ("a1", "a2", "b1")] == ["ready", "pending", "pending"]


def test_a_condition_on_an_unknown_parameter_or_with_a_wrong_value_is_refused_with_its_line() -> None:
    wrong = CONDITIONAL.replace(
        "when: {parameter: population, op: ge, value: 3500}",
        "when: {parameter: habitants, op: ge, value: 3500}",
    )
    with pytest.raises(TemplateInvalid) as refused:
        _model(wrong)
    assert any(
        "paramètre inconnu « habitants » dans la condition" in p.message.fr for p in refused.value.problems
    )
    typed = CONDITIONAL.replace("value: 3500}", "value: beaucoup}")
    with pytest.raises(TemplateInvalid) as refused:
        _model(typed)
    assert any(p.message.code == "template.when_value" and p.line for p in refused.value.problems)


def test_the_duration_scale_stretches_due_dates(db, clock, people) -> None:
    model = _model(MINI)
    normal = _launch(db, clock, people, model)
    slower = _launch(db, clock, people, model, echelle_durees="1,5")
    base = step(db, normal, "a1")
    stretched = step(db, slower, "a1")
    assert base.due_at - base.ready_at == timedelta(days=5)
    assert stretched.due_at - stretched.ready_at == timedelta(days=7, hours=12)
    fire(db, clock, slower, "a1", "start", people.consultant)


def test_the_organisation_names_the_roles_its_own_way(db, clock, people) -> None:
    model = _model(MINI)
    engagement_id = _launch(
        db, clock, people, model, titres_roles={"chef_de_projet": "Directrice générale adjointe"}
    )
    from gouvernance.engagements.records import EngagementRow

    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        parameters = engagement.parameters
    assert role_title(model, parameters, "chef_de_projet") == "Directrice générale adjointe"
    assert role_title(model, parameters, "elu") == "Élu"


def test_bad_settings_are_refused_each_with_its_reason(db, clock, people) -> None:
    model = _model(MINI)
    with pytest.raises(InvalidInput) as refused:
        _launch(db, clock, people, model, echelle_durees=12, titres_roles={"maire": "Maire", "elu": ""})
    codes = sorted(reason.code for reason in refused.value.reasons)
    assert codes == ["parameter.duration_scale", "parameter.role_title", "parameter.role_unknown"]
    assert any("rôle inconnu « maire »" in reason.fr for reason in refused.value.reasons)
