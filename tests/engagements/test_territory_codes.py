"""A territory's code agrees with its kind: launching refuses a commune's code given to a région, and says
which code it looks like and which one is expected."""

from __future__ import annotations

from datetime import date

import pytest

from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.territory import code_problem
from gouvernance.errors import InvalidInput


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("commune", "45284"),
        ("commune", "2A004"),
        ("commune", "97411"),
        ("epci", "244500468"),
        ("departement", "45"),
        ("departement", "2B"),
        ("departement", "974"),
        ("region", "24"),
        ("region", "94"),
        ("autre", "PNR"),
        ("commune", None),
    ],
)
def test_codes_of_their_kind_are_accepted(kind: str, code: str | None) -> None:
    assert code_problem(kind, code) is None


@pytest.mark.parametrize(
    ("kind", "code", "looks_like"),
    [
        ("region", "45234", "commune"),  # the case from the field
        ("commune", "244500468", "epci"),
        ("epci", "45284", "commune"),
        ("departement", "96", None),
        ("region", "45", "departement"),
        ("region", "05", "departement"),  # not a région since 2016
        ("commune", "2C004", None),
    ],
)
def test_a_code_of_another_kind_is_refused_saying_what_it_looks_like(
    kind: str, code: str, looks_like: str | None
) -> None:
    problem = code_problem(kind, code)
    assert problem is not None
    assert problem.details["looks_like"] == looks_like
    assert "attendu" in problem.fr


def test_launch_refuses_a_region_with_a_commune_code(db, clock, mini_model, people) -> None:
    request = LaunchRequest(mini_model, Territory("Centre-Val de Loire", "region", "45234"), date(2026, 3, 2))
    with db.transaction() as session, pytest.raises(InvalidInput) as refused:
        launch(session, request, actor=people.consultant, clock=clock)
    [reason] = refused.value.reasons
    assert reason.fr == (
        "code « 45234 » invalide pour une région (c'est le code d'une commune) ; "
        "attendu : un code INSEE de région à 2 chiffres (ex. 24, 84)"
    )
    assert reason.path == "territory.insee"
