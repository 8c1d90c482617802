"""French typography for the pages: dates as « 12 janvier 2027 », non-breaking spaces where French wants
them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

NBSP = "\u00a0"
NNBSP = "\u202f"
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


def long_date(value: datetime | date | None, tz: ZoneInfo | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{MONTHS[value.month - 1]}{NBSP}{value.year}"


def long_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{long_date(local)} à {local.hour}{NNBSP}h{NNBSP}{local.minute:02d}"


def number(value: int) -> str:
    return f"{value:,}".replace(",", NNBSP)


def percent(value: int) -> str:
    return f"{value}{NNBSP}%"
