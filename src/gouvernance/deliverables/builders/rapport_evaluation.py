"""Rapport d'évaluation: the approach analysed against the objectives set, the means allocated, the actions
carried out, the results obtained (indicator values against baseline and target, and a chart per indicator
whose measurements are dated) and the expected effects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    date_text,
    direction_of,
    evidence_section,
    field,
    first,
    fte,
    header,
    items,
    key_values,
    labelled,
    mapping,
    money,
    paragraph,
    quantity,
    table,
    text,
    with_optional,
)
from gouvernance.deliverables.french import as_decimal, format_percent, parse_temporal
from gouvernance.deliverables.model import Block, DeliverableDocument, Figure, Section
from gouvernance.objectives.charts import indicator_chart
from gouvernance.objectives.evaluation import Direction, Indicator, Measurement

KIND = "rapport_evaluation"


class MeasurementContext(TypedDict):
    date: date | str
    value: float | str


class MeasuredIndicatorContext(TypedDict, total=False):
    key: str
    name: str
    unit: str
    baseline: float | str
    baseline_on: date | str  # with ``deadline``, what the chart needs besides a dated measurement
    target: float | str
    deadline: date | str
    value: float | str  # the latest measure; absent when not measured
    direction: str  # increase | decrease | maintain; inferred from baseline and target when absent
    measured_at: date | str
    measurements: list[MeasurementContext]  # every measurement; else the latest one (value, measured_at)
    source: str


class EvaluatedObjectiveContext(TypedDict, total=False):
    title: str
    description: str
    indicators: list[MeasuredIndicatorContext]


class AllocatedMeansContext(TypedDict, total=False):
    budget_prevu: float | str
    budget_consomme: float | str
    etp_prevus: float | str
    etp_mobilises: float | str
    commentaire: str


class CompletedActionContext(TypedDict, total=False):
    title: str
    status: str  # not_started | in_progress | done | late | cancelled
    responsible: str
    echeance: date | str
    commentaire: str


class EffectContext(TypedDict, total=False):
    effet: str
    constat: str
    commentaire: str


class PeriodContext(TypedDict, total=False):
    start: date | str
    end: date | str


class RapportEvaluationContext(CommonContext, total=False):
    """Context for ``rapport_evaluation`` (all keys optional)."""

    periode: PeriodContext
    methode: str
    objectifs: list[EvaluatedObjectiveContext]
    moyens_alloues: AllocatedMeansContext
    actions: list[CompletedActionContext]
    effets_escomptes: list[EffectContext | str]
    recommandations: list[str]
    conclusion: str
    evaluation_au: date | str  # the day of the evaluation (charts leave later measurements out)


@dataclass(frozen=True)
class Attainment:
    """How far an indicator went from its baseline towards its target."""

    label: str
    reached: bool | None  # None: not measured or not assessable


def attainment(indicator: Any) -> Attainment:
    value = as_decimal(first(indicator, "value"))
    target = as_decimal(first(indicator, "target"))
    baseline = as_decimal(first(indicator, "baseline"))
    if value is None:
        return Attainment("Non mesuré", None)
    if target is None:
        return Attainment("Cible à définir", None)
    direction = direction_of(indicator) or "increase"
    if direction == "maintain" or baseline is None or baseline == target:
        reached = _meets(value, target, direction)
        return Attainment("Atteint" if reached else "Non atteint", reached)
    progress = (value - baseline) / (target - baseline)
    if progress >= 1:
        return Attainment("Atteint", True)
    if progress <= 0:
        return Attainment("Non atteint", False)
    return Attainment(f"Partiellement atteint ({format_percent(float(progress))})", False)


def _meets(value: Decimal, target: Decimal, direction: str) -> bool:
    if direction == "decrease":
        return value <= target
    if direction == "maintain":
        return value == target
    return value >= target


def build_rapport_evaluation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Rapport d'évaluation de la démarche", clock=clock)
    objectives = items(context.get("objectifs"))
    sections = with_optional(
        [
            _purpose(context),
            _objectives(objectives),
            _means(context),
            _actions(context),
            _results(objectives, _evaluation_day(context, fields)),
            _effects(context),
            Section(
                heading="Recommandations",
                blocks=[bullets(items(context.get("recommandations")), ordered=True)],
            ),
            Section(heading="Conclusion", blocks=[paragraph(context.get("conclusion"))]),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _purpose(context: Context) -> Section:
    period = mapping(context, "periode")
    return Section(
        heading="Objet et méthode",
        blocks=[
            paragraph(
                "Comme toute politique publique, la démarche de gouvernance partagée est évaluée au "
                "regard des "
                "objectifs visés, des moyens alloués, des actions menées, des résultats obtenus et "
                "des effets "
                "escomptés."
            ),
            key_values(
                [
                    (
                        "Période évaluée",
                        f"du {date_text(first(period, 'start'))} au {date_text(first(period, 'end'))}",
                    ),
                ]
            ),
            paragraph(context.get("methode")),
        ],
    )


def _objectives(objectives: list[Any]) -> Section:
    rows = [
        [
            field(objective, "title", "name"),
            field(objective, "description", default="–"),
            str(len(items(first(objective, "indicators")))),
        ]
        for objective in objectives
    ]
    return Section(
        heading="Objectifs visés",
        blocks=[table(["Objectif", "Description", "Indicateurs"], rows, widths=[4, 6, 1])],
    )


def _rate(used: object, planned: object) -> str:
    used_number, planned_number = as_decimal(used), as_decimal(planned)
    if used_number is None or not planned_number:
        return "–"
    return format_percent(float(used_number / planned_number))


def _means(context: Context) -> Section:
    means = mapping(context, "moyens_alloues")
    budget = (first(means, "budget_prevu"), first(means, "budget_consomme"))
    staff = (first(means, "etp_prevus"), first(means, "etp_mobilises"))
    blocks: list[Block] = [
        table(
            ["Moyen", "Prévu", "Mobilisé", "Taux de mobilisation"],
            [
                ["Budget", money(budget[0]), money(budget[1]), _rate(budget[1], budget[0])],
                ["Temps de travail", fte(staff[0]), fte(staff[1]), _rate(staff[1], staff[0])],
            ],
            widths=[3, 2, 2, 2],
        )
    ]
    if first(means, "commentaire"):
        blocks.append(paragraph(means["commentaire"]))
    return Section(heading="Moyens alloués", blocks=blocks)


def _actions(context: Context) -> Section:
    actions = items(context.get("actions"))
    done = sum(
        1 for action in actions if labels.normalise_key(first(action, "status") or "") in labels.DONE_STATUSES
    )
    rows = [
        [
            field(action, "title", "name"),
            field(action, "responsible"),
            date_text(first(action, "echeance")),
            labelled(labels.ACTION_STATUSES, first(action, "status")),
            field(action, "commentaire", default="–"),
        ]
        for action in actions
    ]
    blocks: list[Block] = []
    if actions:
        done_text = f"{done} action réalisée" if done <= 1 else f"{done} actions réalisées"
        planned = "prévue" if len(actions) == 1 else "prévues"
        blocks.append(paragraph(f"{done_text} sur {len(actions)} {planned}."))
    blocks.append(
        table(["Action", "Responsable", "Échéance", "Statut", "Commentaire"], rows, widths=[4, 3, 2, 2, 4])
    )
    return Section(heading="Actions menées", blocks=blocks)


def _indicator_row(indicator: Any) -> list[str]:
    unit = first(indicator, "unit")
    return [
        field(indicator, "name"),
        quantity(first(indicator, "baseline"), unit, default="–"),
        quantity(first(indicator, "target"), unit),
        quantity(first(indicator, "value"), unit, default="–"),
        date_text(first(indicator, "measured_at"), "–"),
        attainment(indicator).label,
    ]


def _evaluation_day(context: Context, fields: dict[str, Any]) -> date:
    day = parse_temporal(context.get("evaluation_au"))
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    generated_at: datetime = fields["generated_at"]
    return generated_at.astimezone(ZoneInfo(fields["timezone"])).date()


def _day(value: object) -> date | None:
    day = parse_temporal(value)
    return day.date() if isinstance(day, datetime) else day


def _measurements(indicator: Any) -> Iterator[Measurement]:
    dated = items(first(indicator, "measurements")) or [
        {"date": first(indicator, "measured_at"), "value": first(indicator, "value")}
    ]
    for measurement in dated:
        on, value = _day(first(measurement, "date", "on")), as_decimal(first(measurement, "value"))
        if on is not None and value is not None:
            yield Measurement(on, float(value))


def _chart(indicator: Any, index: int, as_of: date) -> Figure | None:
    """The indicator's chart, when its baseline, target, their dates and its direction are known."""
    baseline, target = as_decimal(first(indicator, "baseline")), as_decimal(first(indicator, "target"))
    baseline_on, deadline = _day(first(indicator, "baseline_on")), _day(first(indicator, "deadline"))
    direction = {"increase": Direction.UP, "decrease": Direction.DOWN}.get(direction_of(indicator) or "")
    if baseline is None or target is None or baseline_on is None or deadline is None or direction is None:
        return None
    key = str(first(indicator, "key") or index)
    definition = Indicator(
        key, field(indicator, "name"), text(first(indicator, "unit"), ""), float(baseline), baseline_on,
        float(target), deadline, direction,
    )  # fmt: skip
    chart = indicator_chart(definition, _measurements(indicator), as_of=as_of, id_prefix=f"courbe-{index}")
    return Figure(svg=chart.svg, caption=chart.title, alt=chart.description)


