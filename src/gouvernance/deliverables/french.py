"""French typography for deliverables: dates, times, numbers, amounts, in the Europe/Paris timezone (dates
of instants in another timezone when given one: reminders use the configured one).

Dates read "1er novembre 2026" and "21 novembre 2026"; numbers use a decimal comma and a narrow no-break
space between thousands ("12 500,5"); units are separated by a no-break space ("45 %", "12 500 €").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: thousands separator and before ; ! ?

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def to_paris(instant: datetime) -> datetime:
    """An instant in Paris time. Naive datetimes are taken as UTC, as everywhere else in gouvernance."""
    return _as_utc(instant).astimezone(PARIS)


def _as_utc(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def format_date(value: date | datetime, tz: tzinfo = PARIS) -> str:
    """'21 novembre 2026', '1er mai 2027'. Datetimes are first converted to ``tz`` (Paris time)."""
    day = _as_utc(value).astimezone(tz).date() if isinstance(value, datetime) else value
    ordinal = "1er" if day.day == 1 else str(day.day)
    return f"{ordinal} {MONTHS[day.month - 1]} {day.year}"


def format_long_date(value: date | datetime) -> str:
    """'samedi 21 novembre 2026'."""
    day = to_paris(value).date() if isinstance(value, datetime) else value
    return f"{WEEKDAYS[day.weekday()]} {format_date(day)}"


def format_time(instant: datetime) -> str:
    """'14 h 30', '9 h' in Paris time."""
    return format_clock(to_paris(instant).time())


def format_clock(wall: time) -> str:
    """A wall-clock time as it is, without any timezone shift: '18 h', '9 h 05'."""
    return f"{wall.hour}{NBSP}h{NBSP}{wall.minute:02d}" if wall.minute else f"{wall.hour}{NBSP}h"


def format_datetime(instant: datetime) -> str:
    """'21 novembre 2026 à 14 h 30' in Paris time."""
    return f"{format_date(instant)} à {format_time(instant)}"


def parse_temporal(value: object) -> date | datetime | None:
    """A date or datetime from a date, a datetime or an ISO 8601 string; None when it is none of those."""
    if isinstance(value, date):  # datetime is a subclass of date
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_number(value: int | float | Decimal, *, decimals: int | None = None) -> str:
    """'12 500', '1,5', '0,25'. Trailing zeros are dropped unless ``decimals`` is given."""
    number = Decimal(str(value))
    if decimals is not None:
        number = round(number, decimals)
        text = f"{number:,.{decimals}f}"
    else:
        text = f"{number.normalize():,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(",", NNBSP).replace(".", ",")


def format_euros(value: int | float | Decimal) -> str:
    """'12 500 €', '1 250,50 €': cents only when there are some."""
    number = Decimal(str(value))
    decimals = 0 if number == number.to_integral_value() else 2
    return f"{format_number(number, decimals=decimals)}{NBSP}€"


def format_percent(ratio: float) -> str:
    """0.456 -> '46 %'."""
    return f"{format_number(round(ratio * 100))}{NBSP}%"


def as_decimal(value: object) -> Decimal | None:
    """A number from an int, a float, a Decimal or a numeric string ('12 500,5' included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    elif isinstance(value, str):
        cleaned = value.replace(NBSP, "").replace(NNBSP, "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None
