"""Small checks the registers share (convention parties, training sessions, communication actions): text
lengths, lists of texts, amounts in euros, dates, and the optimistic lock. Each returns the problems it finds,
so a service reports every one at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from gouvernance.errors import Conflict, Message
from gouvernance.inputs import date_problem, text_problems

MAX_EUR = Decimal("1e11")  # a Numeric(14, 2) column
MAX_LIST_ITEMS = 50
MAX_ITEM_LENGTH = 500


def texts_problems(
    fields: Mapping[str, tuple[str, int]], *, required: Sequence[str] = (), multiline: bool = False
) -> list[Message]:
    """Forbidden characters, length limits and required texts, for ``{path: (text, max_length)}``."""
    problems = text_problems({path: value for path, (value, _) in fields.items()}, multiline=multiline)
    flagged = {problem.path for problem in problems}
    for path, (value, limit) in fields.items():
        if path in flagged:
            continue
        if path in required and not value.strip():
            problems.append(
                Message(
                    "text.required",
                    f"« {path} » est obligatoire",
                    f"'{path}' is required",
                    path=path,
                )
            )
        elif len(value) > limit:
            problems.append(
                Message(
                    "text.too_long",
                    f"« {path} » : au plus {limit} caractères ({len(value)})",
                    f"'{path}': at most {limit} characters ({len(value)})",
                    path=path,
                    details={"max_length": limit},
                )
            )
    return problems


def list_problems(path: str, values: Sequence[str]) -> list[Message]:
    """A list of short texts: at most ``MAX_LIST_ITEMS``, each one line of at most ``MAX_ITEM_LENGTH``."""
    if len(values) > MAX_LIST_ITEMS:
        return [
            Message(
                "list.too_long",
                f"« {path} » : au plus {MAX_LIST_ITEMS} éléments ({len(values)})",
                f"'{path}': at most {MAX_LIST_ITEMS} items ({len(values)})",
                path=path,
            )
        ]
    return texts_problems(
        {f"{path}[{index}]": (value, MAX_ITEM_LENGTH) for index, value in enumerate(values)},
        required=[f"{path}[{index}]" for index in range(len(values))],
    )


def euros_problem(path: str, amount: Decimal | None, maximum: Decimal = MAX_EUR) -> Message | None:
    """A positive amount of euros up to ``maximum`` (what the column holds)."""
    if amount is None or (amount.is_finite() and Decimal(0) <= amount <= maximum):
        return None
    return Message(
        "amount.out_of_range",
        f"« {path} » : montant positif attendu, en euros, au plus {maximum:,.0f} €".replace(",", "\u202f"),
        f"'{path}': a positive amount in euros expected",
        path=path,
    )


def dates_problems(fields: Mapping[str, date | None]) -> list[Message]:
    return [
        problem
        for path, day in fields.items()
        if day is not None and (problem := date_problem(day, path)) is not None
    ]


def check_version(what: str, current: int, expected: int | None) -> None:
    """Refuses a change made from a stale read (409): ``what`` names the row in French (« la séance »)."""
    if expected is not None and current != expected:
        raise Conflict(
            Message(
                "record.stale_version",
                f"Version périmée de {what} : attendu {expected}, actuelle {current}. "
                "Rechargez puis réessayez.",
                f"Stale version: expected {expected}, current {current}. Reload and retry.",
                details={"current_version": current, "expected_version": expected},
            )
        )


def unknown_fields_message(unknown: Sequence[str], allowed: Sequence[str]) -> Message:
    return Message(
        "record.unknown_field",
        f"{'Champs inconnus' if len(unknown) > 1 else 'Champ inconnu'} : {', '.join(unknown)}",
        f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
        details={"fields": list(unknown), "allowed": sorted(allowed)},
    )
