"""Rapport d'évaluation: the approach analysed against the objectives set, the means allocated, the actions
carried out, the results obtained (indicator values against baseline and target, and a chart per indicator
whose measurements are dated) and the expected effects.

Indicators and objectives are evaluated by ``objectives.evaluation``, the rule of the dashboard: the
« Évaluation » column, the charts and each objective's standing cannot disagree. Where the engagement has no
recommendation or conclusion written, the report says so and lists what the evaluation itself flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from gouvernance.clock import Clock
from gouvernance.deliverables.builders import labels
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    capitalised,
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
    typo,
    with_optional,
)
from gouvernance.deliverables.french import (
    NBSP,
    as_decimal,
    format_date,
    format_number,
    format_percent,
    parse_temporal,
)
from gouvernance.deliverables.model import Block, DeliverableDocument, Figure, Section
from gouvernance.objectives.charts import indicator_chart
from gouvernance.objectives.evaluation import (
    Direction,
    Indicator,
    IndicatorEvaluation,
    Measurement,
    Status,
    evaluate_indicator,
    evaluate_objective,
)

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
    jours_prevus: float | str  # the days of work of the action plan, when no FTE is given
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


def build_rapport_evaluation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Rapport d'évaluation de la démarche", clock=clock)
    objectives = items(context.get("objectifs"))
    as_of = _evaluation_day(context, fields)
    assessed = _assess_all(objectives, as_of)
    sections = with_optional(
        [
            _purpose(context),
            _objectives(objectives),
            _means(context),
            _actions(context),
            _results(objectives, assessed, as_of),
            _effects(context),
            _recommendations(context, assessed),
            _conclusion(context, objectives, assessed, as_of),
            evidence_section(context),
        ]
    )
    return DeliverableDocument(kind=KIND, sections=sections, table_of_contents=True, **fields)


def _period(context: Context) -> str:
    period = mapping(context, "periode")
    start, end = first(period, "start"), first(period, "end")
    if start is None and end is None:
        return "période non renseignée"
    return f"du {date_text(start, 'début non renseigné')} au {date_text(end, 'fin non renseignée')}"


def _purpose(context: Context) -> Section:
    return Section(
        heading="Objet et méthode",
        blocks=[
            paragraph(
                "Comme toute politique publique, la démarche de gouvernance partagée est évaluée au "
                "regard des objectifs visés, des moyens alloués, des actions menées, des résultats "
                "obtenus et des effets escomptés."
            ),
            key_values([("Période évaluée", _period(context))]),
            paragraph(context.get("methode"), "Aucune méthode d'évaluation n'est décrite."),
        ],
    )


def _objectives(objectives: list[Any]) -> Section:
    rows = [
        [
            field(objective, "title", "name", default="objectif sans intitulé"),
            field(objective, "description", default="–"),
            str(len(items(first(objective, "indicators")))),
        ]
        for objective in objectives
    ]
    return Section(
        heading="Objectifs visés",
        blocks=[
            table(
                ["Objectif", "Description", "Indicateurs"],
                rows,
                widths=[4, 6, 1],
                missing="aucun objectif enregistré",
            )
        ],
    )


def _rate(used: object, planned: object) -> str:
    used_number, planned_number = as_decimal(used), as_decimal(planned)
    if used_number is None or not planned_number:
        return "–"
    return format_percent(float(used_number / planned_number))


def _planned_time(means: Mapping[str, Any], planned_fte: object) -> str:
    """In full-time equivalents, else in days of work (what the action plan records)."""
    days = as_decimal(first(means, "jours_prevus"))
    if planned_fte is None and days is not None:
        return f"{format_number(days)}{NBSP}jours"
    return fte(planned_fte, "aucun temps de travail prévu")


def _means(context: Context) -> Section:
    means = mapping(context, "moyens_alloues")
    budget = (first(means, "budget_prevu"), first(means, "budget_consomme"))
    staff = (first(means, "etp_prevus"), first(means, "etp_mobilises"))
    blocks: list[Block] = [
        table(
            ["Moyen", "Prévu", "Mobilisé", "Taux de mobilisation"],
            [
                [
                    "Budget",
                    money(budget[0], "aucun budget prévu"),
                    money(budget[1], "aucune dépense enregistrée"),
                    _rate(budget[1], budget[0]),
                ],
                [
                    "Temps de travail",
                    _planned_time(means, staff[0]),
                    fte(staff[1], "aucun temps mobilisé enregistré"),
                    _rate(staff[1], staff[0]),
                ],
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
            field(action, "title", "name", default="action sans intitulé"),
            field(action, "responsible", default="responsable non désigné"),
            date_text(first(action, "echeance"), "échéance non fixée"),
            labelled(labels.ACTION_STATUSES, first(action, "status"), "statut non renseigné"),
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
        table(
            ["Action", "Responsable", "Échéance", "Statut", "Commentaire"],
            rows,
            widths=[4, 3, 2, 2, 4],
            missing="aucune action enregistrée",
        )
    )
    return Section(heading="Actions menées", blocks=blocks)


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


def _measurements(indicator: Any) -> list[Measurement]:
    dated = items(first(indicator, "measurements")) or [
        {"date": first(indicator, "measured_at"), "value": first(indicator, "value")}
    ]
    measurements = []
    for measurement in dated:
        on, value = _day(first(measurement, "date", "on")), as_decimal(first(measurement, "value"))
        if on is not None and value is not None:
            measurements.append(Measurement(on, float(value)))
    return measurements


_REQUIRED = {
    "baseline": "valeur de référence",
    "baseline_on": "date de référence",
    "target": "cible",
    "deadline": "échéance",
}


def _definition(indicator: Any, index: int) -> Indicator | str:
    """The indicator as ``objectives.evaluation`` evaluates it, or what is missing to evaluate it."""
    baseline, target = as_decimal(first(indicator, "baseline")), as_decimal(first(indicator, "target"))
    baseline_on, deadline = _day(first(indicator, "baseline_on")), _day(first(indicator, "deadline"))
    direction = {"increase": Direction.UP, "decrease": Direction.DOWN}.get(direction_of(indicator) or "")
    if baseline is None or target is None or baseline_on is None or deadline is None:
        known = {"baseline": baseline, "baseline_on": baseline_on, "target": target, "deadline": deadline}
        missing = [_REQUIRED[key] for key, value in known.items() if value is None]
        agreement = "non renseignées" if len(missing) > 1 else "non renseignée"  # all four are feminine
        return f"non évalué : {', '.join(missing)} {agreement}"
    if direction is None:
        return "non évalué : sens d'évolution attendu non renseigné (hausse ou baisse)"
    key = str(first(indicator, "key") or index)
    return Indicator(
        key, field(indicator, "name", default=f"indicateur n° {index}"), text(first(indicator, "unit"), ""),
        float(baseline), baseline_on, float(target), deadline, direction,
    )  # fmt: skip


@dataclass(frozen=True)
class _Assessed:
    """One indicator of the report: its evaluation, or why there is none."""

    indicator: Any
    index: int
    definition: Indicator | None
    evaluation: IndicatorEvaluation | None
    why_not: str = ""

    @property
    def verdict(self) -> str:
        if self.evaluation is None:
            return self.why_not
        return f"{capitalised(self.evaluation.status.label)} : {self.evaluation.reason}"


def _assess(indicator: Any, index: int, as_of: date) -> _Assessed:
    definition = _definition(indicator, index)
    if isinstance(definition, str):
        return _Assessed(indicator, index, None, None, definition)
    evaluation = evaluate_indicator(definition, _measurements(indicator), as_of)
    return _Assessed(indicator, index, definition, evaluation)


def _indicator_row(assessed: _Assessed) -> list[str]:
    indicator, unit = assessed.indicator, first(assessed.indicator, "unit")
    latest = assessed.evaluation.latest if assessed.evaluation is not None else None
    value = latest.value if latest is not None else first(indicator, "value")
    measured_at = (
        format_date(latest.on) if latest is not None else date_text(first(indicator, "measured_at"), "–")
    )
    return [
        field(indicator, "name", default=f"indicateur n° {assessed.index}"),
        quantity(first(indicator, "baseline"), unit, default="–"),
        quantity(first(indicator, "target"), unit, default="cible non définie"),
        quantity(value, unit, default="aucune mesure"),
        measured_at,
        typo(assessed.verdict),
    ]


def _chart(assessed: _Assessed, as_of: date) -> Figure | None:
    """The indicator's chart, drawn by the same rule as the « Évaluation » column."""
    if assessed.definition is None:
        return None
    chart = indicator_chart(
        assessed.definition,
        _measurements(assessed.indicator),
        as_of=as_of,
        id_prefix=f"courbe-{assessed.index}",
    )
    return Figure(svg=chart.svg, caption=chart.title, alt=chart.description)


