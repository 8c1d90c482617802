"""One SVG chart per indicator: its measurements over time, the baseline and target lines, the deadline, and
the trend carried on to the deadline exactly as ``evaluation`` computes it, with the status in the title.

The chart is read by screen readers too (RGAA): ``<title>`` names the indicator and its status, ``<desc>``
gives the figures and the reason of the verdict in French, and every point has its own ``<title>``. Colours
come from the Okabe-Ito palette and never carry meaning alone (the target is labelled, the trend dashed).
Written by hand like the stakeholder pictures: a few lines and labels need no plotting library, and the SVG
stays small, deterministic and free of scripts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from xml.sax import saxutils

from gouvernance.deliverables.french import format_date, format_number
from gouvernance.inputs import xml_text
from gouvernance.objectives.evaluation import (
    Indicator,
    IndicatorEvaluation,
    Measurement,
    Status,
    evaluate_indicator,
)

FONT = "Marianne, Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 720, 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 76, 150, 64, 64
MEASURE_COLOUR = "#0072b2"
TARGET_COLOUR = "#009e73"
BASELINE_COLOUR = "#707070"
TREND_COLOUR = "#d55e00"
SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


@dataclass(frozen=True)
class Chart:
    """The SVG with its title and description, which a deliverable reuses as caption and text alternative."""

    svg: str
    title: str
    description: str


def indicator_chart(
    indicator: Indicator, measurements: Iterable[Measurement], *, as_of: date, id_prefix: str = "courbe"
) -> Chart:
    """The chart of ``indicator`` on ``as_of`` (later measurements are left out, as in the evaluation)."""
    known = sorted((m for m in measurements if m.on <= as_of), key=lambda m: m.on)
    evaluation = evaluate_indicator(indicator, known, as_of)
    title = f"{indicator.label} : {evaluation.status.label}"
    description = chart_description(evaluation, known)
    plot = _Plot.around(indicator, known, evaluation)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'xml:lang="fr" font-family="{FONT}" fill="#1e1e1e">',
        f'<title id="{id_prefix}-title">{_escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{_escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        *_heading(indicator, evaluation),
        *_axes(plot, indicator),
        *_reference_lines(plot, indicator),
        *_trend(plot, indicator, evaluation),
        *_series(plot, indicator, known),
        "</svg>",
    ]
    return Chart("\n".join(parts), title, description)


def chart_description(evaluation: IndicatorEvaluation, known: list[Measurement]) -> str:
    indicator = evaluation.indicator
    counted = "aucune mesure" if not known else f"{len(known)} mesure{'s' if len(known) > 1 else ''}"
    baseline, target = amount(indicator.baseline, indicator.unit), amount(indicator.target, indicator.unit)
    return (
        f"Évolution de « {indicator.label} » : valeur de référence {baseline} au "
        f"{format_date(indicator.baseline_on)}, cible {target} au {format_date(indicator.deadline)} "
        f"({indicator.direction.value}), {counted}. "
        f"Statut : {evaluation.status.label} ({evaluation.reason})."
    )


def amount(value: float, unit: str) -> str:
    number = format_number(round(value, 2))
    return f"{number}\u00a0{unit}" if unit else number


def month_label(day: date) -> str:
    """« janv. 2027 », the French abbreviation of the month and the year."""
    return f"{SHORT_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class _Plot:
    start: date
    end: date
    low: float
    high: float
    step: float

    @classmethod
    def around(cls, indicator: Indicator, known: list[Measurement], evaluation: IndicatorEvaluation) -> _Plot:
        days = [indicator.baseline_on, indicator.deadline, *(m.on for m in known)]
        values = [indicator.baseline, indicator.target, *(m.value for m in known)]
        if evaluation.projected is not None:
            values.append(evaluation.projected)
        start, end = min(days), max(days)
        if end <= start:
            end = date.fromordinal(start.toordinal() + 30)
        low, high = min(values), max(values)
        if math.isclose(low, high):
            low, high = low - (abs(low) or 1) * 0.5, high + (abs(high) or 1) * 0.5
        step = _nice_step((high - low) / 5)
        return cls(start, end, math.floor(low / step) * step, math.ceil(high / step) * step, step)

    def x(self, day: date) -> float:
        span = self.end.toordinal() - self.start.toordinal()
        return _LEFT + (day.toordinal() - self.start.toordinal()) / span * (WIDTH - _LEFT - _RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - _BOTTOM - (value - self.low) / (self.high - self.low) * (HEIGHT - _TOP - _BOTTOM)

    def value_ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + index * self.step for index in range(count + 1)]

    def month_ticks(self) -> list[date]:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        every = next((n for n in (1, 2, 3, 6, 12, 24, 60) if months / n <= 6), 120)
        first = self.start.year * 12 + self.start.month - 1
        first += -first % every  # the first month on the grid, at or after the start
        ticks = []
        for index in range(first, self.end.year * 12 + self.end.month, every):
            day = date(index // 12, index % 12 + 1, 1)
            if self.start <= day <= self.end:
                ticks.append(day)
        return ticks


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)


def _escape(text: str) -> str:
    return saxutils.escape(xml_text(text))


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{_escape(text)}</text>"
    )


def _heading(indicator: Indicator, evaluation: IndicatorEvaluation) -> list[str]:
    status = evaluation.status.label
    if evaluation.status is Status.ATTEINT:
        status = "atteint ✓"
    return [
        '<g aria-hidden="true">',
        _text(16, 24, indicator.label, size=15, extra=' font-weight="bold"'),
        _text(16, 44, f"Statut : {status}", size=12),
        "</g>",
    ]


def _axes(plot: _Plot, indicator: Indicator) -> list[str]:
    bottom, right = HEIGHT - _BOTTOM, WIDTH - _RIGHT
    parts = ['<g aria-hidden="true">']
    for value in plot.value_ticks():
        y = plot.y(value)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#e5e5e5" stroke-width="1"/>'
        )
        parts.append(_text(_LEFT - 6, y + 4, format_number(round(value, 6)), size=10, anchor="end"))
    for day in plot.month_ticks():
        x = plot.x(day)
        parts.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#1e1e1e"/>')
        parts.append(_text(x, bottom + 17, month_label(day), size=10, anchor="middle"))
    parts.append(f'<line x1="{_LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#1e1e1e"/>')
    parts.append(f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{bottom}" stroke="#1e1e1e"/>')
    parts.append(_text((_LEFT + right) / 2, HEIGHT - 14, "Date de mesure", size=11, anchor="middle"))
    axis = f"Valeur ({indicator.unit})" if indicator.unit else "Valeur"
    middle = (_TOP + bottom) / 2
    parts.append(
        _text(18, middle, axis, size=11, anchor="middle", extra=f' transform="rotate(-90 18 {middle:.1f})"')
    )
    parts.append("</g>")
    return parts


def _reference_lines(plot: _Plot, indicator: Indicator) -> list[str]:
    right = WIDTH - _RIGHT
    lines = [
        (indicator.target, f"Cible : {amount(indicator.target, indicator.unit)}", TARGET_COLOUR, ""),
        (
            indicator.baseline,
            f"Référence : {amount(indicator.baseline, indicator.unit)}",
            BASELINE_COLOUR,
            ' stroke-dasharray="2 3"',
        ),
    ]
    parts = ['<g class="references">']
    label_ys: list[float] = []
    for value, label, colour, dash in lines:
        y = plot.y(value)
        label_y = y + 4
        if any(abs(label_y - other) < 13 for other in label_ys):  # baseline equal or close to the target
            label_y += 14
        label_ys.append(label_y)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="1.5"{dash}/>'
        )
        parts.append(_text(right + 6, label_y, label, size=11, extra=f' fill="{colour}"'))
    x = plot.x(indicator.deadline)
    parts.append(
        f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{HEIGHT - _BOTTOM}" stroke="{TARGET_COLOUR}" '
        'stroke-width="1" stroke-dasharray="4 3"/>'
    )
    parts.append(_text(x, _TOP - 6, f"Échéance : {format_date(indicator.deadline)}", size=10, anchor="end"))
    parts.append("</g>")
    return parts


def _trend(plot: _Plot, indicator: Indicator, evaluation: IndicatorEvaluation) -> list[str]:
    latest, projected = evaluation.latest, evaluation.projected
    if latest is None or projected is None:
        return []
    x1, y1 = plot.x(latest.on), plot.y(latest.value)
    x2, y2 = plot.x(indicator.deadline), plot.y(projected)
    label = f"Tendance : {amount(projected, indicator.unit)} au {format_date(indicator.deadline)}"
    target_y, fill = plot.y(indicator.target), f' fill="{TREND_COLOUR}"'
    label_y = y2 + 4 if abs(y2 - target_y) >= 16 else target_y + (20 if y2 >= target_y else -12)
    return [
        '<g class="trend">',
        f"<title>{_escape(label)}</title>",
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{TREND_COLOUR}" '
        'stroke-width="2" stroke-dasharray="6 4"/>',
        f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="4" fill="#ffffff" stroke="{TREND_COLOUR}" '
        'stroke-width="2"/>',
        _text(x2 + 8, label_y, f"Tendance : {amount(projected, indicator.unit)}", size=10, extra=fill),
        "</g>",
    ]


def _series(plot: _Plot, indicator: Indicator, known: list[Measurement]) -> list[str]:
    if not known:
        middle_x, middle_y = (_LEFT + WIDTH - _RIGHT) / 2, (_TOP + HEIGHT - _BOTTOM) / 2
        return [_text(middle_x, middle_y, "Aucune mesure à ce jour", size=13, anchor="middle")]
    points = [Measurement(indicator.baseline_on, indicator.baseline), *known]
    path = " ".join(f"{plot.x(p.on):.1f},{plot.y(p.value):.1f}" for p in points)
    parts = [
        '<g class="measurements">',
        f'<polyline points="{path}" fill="none" stroke="{MEASURE_COLOUR}" stroke-width="2"/>',
    ]
    for measurement in known:
        x, y = plot.x(measurement.on), plot.y(measurement.value)
        label = f"{amount(measurement.value, indicator.unit)} au {format_date(measurement.on)}"
        parts.append(
            f'<g class="measurement"><title>{_escape(label)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="4" '
            f'fill="{MEASURE_COLOUR}" stroke="#ffffff" stroke-width="1"/></g>'
        )
    latest = known[-1]
    x, y, text = plot.x(latest.on), plot.y(latest.value) - 9, amount(latest.value, indicator.unit)
    bold = ' font-weight="bold"'
    halo = (
        f'{bold} fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" aria-hidden="true"'
    )
    parts.append(_text(x, y, text, anchor="middle", extra=halo))  # legible over the lines it crosses
    parts.append(_text(x, y, text, anchor="middle", extra=f'{bold} fill="{MEASURE_COLOUR}"'))
    parts.append("</g>")
    return parts