def _objective_results(objective: Any, headers: list[str], as_of: date, start: int) -> Section:
    indicators = items(first(objective, "indicators"))
    blocks: list[Block] = [
        table(headers, [_indicator_row(indicator) for indicator in indicators], widths=[4, 2, 2, 2, 2, 3])
    ]
    charts = (_chart(indicator, start + offset, as_of) for offset, indicator in enumerate(indicators))
    blocks += [chart for chart in charts if chart is not None]
    return Section(heading=field(objective, "title", "name"), blocks=blocks)


def _results(objectives: list[Any], as_of: date) -> Section:
    indicators = [
        indicator for objective in objectives for indicator in items(first(objective, "indicators"))
    ]
    reached = sum(1 for indicator in indicators if attainment(indicator).reached)
    measured = sum(1 for indicator in indicators if attainment(indicator).reached is not None)
    headers = ["Indicateur", "Référence", "Cible", "Valeur mesurée", "Date de mesure", "Atteinte"]
    subsections, start = [], 1
    for objective in objectives:
        subsections.append(_objective_results(objective, headers, as_of, start))
        start += len(items(first(objective, "indicators")))
    summary = key_values(
        [
            ("Indicateurs suivis", str(len(indicators))),
            ("Indicateurs mesurés", str(measured)),
            ("Cibles atteintes", f"{reached} sur {measured}" if measured else "–"),
        ]
    )
    return Section(
        heading="Résultats obtenus",
        blocks=[summary] if subsections else [summary, table(headers, [])],
        subsections=subsections,
    )


def _effects(context: Context) -> Section:
    rows = [
        [
            field(effect, "effet", "name", "title"),
            field(effect, "constat"),
            field(effect, "commentaire", default="–"),
        ]
        for effect in items(context.get("effets_escomptes"))
    ]
    return Section(
        heading="Effets escomptés",
        blocks=[
            paragraph(
                "Au-delà des résultats mesurés, la démarche vise des effets durables : participation "
                "accrue des "
                "habitants, coopération entre acteurs, confiance dans l'action publique locale."
            ),
            table(["Effet escompté", "Constat", "Commentaire"], rows, widths=[4, 4, 3]),
        ],
    )
