"""French as people write it: no « jour(s) », no Python booleans in a refusal."""

from __future__ import annotations

from gouvernance.messages import french_value, plural


def test_french_plurals_take_the_singular_below_two() -> None:
    assert [plural(n, "jour") for n in (0, 1, 2)] == ["0 jour", "1 jour", "2 jours"]
    assert plural(3, "étape non terminée", "étapes non terminées") == "3 étapes non terminées"


def test_values_read_as_french() -> None:
    assert [french_value(v) for v in (True, False, 2.5, None, 3500)] == [
        "oui",
        "non",
        "2,5",
        "non renseigné",
        "3500",
    ]