def _objective_standing(assessed: list[_Assessed]) -> str:
    evaluations = [item.evaluation for item in assessed if item.evaluation is not None]
    unevaluated = [
        f"« {field(item.indicator, 'name', default=f'indicateur n° {item.index}')} »"
        for item in assessed
        if item.evaluation is None
    ]
    if not assessed:
        standing = evaluate_objective([])
        return f"Évaluation de l'objectif : {standing.status.label} ({standing.reason})."
    if not evaluations:
        return f"Évaluation de l'objectif : aucun indicateur évaluable ({', '.join(unevaluated)})."
    standing = evaluate_objective(evaluations)
    reason = standing.reason
    if unevaluated:
        reason += f" ; {'non évalués' if len(unevaluated) > 1 else 'non évalué'} : {', '.join(unevaluated)}"
    return f"Évaluation de l'objectif : {standing.status.label} ({reason})."


def _objective_results(objective: Any, assessed: list[_Assessed], headers: list[str], as_of: date) -> Section:
    blocks: list[Block] = [
        paragraph(_objective_standing(assessed)),
        table(
            headers,
            [_indicator_row(item) for item in assessed],
            widths=[4, 2, 2, 2, 2, 4],
            missing="aucun indicateur rattaché à cet objectif",
        ),
    ]
    charts = (_chart(item, as_of) for item in assessed)
    blocks += [chart for chart in charts if chart is not None]
    return Section(heading=field(objective, "title", "name", default="Objectif sans intitulé"), blocks=blocks)


