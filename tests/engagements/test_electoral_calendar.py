"""Launching warns when the journey's consultations would fall in the pre-electoral period of the territory's
next general election, naming the steps; elsewhere it says nothing. The planned calendar behind it follows
the stages and steps' order and durations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gouvernance.engagements.elections import Election, electoral_warnings, pre_electoral_start
from gouvernance.spec.schedule import planned_calendar


def test_the_planned_calendar_follows_stages_steps_and_durations(mini_model) -> None:
    planned = planned_calendar(mini_model, date(2027, 1, 4))
    assert (planned["a1"].starts, planned["a1"].due) == (date(2027, 1, 4), date(2027, 1, 9))  # 5 jours
    assert planned["a2"].starts == planned["a1"].due  # after: [a1]
    assert planned["a_rev"].starts == planned["a2"].due
    assert planned["b1"].starts == planned["a_rev"].due  # stage b after stage a
    assert planned["b1"].due == planned["b1"].starts + timedelta(days=10)


def test_the_pre_electoral_period_starts_six_months_before_the_month_of_the_vote() -> None:
    assert pre_electoral_start(Election("élections municipales", date(2032, 3, 14))) == date(2031, 9, 1)
    assert pre_electoral_start(Election("élections régionales", date(2028, 3, 19))) == date(2027, 9, 1)


def test_a_launch_whose_consultations_meet_the_municipal_elections_warns_naming_them(shipped_catalog) -> None:
    model = shipped_catalog.get("gouvernance-partagee")
    consultations = [s.key for s in model.steps_by_key.values() if s.kind == "consultation"]
    [warning] = electoral_warnings(model, "commune", date(2031, 1, 6))
    assert warning.code == "launch.pre_electoral_period"
    assert "élections municipales du 14 mars 2032 (à partir du 1er septembre 2031)" in warning.fr
    named = [step["step"] for step in warning.details["steps"]]
    assert named
    assert set(named) <= set(consultations)
    for step in warning.details["steps"]:
        assert date.fromisoformat(step["due"]) >= date(2031, 9, 1)
        assert f"« {model.steps_by_key[step['step']].title.fr} »" in warning.fr


@pytest.mark.parametrize(("kind", "start"), [("commune", date(2027, 1, 4)), ("autre", date(2031, 1, 6))])
def test_no_warning_far_from_an_election_or_for_a_territory_without_one(shipped_catalog, kind, start) -> None:
    assert electoral_warnings(shipped_catalog.get("gouvernance-partagee"), kind, start) == []
