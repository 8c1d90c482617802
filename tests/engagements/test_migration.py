"""Moving a running engagement to a corrected version of its template: the diff, the plan step by step,
every refusal naming its blocking steps, and the move itself through the door. SQLite, and PostgreSQL with
GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from gouvernance.engagements.migration import migrate, plan_migration
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.errors import Conflict, InvalidInput
from gouvernance.history.records import EventRow
from gouvernance.spec.diff import describe, diff_models
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import load_model_text
from tests.engagements.helpers import fire, step

MINI = (Path(__file__).parent.parent / "fixtures" / "models" / "mini.yaml").read_text(encoding="utf-8")

# Version 2 of the small journey: a new first step in phase A (no prerequisite), b2 removed, b1 reviewed by
# the consultant rather than the élu.
ADDED_STEP = "      - {key: a0, title: Zéro, role: chef_de_projet, duration: 3 jours}\n"
A1 = (
    "      - {key: a1, title: Un, role: consultant, duration: 5 jours,\n"
    "         guards: [{rule: evidence_attached, label: note juridique, kind: file}],\n"
    "         reminders: {before_due_days: [3, 1], escalate_after_days: 2, escalate_to: elu}}\n"
)
B1 = (
    "      - {key: b1, title: B un, role: chef_de_projet, reviewer: elu, kind: decision, duration: P10D,\n"
    "         guards: [{rule: stage_steps_done, on: [submit]}]}\n"
)
B2 = (
    "      - {key: b2, title: B deux, role: chef_de_projet, duration: 10d, skippable: true,\n"
    "         guards: [{rule: parameter, parameter: population, op: lt, value: 3500, on: [skip]}]}\n"
)


def _versions(**edits: tuple[str, str]) -> tuple[ProcessModel, ProcessModel]:
    """Version 1 and version 2 of a copy of the small journey under a key of its own."""
    key = f"mini-{uuid.uuid4().hex[:8]}"
    v1 = MINI.replace("key: mini\n", f"key: {key}\n", 1)
    v2 = v1.replace("version: 1\n", "version: 2\n", 1)
    for old, new in edits.values():
        assert old in v2, old
        v2 = v2.replace(old, new, 1)
    return load_model_text(v1, "v1.yaml"), load_model_text(v2, "v2.yaml")


def _corrected() -> tuple[ProcessModel, ProcessModel]:
    return _versions(
        add=("    steps:\n      - {key: a1,", "    steps:\n" + ADDED_STEP + "      - {key: a1,"),
        remove=(B2, ""),
        reviewer=(
            "{key: b1, title: B un, role: chef_de_projet, reviewer: elu,",
            "{key: b1, title: B un, role: chef_de_projet, reviewer: consultant,",
        ),
    )


def test_the_diff_says_what_changed_step_by_step() -> None:
    v1, v2 = _corrected()
    diff = diff_models(v1, v2)
    assert diff.steps_added == [("a", "a0")]
    assert diff.steps_removed == [("b", "b2")]
    [b1] = diff.steps_changed
    assert (b1.key, [(c.name, c.before, c.after) for c in b1.changes]) == (
        "b1",
        [("reviewer", "elu", "consultant")],
    )
    lines = describe(diff, v1, v2)
    assert lines[0].endswith("version 1 → 2")
    assert "+ étape ajoutée : a0 (a) — Zéro, rôle chef_de_projet" in lines
    assert "- étape supprimée : b2 (b) — B deux" in lines
    assert "    relecteur : elu → consultant" in lines
    assert describe(diff_models(v1, v1), v1, v1) == ["Aucune différence entre les versions 1 et 1."]


def test_a_running_engagement_moves_to_the_new_version_and_its_new_step_becomes_ready(
    db, clock, launch_engagement, people
) -> None:
    v1, v2 = _corrected()
    engagement_id = launch_engagement(v1)
    with db.reading() as session:
        plan = plan_migration(session, engagement_id, v2)
    assert plan.possible
    assert {(s.step_key, s.action) for s in plan.steps if s.action != "keep"} == {
        ("a0", "add"),
        ("b2", "remove"),
    }
    assert [s.changes for s in plan.steps if s.step_key == "b1"] == [("relecteur",)]

    with db.transaction() as session:
        result = migrate(session, engagement_id, v2, actor=people.consultant, clock=clock)
    assert [(r.step_key, r.event, r.to_state) for r in result.readied] == [("a0", "make_ready", "ready")]
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        assert engagement.model_version == 2
        keys = set(session.scalars(select(StepRow.step_key).where(StepRow.engagement_id == engagement_id)))
        migrated = session.scalars(
            select(EventRow).where(
                EventRow.engagement_id == engagement_id, EventRow.event == "model_migrated"
            )
        ).one()
    assert keys == {"a0", "a1", "a2", "a_rev", "b1"}
    assert (migrated.payload["from_version"], migrated.payload["to_version"]) == (1, 2)
    assert migrated.actor == people.consultant.login
    # The engagement goes on under the new version: the added step works through the door.
    assert step(db, engagement_id, "a0").due_at is not None
    fire(db, clock, engagement_id, "a0", "start", people.chef)
    assert step(db, engagement_id, "a0").state == "in_progress"
    assert step(db, engagement_id, "a1").state == "ready"  # kept with its state


def test_a_dry_run_shows_the_plan_and_changes_nothing(db, clock, launch_engagement, people) -> None:
    v1, v2 = _corrected()
    engagement_id = launch_engagement(v1)
    with db.transaction() as session:
        result = migrate(session, engagement_id, v2, actor=people.consultant, clock=clock, dry_run=True)
    assert result.plan.possible
    assert result.readied == []
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        assert engagement.model_version == 1
        assert (
            session.scalar(
                select(StepRow.id).where(StepRow.step_key == "a0", StepRow.engagement_id == engagement_id)
            )
            is None
        )


def test_removing_a_step_with_history_is_refused_naming_it(db, clock, launch_engagement, people) -> None:
    v1, v2 = _versions(
        remove=(A1, ""),
        after=("after: [a1], deliverables", "deliverables"),
        sends_back=("sends_back: [a1, a2]", "sends_back: [a2]"),
    )
    engagement_id = launch_engagement(v1)  # a1 is ready: it has a history (its make_ready event)
    with db.transaction() as session, pytest.raises(Conflict) as refused:
        migrate(session, engagement_id, v2, actor=people.consultant, clock=clock)
    problem = refused.value.message
    assert problem.code == "migration.blocked"
    assert problem.details["blocking_steps"] == ["a1"]
    assert "l'étape « a1 » (ready) a un historique" in problem.fr
    assert step(db, engagement_id, "a1").state == "ready"  # nothing moved


def test_a_step_under_way_cannot_move_to_another_stage(db, clock, launch_engagement, people) -> None:
    a1_line = "      - {key: a1,"
    v1, v2 = _versions(
        out_of_a=(A1, ""),
        into_b=(B1, B1 + A1),
        after=("after: [a1], deliverables", "deliverables"),
        sends_back=("sends_back: [a1, a2]", "sends_back: [a2]"),
    )
    assert a1_line in MINI
    engagement_id = launch_engagement(v1)
    with db.reading() as session:
        ready_plan = plan_migration(session, engagement_id, v2)
    assert ready_plan.possible  # a ready step may still move: nothing has been done on it
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    with db.reading() as session:
        plan = plan_migration(session, engagement_id, v2)
    assert [s.step_key for s in plan.blocking] == ["a1"]
    assert "passerait de l'étape de parcours « a » à « b »" in plan.blocking[0].blocking.fr  # type: ignore[union-attr]


def test_an_engagement_that_is_over_cannot_migrate(db, clock, launch_engagement, people) -> None:
    v1, v2 = _corrected()
    engagement_id = launch_engagement(v1)
    fire(db, clock, engagement_id, None, "cancel", people.consultant, comment="abandon")
    with db.transaction() as session, pytest.raises(Conflict) as refused:
        migrate(session, engagement_id, v2, actor=people.consultant, clock=clock)
    assert refused.value.message.code == "migration.engagement_over"


def test_a_migration_changes_the_version_not_the_model(db, clock, launch_engagement, people) -> None:
    v1, _ = _corrected()
    _, other = _corrected()
    engagement_id = launch_engagement(v1)
    with db.reading() as session, pytest.raises(InvalidInput):
        plan_migration(session, engagement_id, other)
