"""Launch parameters: their type, the range a template gives them, and numbers a database can store."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from gouvernance.spec.schema import ParameterSpec, ParameterValueError


def spec(kind: str = "number", **fields: object) -> ParameterSpec:
    return ParameterSpec.model_validate({"key": "p", "type": kind, "title": "P", **fields})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan", "1e999", 10**400])
def test_numbers_must_be_finite(value: object) -> None:
    with pytest.raises(ParameterValueError):
        spec().coerce(value)


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, str(2**64)])
def test_integers_fit_in_64_bits(value: object) -> None:
    with pytest.raises(ParameterValueError):
        spec("integer").coerce(value)
    assert spec("integer").coerce(2**63 - 1) == 2**63 - 1


def test_a_range_is_checked_and_said_in_both_languages() -> None:
    bounded = spec("integer", minimum=1, maximum=10, default=5)
    assert bounded.coerce("10") == 10
    with pytest.raises(ParameterValueError) as low:
        bounded.coerce(-1)
    assert (str(low.value), low.value.en) == ("au moins 1 attendu (reçu -1)", "at least 1 expected (got -1)")


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "string", "minimum": 1},
        {"type": "integer", "minimum": 5, "maximum": 1},
        {"type": "integer", "minimum": 1, "default": 0},
        {"type": "number", "maximum": math.inf},
    ],
)
def test_a_template_with_bad_bounds_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        spec(**fields)  # type: ignore[arg-type]


def test_unbounded_parameters_keep_their_stored_form() -> None:
    assert "minimum" not in spec().model_dump(mode="json")
    assert spec(minimum=0).model_dump(mode="json")["minimum"] == 0


def test_date_parameters_are_bounded() -> None:
    assert spec("date").coerce("2026-03-02") == "2026-03-02"
    with pytest.raises(ParameterValueError):
        spec("date").coerce("9999-12-31")
