"""Evaluation: where each indicator stands against its target, and each objective against its indicators.

The rule, as an evaluation committee applies it (seed 004: "au regard des objectifs visés … des résultats
obtenus"):
- **atteint**: the latest measurement reaches the target (at or above it for an indicator that should rise,
  at or below for one that should fall);
- before the deadline, **en bonne voie** when the trend, carried on to the deadline, reaches the target, and
  **à risque** otherwise (too slow, flat, going the wrong way, or too few measurements to tell);
- after the deadline, **non atteint**.

The trend is the least-squares slope of the measurements of the last ``TREND_WINDOW`` (the baseline counts as
a measurement on its date), so one odd month does not flip a status. Every verdict carries its reason in
French, with the figures that led to it: a deliverable prints it as it is, never a bare "À compléter".

Pure functions over plain values: the database, the API and the deliverables all call the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from gouvernance.deliverables.french import format_date, format_number

TREND_WINDOW = timedelta(days=365)
_DAYS_PER_MONTH = 365.25 / 12


class Direction(StrEnum):
    """Which way an indicator should move."""

    UP = "hausse"
    DOWN = "baisse"


class Status(StrEnum):
    """An indicator's or an objective's standing, from best to worst, then "no measurement yet"."""

    ATTEINT = "atteint"
    EN_BONNE_VOIE = "en_bonne_voie"
    A_RISQUE = "a_risque"
    NON_ATTEINT = "non_atteint"
    SANS_MESURE = "sans_mesure"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Status.ATTEINT: "atteint",
    Status.EN_BONNE_VOIE: "en bonne voie",
    Status.A_RISQUE: "à risque",
    Status.NON_ATTEINT: "non atteint",
    Status.SANS_MESURE: "sans mesure",
}
# An objective is as far as its furthest-behind indicator.
_SEVERITY = [Status.ATTEINT, Status.EN_BONNE_VOIE, Status.A_RISQUE, Status.NON_ATTEINT]


@dataclass(frozen=True)
class Measurement:
    on: date
    value: float


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    baseline: float
    baseline_on: date
    target: float
    deadline: date
    direction: Direction

    def reached(self, value: float) -> bool:
        return value >= self.target if self.direction is Direction.UP else value <= self.target


@dataclass(frozen=True)
class IndicatorEvaluation:
    indicator: Indicator
    status: Status
    reason: str
    latest: Measurement | None = None
    slope_per_month: float | None = None  # units per month over the trend window
    projected: float | None = None  # the value the trend gives at the deadline


@dataclass(frozen=True)
class ObjectiveEvaluation:
    status: Status
    reason: str
    indicators: list[IndicatorEvaluation] = field(default_factory=list)


def evaluate_indicator(
    indicator: Indicator, measurements: Iterable[Measurement], as_of: date
) -> IndicatorEvaluation:
    """The indicator's status on ``as_of``, from its measurements up to that day (later ones are ignored)."""
    known = sorted((m for m in measurements if m.on <= as_of), key=lambda m: m.on)
    if not known:
        return IndicatorEvaluation(
            indicator,
            Status.SANS_MESURE,
            f"aucune mesure depuis le {format_date(indicator.baseline_on)} (valeur de référence : "
            f"{_amount(indicator.baseline, indicator.unit)})",
        )
    latest = known[-1]
    if indicator.reached(latest.value):
        return IndicatorEvaluation(
            indicator,
            Status.ATTEINT,
            f"cible de {_amount(indicator.target, indicator.unit)} atteinte : "
            f"{_amount(latest.value, indicator.unit)} au {format_date(latest.on)}",
            latest,
        )
    if as_of > indicator.deadline:
        return IndicatorEvaluation(
            indicator,
            Status.NON_ATTEINT,
            f"échéance du {format_date(indicator.deadline)} passée : "
            f"{_amount(latest.value, indicator.unit)} au {format_date(latest.on)} pour une cible de "
            f"{_amount(indicator.target, indicator.unit)}",
            latest,
        )
    points = [Measurement(indicator.baseline_on, indicator.baseline), *known]
    window = [p for p in points if p.on >= latest.on - TREND_WINDOW]
    slope = _slope_per_day(window)
    if slope is None:
        return IndicatorEvaluation(
            indicator,
            Status.A_RISQUE,
            f"tendance inconnue : une seule mesure ({_amount(latest.value, indicator.unit)} au "
            f"{format_date(latest.on)}) pour une cible de {_amount(indicator.target, indicator.unit)}",
            latest,
        )
    projected = latest.value + slope * (indicator.deadline - latest.on).days
    per_month = slope * _DAYS_PER_MONTH
    pace = f"au rythme actuel ({_signed(per_month, indicator.unit)} par mois)"
    at_deadline = (
        f"{_amount(projected, indicator.unit)} au {format_date(indicator.deadline)} pour une cible de "
        f"{_amount(indicator.target, indicator.unit)}"
    )
    status = Status.EN_BONNE_VOIE if indicator.reached(projected) else Status.A_RISQUE
    return IndicatorEvaluation(indicator, status, f"{pace}, {at_deadline}", latest, per_month, projected)


def evaluate_objective(evaluations: Sequence[IndicatorEvaluation]) -> ObjectiveEvaluation:
    """An objective stands where its furthest-behind measured indicator stands; indicators without a
    measurement are named, and an objective none of whose indicators is measured is "sans mesure"."""
    measured = [e for e in evaluations if e.status is not Status.SANS_MESURE]
    unmeasured = [e.indicator.label for e in evaluations if e.status is Status.SANS_MESURE]
    if not evaluations:
        return ObjectiveEvaluation(Status.SANS_MESURE, "aucun indicateur n'est rattaché à cet objectif")
    if not measured:
        return ObjectiveEvaluation(
            Status.SANS_MESURE, f"aucun indicateur mesuré ({_names(unmeasured)})", list(evaluations)
        )
    worst = max(measured, key=lambda e: _SEVERITY.index(e.status))
    reason = f"{worst.indicator.label} : {worst.reason}"
    if unmeasured:
        reason += f" ; sans mesure : {_names(unmeasured)}"
    return ObjectiveEvaluation(worst.status, reason, list(evaluations))


def _slope_per_day(points: Sequence[Measurement]) -> float | None:
    """Least-squares slope of value against days; None with fewer than two distinct dates."""
    if len({p.on for p in points}) < 2:
        return None
    origin = points[0].on
    xs = [(p.on - origin).days for p in points]
    ys = [p.value for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _amount(value: float, unit: str) -> str:
    number = format_number(round(value, 2))
    return f"{number}\u00a0{unit}" if unit else number


def _signed(value: float, unit: str) -> str:
    return ("+" if value >= 0 else "−") + _amount(abs(value), unit)


def _names(labels: list[str]) -> str:
    return ", ".join(f"« {label} »" for label in labels)
