from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from gouvernance.deliverables.french import (
    NBSP,
    NNBSP,
    as_decimal,
    format_clock,
    format_date,
    format_datetime,
    format_euros,
    format_long_date,
    format_number,
    format_percent,
    parse_temporal,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 21), "21 novembre 2026"),
        (date(2027, 5, 1), "1er mai 2027"),
        (date(2026, 2, 9), "9 février 2026"),
        (date(2026, 8, 15), "15 août 2026"),
        (date(2026, 12, 31), "31 décembre 2026"),
    ],
)
def test_dates_read_in_french(value, expected):
    assert format_date(value) == expected


def test_datetimes_are_shown_in_paris_time():
    late_evening_utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # 00:30 on the 22nd in Paris (UTC+1)
    assert format_date(late_evening_utc) == "22 novembre 2026"
    assert format_datetime(late_evening_utc) == f"22 novembre 2026 à 0{NBSP}h{NBSP}30"


def test_summer_time_is_applied():
    summer = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)  # UTC+2 in July
    assert format_datetime(summer) == f"14 juillet 2026 à 10{NBSP}h"


def test_other_offsets_are_converted():
    new_york = datetime(2026, 11, 21, 9, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert format_datetime(new_york) == f"21 novembre 2026 à 15{NBSP}h{NBSP}05"


def test_long_date_has_the_weekday():
    assert format_long_date(date(2026, 12, 5)) == "samedi 5 décembre 2026"


def test_wall_clock_times_are_not_shifted():
    assert format_clock(time(18, 0)) == f"18{NBSP}h"
    assert format_clock(time(9, 5)) == f"9{NBSP}h{NBSP}05"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12500, f"12{NNBSP}500"),
        (1.5, "1,5"),
        (Decimal("0.250"), "0,25"),
        (1234567.5, f"1{NNBSP}234{NNBSP}567,5"),
        (100, "100"),
        (-3, "-3"),
    ],
)
def test_numbers_use_french_separators(value, expected):
    assert format_number(value) == expected


def test_amounts_show_cents_only_when_there_are_some():
    assert format_euros(12500) == f"12{NNBSP}500{NBSP}€"
    assert format_euros(1250.5) == f"1{NNBSP}250,50{NBSP}€"


def test_percent():
    assert format_percent(0.456) == f"46{NBSP}%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12 500,5", Decimal("12500.5")),
        (f"18{NNBSP}000", Decimal("18000")),
        (3, Decimal(3)),
        (True, None),
        ("beaucoup", None),
        ("nan", None),
        (None, None),
    ],
)
def test_as_decimal(value, expected):
    assert as_decimal(value) == expected


def test_parse_temporal():
    assert parse_temporal("2026-11-21") == date(2026, 11, 21)
    assert parse_temporal("2026-11-21T13:30:00Z") == datetime(2026, 11, 21, 13, 30, tzinfo=UTC)
    assert parse_temporal("bientôt") is None
    assert parse_temporal(12) is None
