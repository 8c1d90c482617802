"""Values as people type them in the pages' forms: dates « jj/mm/aaaa », decimal numbers « 12,5 » or
« 1 250,5 », whole counts. Each reader answers the value, or None with a French reason appended."""

import math
import re
from datetime import date, datetime

from gouvernance.inputs import DATE_MAX, DATE_MIN


class Unreadable(Exception):
    """A typed value could not be read: a form route writes nothing and shows the form with its reasons."""


_SPACES = re.compile(r"[\s\u00a0\u202f]")
_DAY = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def read_date(text: str, errors: list[str], *, required: bool = True) -> date | None:
    """A day written « jj/mm/aaaa » (an ISO date « aaaa-mm-jj » is read too)."""
    typed = text.strip()
    if not typed:
        if required:
            errors.append("Indiquez la date, au format jj/mm/aaaa.")
        return None
    try:
        day = datetime.strptime(typed, "%d/%m/%Y").date() if _DAY.match(typed) else date.fromisoformat(typed)
    except ValueError:
        errors.append(
            f"Date illisible\u00a0: «\u00a0{typed}\u00a0». Écrivez-la jj/mm/aaaa, par exemple 15/03/2027."
        )
        return None
    if not DATE_MIN <= day <= DATE_MAX:
        errors.append(f"Date hors limites\u00a0: du {DATE_MIN:%d/%m/%Y} au {DATE_MAX:%d/%m/%Y}.")
        return None
    return day


def read_number(text: str, errors: list[str]) -> float | None:
    """A decimal number, French style (comma for decimals, spaces between thousands)."""
    typed = text.strip()
    if not typed:
        errors.append("Indiquez la valeur mesurée, par exemple 12,5.")
        return None
    plain = _SPACES.sub("", typed)
    if plain.count(",") == 1 and "." not in plain:
        plain = plain.replace(",", ".")
    try:
        value = float(plain)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors.append(f"Valeur illisible\u00a0: «\u00a0{typed}\u00a0». Écrivez un nombre, par exemple 12,5.")
        return None
    return value


def read_count(text: str, errors: list[str], *, maximum: int) -> int | None:
    """A whole number from 0 to ``maximum``, or None when left empty."""
    plain = _SPACES.sub("", text)
    if not plain:
        return None
    if not plain.isdigit() or int(plain) > maximum:
        errors.append(f"Écrivez un nombre entier de 0 à {maximum:,}".replace(",", "\u202f") + ".")
        return None
    return int(plain)
