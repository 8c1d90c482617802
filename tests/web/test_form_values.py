"""Values as people type them in the pages' forms: French dates and numbers, vote counts."""

from __future__ import annotations

from datetime import date

import pytest

from gouvernance.web.form_values import read_count, read_date, read_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("15/03/2027", date(2027, 3, 15)), (" 1/2/2027 ", date(2027, 2, 1)), ("2027-03-15", date(2027, 3, 15))],
)
def test_dates_are_read_day_first(typed: str, expected: date) -> None:
    errors: list[str] = []
    assert read_date(typed, errors) == expected
    assert errors == []


@pytest.mark.parametrize("typed", ["31/02/2027", "03/15/2027", "15 mars", "15/03/27"])
def test_an_unreadable_date_is_said(typed: str) -> None:
    errors: list[str] = []
    assert read_date(typed, errors) is None
    assert len(errors) == 1
    assert typed in errors[0]


@pytest.mark.parametrize("typed", ["31/12/1999", "01/01/2101"])
def test_a_date_out_of_the_domains_range_is_said_in_plain_words(typed: str) -> None:
    errors: list[str] = []
    assert read_date(typed, errors) is None
    assert errors == ["Date hors limites\u00a0: du 01/01/2000 au 31/12/2100."]


def test_an_empty_date_is_said_only_when_required() -> None:
    errors: list[str] = []
    assert read_date("", errors, required=False) is None
    assert errors == []
    assert read_date("  ", errors) is None
    assert errors == ["Indiquez la date, au format jj/mm/aaaa."]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12,5", 12.5), ("12.5", 12.5), ("1\u202f250,5", 1250.5), ("1 250", 1250.0), ("-3", -3.0)],
)
def test_numbers_are_read_french_style(typed: str, expected: float) -> None:
    errors: list[str] = []
    assert read_number(typed, errors) == expected
    assert errors == []


@pytest.mark.parametrize("typed", ["douze", "1,2,3", "nan", "inf", ""])
def test_an_unreadable_number_is_said(typed: str) -> None:
    errors: list[str] = []
    assert read_number(typed, errors) is None
    assert len(errors) == 1


def test_counts_are_whole_and_bounded() -> None:
    errors: list[str] = []
    assert read_count("23", errors, maximum=100) == 23
    assert read_count("", errors, maximum=100) is None
    assert errors == []
    for typed in ("-1", "2,5", "101"):
        assert read_count(typed, errors, maximum=100) is None
    assert len(errors) == 3
