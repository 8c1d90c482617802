"""What every CSV the project writes for spreadsheets goes through: a cell that a spreadsheet splitting on
« , » or « ; » would run as a formula is written as text instead (a leading apostrophe)."""

from __future__ import annotations

import re

# Where a cell starts, for a spreadsheet splitting on "," or ";", followed by what it would run as a formula,
# possibly behind apostrophes already (guarded once more, so that the import's removal of one is exact).
_RISKY_CELL_START = re.compile(r"(^|[,;])(?='* *[=+\-@\t\r])")


def neutralise_formula(value: str) -> str:
    """The cell as text a spreadsheet shows and never runs."""
    return _RISKY_CELL_START.sub(r"\1'", value)
