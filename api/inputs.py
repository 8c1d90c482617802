"""The annotated types every request field is declared with, so that the rules of ``gouvernance.inputs``
hold at the boundary: 422 with the offending field's path, in French or English (``problems``).

- ``SafeText``: one line (names, labels, keys, territory, query and path parameters).
- ``MultilineText``: comments and summaries, which keep tab and line breaks.
- ``FreeJson``: a free-form JSON object of bounded depth and size."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from gouvernance.inputs import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    code_point,
    forbidden_character,
    json_depth_exceeds,
    json_forbidden_character,
    json_size,
)

FREE_JSON_LIMITS = f"Au plus {MAX_JSON_DEPTH} niveaux d'imbrication et {MAX_JSON_BYTES} octets."


def _refuse_character(character: str) -> PydanticCustomError:
    return PydanticCustomError(
        "text_control_character",
        "control or invalid character not allowed ({character})",
        {"character": code_point(character)},
    )


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
