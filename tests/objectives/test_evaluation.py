"""Evaluation statuses on cases computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from gouvernance.objectives.evaluation import (
    Direction,
    Indicator,
    Measurement,
    Status,
    evaluate_indicator,
    evaluate_objective,
)

# Share of residents who took part in a consultation: 10 % on 1 January 2027, 40 % wanted by 31 December 2028.
PARTICIPATION = Indicator(
    "participation", "Taux de participation", "%", 10, date(2027, 1, 1), 40, date(2028, 12, 31), Direction.UP
)
# Days to answer a resident's request: 30 days, to be brought down to 10.
DELAI = Indicator(
    "delai", "Délai de réponse", "jours", 30, date(2027, 1, 1), 10, date(2027, 12, 31), Direction.DOWN
)


def test_an_indicator_without_measurement_says_since_when() -> None:
    result = evaluate_indicator(PARTICIPATION, [], as_of=date(2027, 3, 1))
    assert result.status is Status.SANS_MESURE
    assert result.reason == "aucune mesure depuis le 1er janvier 2027 (valeur de référence : 10\u00a0%)"


def test_reaching_the_target_is_atteint_whichever_way_it_should_move() -> None:
    assert evaluate_indicator(
        PARTICIPATION, [Measurement(date(2027, 6, 1), 41)], date(2027, 6, 2)
    ).status == (Status.ATTEINT)
    assert (
        evaluate_indicator(DELAI, [Measurement(date(2027, 6, 1), 9)], date(2027, 6, 2)).status
        == Status.ATTEINT
    )
    assert (
        evaluate_indicator(DELAI, [Measurement(date(2027, 6, 1), 11)], date(2027, 6, 2)).status
        != Status.ATTEINT
    )


def test_on_track_when_the_trend_reaches_the_target_by_the_deadline() -> None:
    # Baseline 10 on 1 Jan 2027 and 16 on 1 Jan 2028 (365 days): slope 6/365 per day. From 1 Jan 2028 to the
    # deadline 31 Dec 2028 is 365 days, so the projection is 16 + 6 = 22 < 40: at risk.
    slow = evaluate_indicator(PARTICIPATION, [Measurement(date(2028, 1, 1), 16)], date(2028, 1, 2))
    assert slow.status is Status.A_RISQUE
    assert slow.projected == pytest.approx(22)
    assert slow.slope_per_month == pytest.approx(6 / 365 * 365.25 / 12)
    assert slow.reason == (
        "au rythme actuel (+0,5\u00a0% par mois), 22\u00a0% au 31 décembre 2028 pour une cible de 40\u00a0%"
    )
    # 10 → 25 in a year, then 365 more days: 25 + 15 = 40, just at the target: on track.
    fast = evaluate_indicator(PARTICIPATION, [Measurement(date(2028, 1, 1), 25)], date(2028, 1, 2))
    assert fast.status is Status.EN_BONNE_VOIE
    assert fast.projected == pytest.approx(40)


def test_the_trend_is_fitted_on_the_last_year_only() -> None:
    # An early jump from 10 to 30 then a flat year: only the flat year counts, so it is at risk.
    measurements = [
        Measurement(date(2027, 2, 1), 30),
        *(Measurement(date(2028, m, 1), 30) for m in range(1, 13)),
    ]
    result = evaluate_indicator(PARTICIPATION, measurements, date(2028, 12, 2))
    assert result.status is Status.A_RISQUE
    assert result.slope_per_month == pytest.approx(0)


def test_a_falling_indicator_going_the_wrong_way_is_at_risk() -> None:
    result = evaluate_indicator(DELAI, [Measurement(date(2027, 4, 1), 35)], date(2027, 4, 2))
    assert result.status is Status.A_RISQUE
    assert result.projected is not None
    assert result.projected > 35


def test_after_the_deadline_a_target_missed_is_non_atteint() -> None:
    result = evaluate_indicator(DELAI, [Measurement(date(2027, 12, 1), 12)], date(2028, 1, 15))
    assert result.status is Status.NON_ATTEINT
    assert result.reason == (
        "échéance du 31 décembre 2027 passée : 12\u00a0jours au 1er décembre 2027 "
        "pour une cible de 10\u00a0jours"
    )


def test_measurements_after_the_evaluation_date_are_ignored() -> None:
    later = [Measurement(date(2027, 6, 1), 20), Measurement(date(2027, 9, 1), 45)]
    assert evaluate_indicator(PARTICIPATION, later, date(2027, 7, 1)).latest == later[0]


def test_an_objective_stands_where_its_furthest_behind_indicator_stands() -> None:
    reached = evaluate_indicator(PARTICIPATION, [Measurement(date(2027, 6, 1), 41)], date(2028, 1, 15))
    missed = evaluate_indicator(DELAI, [Measurement(date(2027, 12, 1), 12)], date(2028, 1, 15))
    unmeasured = evaluate_indicator(
        Indicator("x", "Conseils de quartier", "", 0, date(2027, 1, 1), 4, date(2029, 1, 1), Direction.UP),
        [],
        date(2028, 1, 15),
    )
    objective = evaluate_objective([reached, missed, unmeasured])
    assert objective.status is Status.NON_ATTEINT
    assert objective.reason.startswith("Délai de réponse : échéance du 31 décembre 2027 passée")
    assert objective.reason.endswith("sans mesure : « Conseils de quartier »")
    assert evaluate_objective([unmeasured]).status is Status.SANS_MESURE
    assert evaluate_objective([]).reason == "aucun indicateur n'est rattaché à cet objectif"
