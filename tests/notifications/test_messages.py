"""The French texts of reminders: links and the stakeholders still to consult."""

from __future__ import annotations

import pytest

from gouvernance.notifications.messages import step_url, still_to_consult_text


@pytest.mark.parametrize("base_url", ["https://gouvernance.example.fr", "https://gouvernance.example.fr/"])
def test_a_step_link_has_one_slash_between_the_base_and_the_path(base_url: str) -> None:
    assert step_url(base_url, "0f1e", "analyse_juridique") == (
        "https://gouvernance.example.fr/engagements/0f1e/steps/analyse_juridique"
    )


def test_a_long_list_of_stakeholders_is_cut_short_with_how_many_more() -> None:
    names = ["CGT", "Association X", "Mairie", "Promoteur", "Collectif", "Asso B", "Asso C", "Entreprise B"]
    assert still_to_consult_text(names, needed=8) == (
        "Acteurs clés pas encore consultés : CGT, Association X, Mairie, Promoteur, Collectif, "
        "… (et 3 autres)."
    )
    assert still_to_consult_text(names[:6], needed=6).endswith("Collectif, … (et 1 autre).")
    assert still_to_consult_text(["CGT"], needed=1) == "Acteurs clés pas encore consultés : CGT."


def test_when_a_share_is_enough_it_says_how_many_more_must_be_heard() -> None:
    assert still_to_consult_text(["Asso A", "Asso B", "Asso C"], needed=1) == (
        "Acteurs clés pas encore consultés : Asso A, Asso B, Asso C — il faut en entendre encore 1."
    )