def _assess_all(objectives: list[Any], as_of: date) -> list[list[_Assessed]]:
    """Each objective's indicators, evaluated; indicators are numbered across the report (for the charts)."""
    assessed, index = [], 1
    for objective in objectives:
        indicators = items(first(objective, "indicators"))
        assessed.append(
            [_assess(indicator, index + offset, as_of) for offset, indicator in enumerate(indicators)]
        )
        index += len(indicators)
    return assessed


def _results(objectives: list[Any], assessed: list[list[_Assessed]], as_of: date) -> Section:
    headers = ["Indicateur", "Référence", "Cible", "Valeur mesurée", "Date de mesure", "Évaluation"]
    subsections = [
        _objective_results(objective, indicators, headers, as_of)
        for objective, indicators in zip(objectives, assessed, strict=True)
    ]
    every = [item for indicators in assessed for item in indicators]
    evaluated = [item.evaluation for item in every if item.evaluation is not None]
    measured = [evaluation for evaluation in evaluated if evaluation.status is not Status.SANS_MESURE]
    reached = sum(1 for evaluation in measured if evaluation.status is Status.ATTEINT)
    summary = key_values(
        [
            ("Évaluation au", format_date(as_of)),
            ("Indicateurs suivis", str(len(every))),
            ("Indicateurs évalués", str(len(evaluated))),
            ("Indicateurs mesurés", str(len(measured))),
            ("Cibles atteintes", f"{reached} sur {len(measured)}" if measured else "aucun indicateur mesuré"),
        ]
    )
    return Section(
        heading="Résultats obtenus",
        blocks=[summary] if subsections else [summary, table(headers, [], missing="aucun indicateur suivi")],
        subsections=subsections,
    )


