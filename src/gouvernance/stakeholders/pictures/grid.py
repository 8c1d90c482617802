"""The Mendelow power/interest grid: one cell per (interest, power) pair, its four quadrants shaded and
named, each stakeholder a disc of its category colour with its attitude sign, and its whole name."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from gouvernance.stakeholders.analysis.classification import (
    HIGH_SCORE_THRESHOLD,
    mendelow_quadrant,
)
from gouvernance.stakeholders.pictures.drawing import (
    ATTITUDE_SIGNS,
    CATEGORY_COLOURS,
    LINE_EM,
    coord,
    counted,
    escape_text,
    halo_label,
    halo_lines,
    number_text,
    open_svg,
    phrase,
    quote_attribute,
    score_text,
    stakeholder_title,
    text_width,
    wrap_name,
)
from gouvernance.stakeholders.records import SCORE_MAX, SCORE_MIN, StakeholderData
from gouvernance.stakeholders.vocabulary import Category, Quadrant, french_sort_key

_CELL = 120
_LEFT, _TOP = 80, 60
_QUADRANT_FILLS = {
    Quadrant.gerer_etroitement: "#f8d7d3",
    Quadrant.satisfaire: "#fdf0c7",
    Quadrant.informer: "#dcefd9",
    Quadrant.surveiller: "#ececec",
}


def power_interest_grid_svg(
    stakeholders: Iterable[StakeholderData],
    *,
    lang: str = "fr",
    max_per_cell: int = 30,
    id_prefix: str = "grille",
    threshold: float = HIGH_SCORE_THRESHOLD,
) -> str:
    """Mendelow's grid: interest across, power upwards, the four quadrants named, each stakeholder a disc
    (colour: category; sign: attitude) in the cell of its scores, in name order so that the same list always
    gives the same picture. Each is named in full, on several lines when long: listed in its cell when the
    names fit there, else its cell gets a letter and the names are listed under the grid, the discs spread on
    a sunflower pattern. Above ``max_per_cell`` the cell shows how many more there are.
    ``threshold``: the engagement's Mendelow threshold, where "high" starts (shown, and the quadrants split
    between the cells around it)."""
    cells: defaultdict[tuple[int, int], list[StakeholderData]] = defaultdict(list)
    for stakeholder in stakeholders:
        cells[(stakeholder.interest, stakeholder.power)].append(stakeholder)
    for members in cells.values():
        members.sort(key=lambda stakeholder: (french_sort_key(stakeholder.name), stakeholder.id))
    width = _LEFT + 5 * _CELL + 260
    listed = {cell: _listing(cell, members[:max_per_cell], threshold) for cell, members in cells.items()}
    crowded = [cell for cell in sorted(cells) if listed[cell] is None]
    letters = {cell: _letter(index) for index, cell in enumerate(crowded)}
    key = _key_lines({cell: cells[cell][:max_per_cell] for cell in crowded}, letters, width, lang)
    height = _TOP + 5 * _CELL + 70 + (round(len(key) * _KEY_SIZE * LINE_EM) + 16 if key else 0)
    parts = open_svg(
        width,
        height,
        id_prefix,
        phrase("grid_title", lang),
        _grid_description(cells, lang, threshold),
        lang,
    )
    parts += _grid_background(lang, threshold)
    for (interest, power), members in sorted(cells.items()):
        parts += _grid_cell(
            interest,
            power,
            members,
            max_per_cell,
            listed[(interest, power)],
            letters.get((interest, power)),
            lang,
            threshold,
        )
    parts += _grid_quadrant_labels(lang, threshold)
    parts += _grid_legend({s.category for members in cells.values() for s in members}, lang)
    if key:
        parts.append(halo_lines(20, _TOP + 5 * _CELL + 70 + _KEY_SIZE, key, size=_KEY_SIZE))
    parts.append("</svg>")
    return "\n".join(parts)


_KEY_SIZE = 10.0
_LIST_SIZES = (11.0, 10.0, 9.0, 8.0)
_DISC_X = 12  # a listed disc's centre, from the cell's left side
_NAME_X = 22  # where a listed name starts


def _letter(index: int) -> str:
    """A, B, … Z, then AA, AB…"""
    return _letter(index // 26 - 1) + chr(65 + index % 26) if index >= 26 else chr(65 + index)


def _reserved(cell: tuple[int, int], threshold: float) -> float:
    """Room left at the top of the cells under a quadrant's name."""
    _, top = _cell_origin(*cell)
    return 20.0 if any(math.isclose(top, _quadrant_box(q, threshold)[1]) for q in Quadrant) else 0.0


