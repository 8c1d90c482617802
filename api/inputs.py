"""The annotated types every request field is declared with, so that the rules of ``gouvernance.inputs``
hold at the boundary: 422 with the offending field's path, in French or English (``problems``).

- ``SafeText``: one line (names, labels, keys, territory, query and path parameters).
- ``MultilineText``: comments and summaries, which keep tab and line breaks.
- ``FreeJson``: a free-form JSON object of bounded depth and size, with storable numbers.
- ``SafeDate``: a date between ``DATE_MIN`` and ``DATE_MAX``."""

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from gouvernance.inputs import (
    DATE_MAX,
    DATE_MIN,
    DATE_RANGE,
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    code_point,
    forbidden_character,
    json_bad_number,
    json_depth_exceeds,
    json_forbidden_character,
    json_size,
    number_problem,
)

FREE_JSON_LIMITS = f"Au plus {MAX_JSON_DEPTH} niveaux d'imbrication et {MAX_JSON_BYTES} octets."


def _refuse_character(character: str) -> PydanticCustomError:
    return PydanticCustomError(
        "text_control_character",
        "control or invalid character not allowed ({character})",
        {"character": code_point(character)},
    )


def _refuse_number(number: float) -> PydanticCustomError:
    if number_problem(number) == "non_finite":
        return PydanticCustomError(
            "number_not_finite", "finite number expected ({value})", {"value": str(number)}
        )
    return PydanticCustomError(
        "int_out_of_range",
        "integer between -2^63 and 2^63-1 expected ({bits} bits)",
        {"bits": number.bit_length() if isinstance(number, int) else 0},
    )


def _bounded_date(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError(
            "date_out_of_range",
            "date out of range: from {minimum} to {maximum}",
            {"minimum": DATE_MIN.isoformat(), "maximum": DATE_MAX.isoformat()},
        )
    return value


def _single_line(text: str) -> str:
    if character := forbidden_character(text):
        raise _refuse_character(character)
    return text


def _multi_line(text: str) -> str:
    if character := forbidden_character(text, multiline=True):
        raise _refuse_character(character)
    return text


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    if json_depth_exceeds(value, MAX_JSON_DEPTH):
        raise PydanticCustomError(
            "json_too_deep",
            "JSON nested too deep (at most {max_depth} levels)",
            {"max_depth": MAX_JSON_DEPTH},
        )
    if (number := json_bad_number(value)) is not None:
        raise _refuse_number(number)
    if json_size(value) > MAX_JSON_BYTES:
        raise PydanticCustomError(
            "json_too_large", "JSON too large (at most {max_bytes} bytes)", {"max_bytes": MAX_JSON_BYTES}
        )
    if character := json_forbidden_character(value):
        raise _refuse_character(character)
    return value


SafeText = Annotated[str, AfterValidator(_single_line)]
MultilineText = Annotated[str, AfterValidator(_multi_line)]
FreeJson = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
SafeDate = Annotated[
    date,
    AfterValidator(_bounded_date),
    Field(
        description=DATE_RANGE,
        json_schema_extra={"formatMinimum": DATE_MIN.isoformat(), "formatMaximum": DATE_MAX.isoformat()},
    ),
]
