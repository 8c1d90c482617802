"""The indicator chart: a well-formed, accessible SVG that shows what the evaluation computed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from gouvernance.objectives.charts import amount, indicator_chart, month_label
from gouvernance.objectives.evaluation import Direction, Indicator, Measurement, evaluate_indicator

SVG = "{http://www.w3.org/2000/svg}"
PARTICIPATION = Indicator(
    "participation", "Taux de participation", "%", 10, date(2027, 1, 1), 40, date(2028, 12, 31), Direction.UP
)
MEASURES = [
    Measurement(date(2027, 3, 15), 12.5),
    Measurement(date(2027, 6, 15), 16),
    Measurement(date(2027, 9, 20), 21),
    Measurement(date(2027, 12, 10), 24),
]


def texts(svg: str) -> list[str]:
    return ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_chart_parses_and_names_the_indicator_and_its_status_for_screen_readers() -> None:
    chart = indicator_chart(PARTICIPATION, MEASURES, as_of=date(2028, 1, 10))
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == chart.title == "Taux de participation : en bonne voie"
    assert desc.text == chart.description
    assert "cible 40\u00a0% au 31 décembre 2028" in chart.description
    assert "4 mesures" in chart.description


def test_the_chart_shows_the_target_the_baseline_and_the_latest_measurement() -> None:
    shown = texts(indicator_chart(PARTICIPATION, MEASURES, as_of=date(2028, 1, 10)).svg)
    assert "Cible : 40\u00a0%" in shown
    assert "Référence : 10\u00a0%" in shown
    assert "24\u00a0%" in shown  # the latest measurement, written next to its point
    assert "Date de mesure" in shown
    assert "Valeur (%)" in shown
    assert "janv. 2028" in shown
    assert "Échéance : 31 décembre 2028" in shown


def test_the_trend_is_the_projection_of_the_evaluation() -> None:
    evaluation = evaluate_indicator(PARTICIPATION, MEASURES, date(2028, 1, 10))
    assert evaluation.projected is not None
    shown = texts(indicator_chart(PARTICIPATION, MEASURES, as_of=date(2028, 1, 10)).svg)
    assert f"Tendance : {amount(evaluation.projected, '%')}" in shown


def test_measurements_after_the_evaluation_day_are_left_out() -> None:
    chart = indicator_chart(PARTICIPATION, MEASURES, as_of=date(2027, 7, 1))
    points = ET.fromstring(chart.svg).findall(f".//{SVG}g[@class='measurement']")
    assert len(points) == 2
    assert "21\u00a0%" not in texts(chart.svg)


def test_an_indicator_without_measurement_still_gets_its_lines() -> None:
    chart = indicator_chart(PARTICIPATION, [], as_of=date(2027, 2, 1))
    assert chart.title == "Taux de participation : sans mesure"
    shown = texts(chart.svg)
    assert "Aucune mesure à ce jour" in shown
    assert "Cible : 40\u00a0%" in shown


def test_text_from_users_is_escaped() -> None:
    odd = Indicator(
        "x",
        "Délais <b>&</b> « réponses »\x07",
        "j",
        30,
        date(2027, 1, 1),
        10,
        date(2027, 12, 31),
        Direction.DOWN,
    )
    chart = indicator_chart(odd, [Measurement(date(2027, 5, 1), 20)], as_of=date(2027, 6, 1))
    root = ET.fromstring(chart.svg)  # would raise on a stray < or control character
    assert root.find(f"{SVG}title").text.startswith("Délais <b>&</b> « réponses »")


def test_months_are_french_abbreviations() -> None:
    assert [month_label(date(2027, m, 1)) for m in (1, 2, 7, 8)] == [
        "janv. 2027",
        "févr. 2027",
        "juil. 2027",
        "août 2027",
    ]