def _listing(
    cell: tuple[int, int], members: list[StakeholderData], threshold: float
) -> tuple[float, list[list[str]]] | None:
    """The font size and the wrapped names when the names fit in the cell one under the other, else None."""
    room, line_width = _CELL - 8 - _reserved(cell, threshold), _CELL - _NAME_X - 4
    for size in _LIST_SIZES:
        wrapped = [wrap_name(member.name, line_width, size) for member in members]
        rows = [max(len(lines) * size * LINE_EM, 14.0) for lines in wrapped]
        narrow = all(text_width(line, size) <= line_width for lines in wrapped for line in lines)
        # At the smallest size, a word longer than the cell (a hyphenated place name) may run over.
        if sum(rows) + 3 * (len(rows) - 1) <= room and (narrow or size == _LIST_SIZES[-1]):
            return size, wrapped
    return None


def _key_lines(
    crowded: dict[tuple[int, int], list[StakeholderData]],
    letters: dict[tuple[int, int], str],
    width: int,
    lang: str,
) -> list[str]:
    lines = []
    for cell, members in crowded.items():
        interest, power = cell
        where = f"{phrase('interest', lang).lower()} {interest}, {phrase('power', lang).lower()} {power}"
        names = " ; ".join(member.name for member in members)
        lines += wrap_name(f"{letters[cell]} ({where}) : {names}", width - 40, _KEY_SIZE)
    return lines


def _grid_description(
    cells: dict[tuple[int, int], list[StakeholderData]], lang: str, threshold: float
) -> str:
    counts = {quadrant: 0 for quadrant in Quadrant}
    for (interest, power), members in cells.items():
        counts[mendelow_quadrant(power, interest, threshold)] += len(members)
    total = sum(counts.values())
    if total == 0:
        return phrase("empty", lang)
    detail = " ; ".join(
        f"{quadrant.label(lang)} : {number_text(count, lang)}" for quadrant, count in counts.items()
    )
    said = _threshold_text(lang, threshold)
    return f"{counted(total, 'stakeholders', lang)}. {detail}. {said[:1].upper()}{said[1:]}."


def _threshold_text(lang: str, threshold: float) -> str:
    """Where Mendelow's "high" starts on the 1 to 5 scales."""
    shown = score_text(threshold, lang)
    if lang == "en":
        return f"high from {shown} / {SCORE_MAX} (power and interest alike)"
    return f"élevé à partir de {shown} sur {SCORE_MAX} (pouvoir comme intérêt)"


def _low_cells(threshold: float) -> int:
    """How many scores (cells) lie below the threshold: the quadrants split on the cells' edge."""
    return math.ceil(threshold) - SCORE_MIN


def _cell_origin(interest: int, power: int) -> tuple[float, float]:
    return _LEFT + (interest - SCORE_MIN) * _CELL, _TOP + (SCORE_MAX - power) * _CELL


