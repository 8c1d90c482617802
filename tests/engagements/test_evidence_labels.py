"""A label that nearly matches the one a step's guard waits for is a typo that would leave the guard failing:
refused with the expected label suggested. Other labels (other evidence) are welcome."""

from __future__ import annotations

import pytest

from gouvernance.errors import InvalidInput
from gouvernance.evidence.service import attach_link
from tests.engagements.helpers import fire


def _link(db, clock, engagement_id, actor, label):
    with db.transaction() as session:
        return attach_link(
            session, engagement_id=engagement_id, step_key="a1", label=label, url="https://mairie.example/note",
            actor=actor, clock=clock,
        )  # fmt: skip


def test_a_mistyped_label_is_refused_with_the_expected_one(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    with pytest.raises(InvalidInput) as refused:
        _link(db, clock, engagement_id, people.consultant, "note juridque")
    assert refused.value.message.fr == (
        "libellé « note juridque » : vouliez-vous dire « note juridique » ? "
        "C'est le libellé que l'étape attend."
    )
    assert _link(db, clock, engagement_id, people.consultant, "Note Juridique").label == "Note Juridique"
    assert (
        _link(db, clock, engagement_id, people.consultant, "photo de la réunion").label
        == "photo de la réunion"
    )
