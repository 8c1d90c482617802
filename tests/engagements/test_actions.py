"""What an actor may do next: a step listing shows the door's own verdict, each guard asked once."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from gouvernance.engagements.actions import event_options
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext, register_rules
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import load_model_text
from tests.engagements.helpers import fire

MINI = Path(__file__).parent.parent / "fixtures" / "models" / "mini.yaml"
_ASKED: list[str] = []  # the events the counting guard was evaluated for


class Counted(Guard):
    """Counts its evaluations; refuses when ``refuse`` is set."""

    rule_name: ClassVar[str] = "test_counted"
    refuse: bool = False

    def check(self, ctx: GuardContext) -> Message | None:
        _ASKED.append(ctx.event)
        if not self.refuse:
            return None
        return Message("guard.test_counted", "refusé pour le test", "refused for the test")

    def describe(self) -> Message:
        return Message("guard.test_counted", "compté", "counted")


def _counted_model(refuse: bool) -> ProcessModel:
    register_rules((Counted,))  # a pack of one, as the composition root registers the real ones
    text = MINI.read_text(encoding="utf-8").replace(
        "key: mini\n", f"key: mini-counted-{str(refuse).lower()}\n", 1
    )
    counted = f"{{rule: test_counted, on: [start], refuse: {str(refuse).lower()}}}"
    text = text.replace(
        "guards: [{rule: evidence_attached,", f"guards: [{counted}, {{rule: evidence_attached,", 1
    )
    return load_model_text(text, "mini-counted.yaml")


@pytest.mark.parametrize("refuse", [False, True], ids=["passing", "refusing"])
def test_a_step_listing_evaluates_each_guard_once(db, clock, launch_engagement, people, refuse: bool) -> None:
    engagement_id = launch_engagement(_counted_model(refuse))
    _ASKED.clear()
    with db.reading() as session:
        subject = load_subject(session, engagement_id, "a1")
        options = {
            option.event: option for option in event_options(session, subject, people.consultant, clock)
        }
    assert _ASKED == ["start"]
    start = options["start"]
    assert [(g.rule, g.passed) for g in start.guards] == [("test_counted", not refuse)]
    assert [r.code for r in start.refusals] == (["guard.test_counted"] if refuse else [])
    assert start.possible is not refuse
    # The test's rule exists only in this process: the sweeps of other tests' worker processes read every
    # active engagement's model, so this one leaves the stage.
    fire(db, clock, engagement_id, None, "cancel", people.consultant, comment="fin du test")
