"""What people type on the command line, read the French way: dates as 14/03/2027 or 2027-03-14,
amounts with a decimal comma and spaces (« 12 500,50 »), and the words of a vocabulary by their value or
their French label (« point critique », « soumise au vote »). A value that is none of these is an error in
French, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from gouvernance.errors import InvalidInput, Message
from gouvernance.stakeholders.vocabulary import normalize

E = TypeVar("E", bound=StrEnum)

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_SPACES = str.maketrans("", "", " \u00a0\u202f")


def day(text: str, option: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise InvalidInput(
        Message(
            "cli.bad_date",
            f"{option} : date illisible « {text} » (JJ/MM/AAAA ou AAAA-MM-JJ)",
            f"{option}: unreadable date '{text}' (DD/MM/YYYY or YYYY-MM-DD)",
            path=option,
        )
    )


def optional_day(text: str | None, option: str) -> date | None:
    return None if text is None else day(text, option)


def amount(text: str, option: str) -> Decimal:
    """« 12 500,50 », « 12500.5 », « 12 500 € »: a finite, non-negative number."""
    plain = text.translate(_SPACES).removesuffix("€").replace(",", ".")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise InvalidInput(
            Message(
                "cli.bad_amount",
                f"{option} : « {text} » n'est pas un montant positif (ex. 12 500,50)",
                f"{option}: '{text}' is not a positive amount (e.g. 12500.50)",
                path=option,
            )
        )
    return value


def choice(text: str, enum: type[E], label: Callable[[E], str], option: str) -> E:
    """The member of ``enum`` whose value or French label ``text`` is (case, accents, spaces, underscores
    aside)."""
    wanted = normalize(text)
    for member in enum:
        if wanted in (normalize(member.value), normalize(label(member))):
            return member
    raise InvalidInput(
        Message(
            "cli.unknown_choice",
            f"{option} : « {text} » inconnu (possibles : {choices(enum, label)})",
            f"{option}: unknown '{text}' (possible: {', '.join(member.value for member in enum)})",
            path=option,
            details={"value": text, "allowed": [member.value for member in enum]},
        )
    )


def choices(enum: Iterable[E], label: Callable[[E], str]) -> str:
    return ", ".join(label(member) for member in enum)


def identifiers(texts: list[str], option: str) -> tuple[int, ...]:
    """Numbers given one per option (``--consultation 3 --consultation 5``) or together (« 3,5 »)."""
    numbers = []
    for text in texts:
        for part in text.replace(";", ",").split(","):
            if not part.strip():
                continue
            if not part.strip().isdigit():
                raise InvalidInput(
                    Message(
                        "cli.bad_identifier",
                        f"{option} : « {part.strip()} » n'est pas un numéro",
                        f"{option}: '{part.strip()}' is not a number",
                        path=option,
                    )
                )
            numbers.append(int(part))
    return tuple(numbers)