def _grid_background(lang: str, threshold: float) -> list[str]:
    parts = []
    for quadrant, fill in _QUADRANT_FILLS.items():
        x, y, w, h = _quadrant_box(quadrant, threshold)
        parts.append(
            f'<rect class="quadrant" data-quadrant="{quadrant.value}" '
            f'x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
        )
    for step in range(6):
        offset = step * _CELL
        parts.append(
            f'<line x1="{_LEFT + offset}" y1="{_TOP}" x2="{_LEFT + offset}" y2="{_TOP + 5 * _CELL}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
        parts.append(
            f'<line x1="{_LEFT}" y1="{_TOP + offset}" x2="{_LEFT + 5 * _CELL}" y2="{_TOP + offset}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
    split = _LEFT + _low_cells(threshold) * _CELL
    parts.append(
        f'<line x1="{coord(split)}" y1="{_TOP}" x2="{coord(split)}" y2="{_TOP + 5 * _CELL}" stroke="#555555" '
        'stroke-width="2"/>'
    )
    split_y = _TOP + (SCORE_MAX - SCORE_MIN + 1 - _low_cells(threshold)) * _CELL
    parts.append(
        f'<line x1="{_LEFT}" y1="{coord(split_y)}" x2="{_LEFT + 5 * _CELL}" y2="{coord(split_y)}" '
        'stroke="#555555" stroke-width="2"/>'
    )
    parts.append('<g aria-hidden="true">')
    for score in range(SCORE_MIN, SCORE_MAX + 1):
        x, y = _cell_origin(score, score)
        parts.append(halo_label(x + _CELL / 2, _TOP + 5 * _CELL + 18, str(score), anchor="middle"))
        parts.append(halo_label(_LEFT - 10, y + _CELL / 2 + 4, str(score), anchor="end"))
    parts.append(
        halo_label(
            _LEFT + 2.5 * _CELL,
            _TOP + 5 * _CELL + 44,
            f"{phrase('interest', lang)} →",
            size=13,
            anchor="middle",
        )
    )
    centre_y = _TOP + 2.5 * _CELL
    parts.append(
        f'<text x="28" y="{centre_y}" font-size="13" text-anchor="middle" '
        f'transform="rotate(-90 28 {centre_y})">{escape_text(phrase("power", lang))} →</text>'
    )
    parts.append(halo_label(_LEFT, 30, phrase("grid_title", lang), size=16, weight="bold"))
    parts.append(halo_label(split, _TOP - 8, _threshold_text(lang, threshold), anchor="middle"))
    parts.append("</g>")
    return parts


def _quadrant_box(quadrant: Quadrant, threshold: float) -> tuple[float, float, float, float]:
    low_cells = _low_cells(threshold)  # 3 cells of "low" scores at 3.5
    high_cells = 5 - low_cells
    left_w, right_w = low_cells * _CELL, high_cells * _CELL
    top_h, bottom_h = high_cells * _CELL, low_cells * _CELL
    right_x, bottom_y = _LEFT + left_w, _TOP + top_h
    return {
        Quadrant.satisfaire: (_LEFT, _TOP, left_w, top_h),
        Quadrant.gerer_etroitement: (right_x, _TOP, right_w, top_h),
        Quadrant.surveiller: (_LEFT, bottom_y, left_w, bottom_h),
        Quadrant.informer: (right_x, bottom_y, right_w, bottom_h),
    }[quadrant]


def _grid_quadrant_labels(lang: str, threshold: float) -> list[str]:
    parts = ['<g aria-hidden="true">']
    for quadrant in Quadrant:
        x, y, _, _ = _quadrant_box(quadrant, threshold)
        text = quadrant.label(lang)
        parts.append(halo_label(x + 8, y + 17, text[:1].upper() + text[1:], size=13, weight="bold"))
    parts.append("</g>")
    return parts


def _grid_cell(
    interest: int,
    power: int,
    members: list[StakeholderData],
    max_per_cell: int,
    listing: tuple[float, list[list[str]]] | None,
    letter: str | None,
    lang: str,
    threshold: float,
) -> list[str]:
    left, top = _cell_origin(interest, power)
    drawn = members[:max_per_cell]
    parts = ["<g>"]
    if listing is not None:
        size, wrapped = listing
        rows = [max(len(lines) * size * LINE_EM, 14.0) for lines in wrapped]
        reserved = _reserved((interest, power), threshold)
        y = top + reserved + (_CELL - reserved - sum(rows) - 3 * (len(rows) - 1)) / 2
        for stakeholder, lines, row in zip(drawn, wrapped, rows, strict=True):
            parts += _grid_disc(stakeholder, left + _DISC_X, y + min(row, size * LINE_EM) / 2, 6.0, lang)
            first_baseline = y + (row - len(lines) * size * LINE_EM) / 2 + size * 0.95
            parts.append(halo_lines(left + _NAME_X, first_baseline, lines, size=size))
            y += row + 3
    else:
        spacing = min(13.0, 40.0 / math.sqrt(len(drawn)))
        radius = max(2.5, min(7.0, spacing * 0.48))
        for index, stakeholder in enumerate(drawn):
            distance, angle = spacing * math.sqrt(index + 0.5), index * 2.399963229728653  # golden angle
            x = left + _CELL / 2 + distance * math.cos(angle)
            y = top + _CELL / 2 + 8 + distance * math.sin(angle)
            parts += _grid_disc(stakeholder, x, y, radius, lang)
        if letter:
            parts.append(halo_label(left + 6, top + _CELL - 8, letter, size=13, weight="bold"))
    hidden = len(members) - len(drawn)
    if hidden:
        parts.append(
            halo_label(
                left + _CELL - 6,
                top + _CELL - 6,
                f"+{number_text(hidden, lang)} {phrase('others', lang)}",
                size=10,
                anchor="end",
            )
        )
    parts.append("</g>")
    return parts


def _grid_disc(stakeholder: StakeholderData, x: float, y: float, radius: float, lang: str) -> list[str]:
    title = stakeholder_title(
        stakeholder.name,
        stakeholder.category,
        stakeholder.power,
        stakeholder.interest,
        stakeholder.attitude,
        lang,
    )
    sign = ATTITUDE_SIGNS[stakeholder.attitude] if radius >= 6 else ""
    glyph = (
        f'<text x="{coord(x)}" y="{coord(y + 4)}" font-size="12" font-weight="bold" text-anchor="middle" '
        f'aria-hidden="true">{sign}</text>'
        if sign
        else ""
    )
    return [
        f'<g class="stakeholder" data-id={quote_attribute(stakeholder.id)}>'
        f"<title>{escape_text(title)}</title>"
        f'<circle cx="{coord(x)}" cy="{coord(y)}" r="{coord(radius)}" '
        f'fill="{CATEGORY_COLOURS[stakeholder.category]}" stroke="#333333" stroke-width="1"/>{glyph}</g>'
    ]


def _grid_legend(present: set[Category], lang: str) -> list[str]:
    x = _LEFT + 5 * _CELL + 24
    parts = [
        '<g aria-hidden="true">',
        halo_label(x, _TOP + 10, phrase("legend", lang), size=14, weight="bold"),
    ]
    y = _TOP + 36
    for category, colour in CATEGORY_COLOURS.items():
        if category in present:
            parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="7" fill="{colour}" stroke="#333333"/>')
            parts.append(halo_label(x + 22, y, category.label(lang)))
            y += 22
    y += 12
    for attitude, sign in ATTITUDE_SIGNS.items():
        parts.append(f'<circle cx="{x + 8}" cy="{y - 4}" r="8" fill="#ffffff" stroke="#333333"/>')
        if sign:
            parts.append(
                f'<text x="{x + 8}" y="{y}" font-size="12" font-weight="bold" '
                f'text-anchor="middle">{sign}</text>'
            )
        parts.append(halo_label(x + 22, y, attitude.label(lang)))
        y += 22
    parts.append("</g>")
    return parts
