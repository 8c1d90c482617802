"""What the application accepts from outside, and how what it stored leaves safely.

- Text holds no control character (C0, DEL, C1), no lone surrogate and neither U+FFFE nor U+FFFF. Multi-line
  text (comments, summaries, free JSON strings) keeps tab, line feed and carriage return. NUL is refused
  everywhere: PostgreSQL cannot store it.
- Free-form JSON (event data, launch parameters) has a bounded depth and size, its keys and strings are
  multi-line text, and its numbers are finite, its integers within 64 bits (what PostgreSQL stores).
- Dates lie between ``DATE_MIN`` and ``DATE_MAX``: due dates are computed from them.

Rows written before these rules must not break an output: ``xml_text`` drops what XML 1.0 cannot hold and
``within_depth`` cuts what is nested deeper than the API answers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from gouvernance.errors import InvalidInput, Message

MAX_JSON_DEPTH = 16
MAX_JSON_BYTES = 32 * 1024
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
DATE_RANGE = f"Du {DATE_MIN.isoformat()} au {DATE_MAX.isoformat()}."
TRUNCATED = "…"

_SURROGATES_AND_NONCHARACTERS = "\ud800-\udfff\ufffe\uffff"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_SURROGATES_AND_NONCHARACTERS}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES_AND_NONCHARACTERS}]")
_NOT_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SURROGATES_AND_NONCHARACTERS}]")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not hold, or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return found.group() if found else None


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def text_problem(text: str, path: str, *, multiline: bool = False) -> Message | None:
    character = forbidden_character(text, multiline=multiline)
    if character is None:
        return None
    return Message(
        "text.control_character",
        f"« {path} » : caractère de contrôle ou invalide interdit ({code_point(character)})",
        f"'{path}': control or invalid character not allowed ({code_point(character)})",
        path=path,
        details={"character": code_point(character)},
    )


def check_text(text: str, path: str, *, multiline: bool = False) -> None:
    check_texts({path: text}, multiline=multiline)


def text_problems(fields: Mapping[str, str | None], *, multiline: bool = False) -> list[Message]:
    """One problem per field (by path) holding a forbidden character."""
    return [
        problem
        for path, text in fields.items()
        if isinstance(text, str) and (problem := text_problem(text, path, multiline=multiline))
    ]


def check_texts(fields: Mapping[str, str | None], *, multiline: bool = False) -> None:
    """Refuses every field (by path) holding a forbidden character, all at once."""
    problems = text_problems(fields, multiline=multiline)
    if len(problems) == 1:
        raise InvalidInput(problems[0], reasons=problems)
    if problems:
        paths = ", ".join(problem.path or "" for problem in problems)
        raise InvalidInput(
            Message(
                "text.control_character",
                f"caractères de contrôle ou invalides interdits ({paths})",
                f"control or invalid characters not allowed ({paths})",
                details={"paths": [problem.path for problem in problems]},
            ),
            reasons=problems,
        )


def json_depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether objects and arrays are nested more than ``max_depth`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth == max_depth:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def json_forbidden_character(value: Any) -> str | None:
    """The first character no key or string of ``value`` may hold (multi-line text rules), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if character := forbidden_character(item, multiline=True):
                return character
        elif isinstance(item, dict):
            stack.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def number_problem(value: Any) -> str | None:
    """Why a number cannot be stored (not finite, or an integer beyond 64 bits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "non_finite"
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        return "out_of_range"
    return None


def json_bad_number(value: Any) -> int | float | None:
    """The first number of ``value`` that cannot be stored (see ``number_problem``), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, int | float) and number_problem(item):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def number_message(value: float, path: str) -> Message:
    shown = f"{value.bit_length()} bits" if isinstance(value, int) else str(value)
    return Message(
        "number.out_of_range",
        f"« {path} » : nombre fini attendu, et entier entre -2^63 et 2^63-1 ({shown})",
        f"'{path}': finite number expected, and integer between -2^63 and 2^63-1 ({shown})",
        path=path,
    )


def date_problem(value: date, path: str) -> Message | None:
    if DATE_MIN <= value <= DATE_MAX:
        return None
    return Message(
        "date.out_of_range",
        f"« {path} » : date hors limites ({value.isoformat()}) ; {DATE_RANGE.lower()}",
        f"'{path}': date out of range ({value.isoformat()}); from {DATE_MIN} to {DATE_MAX}.",
        path=path,
        details={"minimum": DATE_MIN.isoformat(), "maximum": DATE_MAX.isoformat()},
    )


def json_size(value: Any) -> int:
    """Octets of ``value`` as compact UTF-8 JSON; call it only on a value of bounded depth."""
    return len(
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8", "replace")
    )


def json_problem(
    value: Any, path: str, *, max_depth: int = MAX_JSON_DEPTH, max_bytes: int = MAX_JSON_BYTES
) -> Message | None:
    if json_depth_exceeds(value, max_depth):
        return Message(
            "json.too_deep",
            f"« {path} » : JSON trop imbriqué (au plus {max_depth} niveaux)",
            f"'{path}': JSON nested too deep (at most {max_depth} levels)",
            path=path,
            details={"max_depth": max_depth},
        )
    if (number := json_bad_number(value)) is not None:
        return number_message(number, path)
    if json_size(value) > max_bytes:
        return Message(
            "json.too_large",
            f"« {path} » : JSON trop volumineux (au plus {max_bytes} octets)",
            f"'{path}': JSON too large (at most {max_bytes} bytes)",
            path=path,
            details={"max_bytes": max_bytes},
        )
    if character := json_forbidden_character(value):
        return text_problem(character, path, multiline=True)
    return None


def within_depth(value: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``value`` with every object or array below ``max_depth`` levels replaced by ``TRUNCATED``: what was
    stored before the bound was enforced still reads."""
    if not json_depth_exceeds(value, max_depth):
        return value
    return _cut(value, max_depth)


def _cut(value: Any, levels_left: int) -> Any:
    if not isinstance(value, dict | list):
        return value
    if levels_left == 0:
        return TRUNCATED
    if isinstance(value, dict):
        return {key: _cut(child, levels_left - 1) for key, child in value.items()}
    return [_cut(child, levels_left - 1) for child in value]


def xml_text(text: str) -> str:
    """``text`` with what XML 1.0 cannot hold (most C0 controls, lone surrogates, U+FFFE, U+FFFF) replaced
    by U+FFFD, so that text stored before the input rules still exports."""
    return _NOT_XML.sub("\ufffd", text)