_BEHIND = (Status.A_RISQUE, Status.NON_ATTEINT, Status.SANS_MESURE)


def _attention_points(context: Context, assessed: list[list[_Assessed]]) -> list[str]:
    """What the evaluation itself flags: indicators behind or unmeasured, and actions late."""
    points = [
        f"« {item.evaluation.indicator.label} » : {item.evaluation.status.label} ({item.evaluation.reason})."
        for indicators in assessed
        for item in indicators
        if item.evaluation is not None and item.evaluation.status in _BEHIND
    ]
    for action in items(context.get("actions")):
        if labels.normalise_key(first(action, "status") or "") in ("late", "en_retard"):
            owner = field(action, "responsible", default="responsable non désigné")
            due = date_text(first(action, "echeance"), "échéance non fixée")
            points.append(
                f"Achever l'action « {field(action, 'title', 'name', default='sans intitulé')} » ({owner}), "
                f"en retard sur son échéance du {due}."
            )
    return points


def _recommendations(context: Context, assessed: list[list[_Assessed]]) -> Section:
    written = items(context.get("recommandations"))
    if written:
        return Section(heading="Recommandations", blocks=[bullets(written, ordered=True)])
    points = _attention_points(context, assessed)
    return Section(
        heading="Recommandations",
        blocks=[
            paragraph(
                "Aucune recommandation n'est encore rédigée par l'équipe d'évaluation ; l'évaluation relève "
                "les points d'attention suivants :"
                if points
                else "Aucune recommandation n'est encore rédigée, et l'évaluation ne relève aucun indicateur "
                "en retard ni aucune action en retard."
            ),
            *([bullets(points, ordered=True)] if points else []),
        ],
    )


def _conclusion(
    context: Context, objectives: list[Any], assessed: list[list[_Assessed]], as_of: date
) -> Section:
    written = first(context, "conclusion")
    if written is not None:
        return Section(heading="Conclusion", blocks=[paragraph(written)])
    standings: dict[str, int] = {}
    for indicators in assessed:
        evaluations = [item.evaluation for item in indicators if item.evaluation is not None]
        if evaluations:
            label = evaluate_objective(evaluations).status.label
            standings[label] = standings.get(label, 0) + 1
    summary = ", ".join(f"{count} {label}" for label, count in standings.items())
    standing = (
        f"Au {format_date(as_of)}, sur {len(objectives)} objectif{'s' if len(objectives) > 1 else ''} : "
        f"{summary}."
        if summary
        else f"Au {format_date(as_of)}, aucun objectif n'a d'indicateur évaluable."
    )
    return Section(
        heading="Conclusion",
        blocks=[paragraph(f"Aucune conclusion n'est encore rédigée par l'équipe d'évaluation. {standing}")],
    )


def _effects(context: Context) -> Section:
    rows = [
        [
            field(effect, "effet", "name", "title", default="effet sans intitulé"),
            field(effect, "constat", default="constat non encore établi"),
            field(effect, "commentaire", default="–"),
        ]
        for effect in items(context.get("effets_escomptes"))
    ]
    return Section(
        heading="Effets escomptés",
        blocks=[
            paragraph(
                "Au-delà des résultats mesurés, la démarche vise des effets durables : participation "
                "accrue des habitants, coopération entre acteurs, confiance dans l'action publique locale."
            ),
            table(
                ["Effet escompté", "Constat", "Commentaire"],
                rows,
                widths=[4, 4, 3],
                missing="aucun effet escompté renseigné",
            ),
        ],
    )
