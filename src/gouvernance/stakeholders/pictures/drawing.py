"""What both pictures share: the palette, the French and English words, and small SVG pieces (an
accessible root, labels over a halo, names wrapped on several lines, escaped text)."""

from __future__ import annotations

import textwrap
from typing import Any
from xml.sax import saxutils

from gouvernance.inputs import xml_text
from gouvernance.stakeholders.vocabulary import Attitude, Category

FONT = "Marianne, Arial, Helvetica, sans-serif"
TEXT = "#1e1e1e"

CATEGORY_COLOURS: dict[Category, str] = {
    Category.habitant_usager: "#e69f00",
    Category.association: "#56b4e9",
    Category.entreprise: "#009e73",
    Category.agent_territorial: "#0072b2",
    Category.elu: "#cc79a7",
    Category.partenaire_institutionnel: "#f0e442",
    Category.organisation_syndicale: "#d55e00",
    Category.autre: "#999999",
}
ATTITUDE_SIGNS: dict[Attitude, str] = {Attitude.favorable: "+", Attitude.neutre: "", Attitude.oppose: "−"}

_TEXTS = {
    "map_title": ("Carte des parties prenantes", "Stakeholder map"),
    "grid_title": ("Grille pouvoir / intérêt (Mendelow)", "Power / interest grid (Mendelow)"),
    "legend": ("Légende", "Legend"),
    "power": ("Pouvoir", "Power"),
    "interest": ("Intérêt", "Interest"),
    "relation": ("relation (flèche : orientée)", "relation (arrow: directed)"),
    "conflict": ("conflit", "conflict"),
    "empty": ("Aucune partie prenante.", "No stakeholder."),
    "shown": ("affichées sur", "shown out of"),
    "most_influential": ("les plus influentes", "the most influential"),
    "others": ("autres", "others"),
}


def escape_text(text: str) -> str:
    """Text content that stays well-formed XML whatever was stored (see ``xml_text``)."""
    return saxutils.escape(xml_text(text))


def quote_attribute(text: str) -> str:
    return saxutils.quoteattr(xml_text(text))


def phrase(key: str, lang: str) -> str:
    fr, en = _TEXTS[key]
    return en if lang == "en" else fr


_COUNTED = {
    "stakeholders": (("partie prenante", "parties prenantes"), ("stakeholder", "stakeholders")),
    "relations": (("relation", "relations"), ("relation", "relations")),
    "conflicts": (("conflit", "conflits"), ("conflict", "conflicts")),
}


def counted(value: int, key: str, lang: str) -> str:
    """« 1 conflit », « 2 conflits », « 12 345 parties prenantes »."""
    fr, en = _COUNTED[key]
    one, many = en if lang == "en" else fr
    return f"{number_text(value, lang)} {one if value == 1 else many}"


def score_text(value: float, lang: str) -> str:
    """« 3,5 » in French, "3.5" in English."""
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def number_text(value: int, lang: str) -> str:
    return f"{value:,}".replace(",", "," if lang == "en" else "\u202f")


# The average advance of a character in the sans-serif fonts the pictures fall back on (DejaVu Sans, Arial),
# in em: enough to keep labels apart without measuring glyphs.
CHARACTER_EM = 0.58
LINE_EM = 1.2


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHARACTER_EM


def wrap_name(text: str, width: float, size: float) -> list[str]:
    """The name on as many lines as it takes to keep within ``width`` pixels, broken between words only
    (a word longer than a line keeps its line): joined with spaces, the lines give the name back."""
    columns = max(6, int(width / (size * CHARACTER_EM)))
    return textwrap.wrap(" ".join(text.split()), columns, break_long_words=False, break_on_hyphens=False) or [
        text
    ]


def coord(value: float) -> str:
    return f"{value:.1f}"


def stakeholder_title(
    name: str, category: Category, power: int, interest: int, attitude: Attitude, lang: str
) -> str:
    return (
        f"{name} — {category.label(lang)} ; {phrase('power', lang).lower()} {power}/5, "
        f"{phrase('interest', lang).lower()} {interest}/5 ; {attitude.label(lang)}"
    )


def node_title(data: dict[str, Any], lang: str) -> str:
    return stakeholder_title(
        data["name"], data["category"], data["power"], data["interest"], data["attitude"], lang
    )


def open_svg(width: int, height: int, prefix: str, title: str, description: str, lang: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'xml:lang="{"en" if lang == "en" else "fr"}" font-family="{FONT}" fill="{TEXT}">',
        f'<title id="{prefix}-title">{escape_text(title)}</title>',
        f'<desc id="{prefix}-desc">{escape_text(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def halo_label(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", weight: str = "normal"
) -> str:
    """Text over a white halo, legible over lines and discs. The halo is a second, stroked copy underneath
    rather than ``paint-order``, which some renderers (WeasyPrint, for the PDF deliverables) ignore."""
    common = f'x="{coord(x)}" y="{coord(y)}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}"'
    content = escape_text(text)
    return (
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" '
        f'aria-hidden="true">{content}</text><text {common}>{content}</text>'
    )


def halo_lines(
    x: float, y: float, lines: list[str], *, size: float = 11, anchor: str = "start", css_class: str = "label"
) -> str:
    """Several lines over a white halo, one ``<tspan>`` each; ``y`` is the first line's baseline."""
    step = size * LINE_EM
    spans = "".join(
        f'<tspan x="{coord(x)}" dy="{coord(step) if index else 0}">{escape_text(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    common = f'x="{coord(x)}" y="{coord(y)}" font-size="{size:g}" text-anchor="{anchor}"'
    return (
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" '
        f'aria-hidden="true">{spans}</text><text class="{css_class}" {common}>{spans}</text>'
    )
