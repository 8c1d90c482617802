"""The seven deliverables of a participatory budget, from the context the budget contributor gives: the
figures are worked out by hand (see ``budget_samples``), and where something is missing the document says
what, as of which day, never « À compléter »."""

from __future__ import annotations

import copy

import pytest

from gouvernance.deliverables.french import NBSP, NNBSP
from gouvernance.deliverables.model import PLACEHOLDER, BulletList, KeyValueList, Table
from gouvernance.deliverables.registry import BUILDERS, build_document

from .budget_samples import BUDGET, BUDGET_KINDS
from .conftest import COMMON
from .test_builders import all_blocks, all_text, section


def sample(**budget_changes: object) -> dict:
    context = copy.deepcopy({**COMMON, **BUDGET})
    context["budget"].update(budget_changes)
    return context


def flat(value: str) -> str:
    return value.replace(NBSP, " ").replace(NNBSP, " ")


def rows(document, heading: str) -> list[list[str]]:
    return [
        [flat(cell) for cell in row]
        for block in all_blocks([section(document, heading)])
        if isinstance(block, Table)
        for row in block.rows
    ]


def pairs(document, heading: str) -> dict[str, str]:
    return {
        item.label: flat(item.value)
        for block in all_blocks([section(document, heading)])
        if isinstance(block, KeyValueList)
        for item in block.items
    }


def test_every_budget_deliverable_has_its_own_builder() -> None:
    assert set(BUDGET_KINDS) <= set(BUILDERS)


def test_the_rules_state_the_envelope_the_ceiling_and_the_calendar_from_the_steps() -> None:
    document = build_document("reglement_budget_participatif", sample())
    assert pairs(document, "Article 1 – Objet et enveloppe") == {
        "Édition": "2e édition",
        "Enveloppe d'investissement": "50 000 €",
        "Plafond par projet": "30 000 €",
        "Périmètre": "territoire communal",
        "Population": "12 000 habitants",
    }
    assert rows(document, "Article 4 – Calendrier") == [
        ["Cadrage et règlement", "Rédaction du règlement", "2 octobre 2026"],
        ["Vote citoyen", "Vote des habitants", "19 février 2027"],
    ]
    assert "en ligne" in flat(all_text(document))
    assert "urnes" in all_text(document)
    assert not document.numbered_headings  # « Article 1 », not « 1. Article 1 »


def test_the_catalogue_groups_ideas_by_quartier_with_their_status() -> None:
    document = build_document("catalogue_idees", sample())
    assert "5 idées déposées au 12 mars 2027, dans 3 quartiers." in flat(all_text(document))
    by_district = {s.heading: s for s in section(document, "Idées par quartier").subsections}
    assert list(by_district) == ["Centre", "Quartier non précisé", "Renaudie"]
    renaudie = [block for block in by_district["Renaudie"].blocks if isinstance(block, Table)]
    assert [flat(row[0]) for row in renaudie[0].rows] == ["n° 1", "n° 3"]


def test_the_analysis_gives_each_decision_its_reason_and_each_cost_against_the_ceiling() -> None:
    document = build_document("rapport_analyse", sample())
    recevabilite = {row[0]: row[2:] for row in rows(document, "Recevabilité")}
    assert recevabilite["n° 4"] == ["irrecevable", "dépense de fonctionnement"]
    assert recevabilite["n° 1"] == ["recevable", "conforme aux critères du règlement"]
    faisabilite = {row[0]: row[2:] for row in rows(document, "Faisabilité et chiffrage")}
    assert "n° 4" not in faisabilite
    assert faisabilite["n° 5"] == [
        "35 000 €",
        "au-delà du plafond de 5 000 €",
        "non faisable",
        "coût au-delà du plafond ; ouvrage de la métropole",
    ]
    assert faisabilite["n° 3"][:3] == ["8 000 €", "dans le plafond (22 000 € de marge)", "faisable"]
    assert pairs(document, "Synthèse")["Recevables"] == "4"


def test_the_vote_list_holds_the_projects_put_to_the_vote_with_their_costs() -> None:
    document = build_document("liste_projets_vote", sample())
    listed = rows(document, "Projets soumis au vote")
    assert [(row[0], row[4]) for row in listed] == [
        ("n° 1", "30 000 €"),
        ("n° 2", "25 000 €"),
        ("n° 3", "8 000 €"),
    ]
    # 63 000 € of projects for 50 000 €: the vote decides.
    assert "dépasse l'enveloppe de 13 000 €" in flat(all_text(document))


def test_the_results_count_each_channel_and_the_winners_within_the_envelope() -> None:
    document = build_document("resultats_vote", sample())
    counted = rows(document, "Voix par projet et par canal")
    assert counted[:3] == [
        ["1", "n° 1", "Skatepark du parc Jean-Moulin", "30 000 €", "450", "250", "700", "lauréat"],
        [
            "2",
            "n° 2",
            "Bancs et ombrières place du marché",
            "25 000 €",
            "400",
            "100",
            "500",
            "non retenu (coût au-delà du reste de l'enveloppe)",
        ],
        ["3", "n° 3", "Fontaine à eau au stade", "8 000 €", "100", "200", "300", "lauréat"],
    ]
    assert counted[3:] == [["En ligne", "950", "63 %"], ["Urne", "550", "37 %"], ["Total", "1 500", "100 %"]]
    synthesis = pairs(document, "Synthèse")
    assert synthesis["Voix exprimées"] == "1 500"
    assert synthesis["Voix pour 100 habitants"] == "12,5"
    assert pairs(document, "Projets lauréats et enveloppe") == {
        "Enveloppe": "50 000 €",
        "Coût des projets lauréats": "38 000 €",
        "Reliquat": "12 000 €",
    }
    assert "Vote clos le 20 février 2027." in flat(all_text(document))


def test_an_open_vote_shows_the_counts_so_far_or_says_none_is_recorded() -> None:
    provisional = build_document("resultats_vote", sample(vote=None))
    assert "décompte provisoire" in all_text(provisional)
    assert rows(provisional, "Résultats")[0] == ["n° 1", "Skatepark du parc Jean-Moulin", "450", "250", "700"]
    proposals = [{**p, "votes": {}} for p in BUDGET["budget"]["proposals"]]
    empty = build_document("resultats_vote", sample(vote=None, proposals=proposals))
    assert "Aucun vote enregistré au 12 mars 2027 : le vote n'est pas clos." in flat(all_text(empty))


def test_the_tracker_lists_the_winners_with_their_progress_and_cost() -> None:
    document = build_document("tableau_suivi_realisation", sample())
    assert [(row[0], row[3], row[4]) for row in rows(document, "Projets lauréats")] == [
        ("n° 1", "30 000 €", "réalisé et réceptionné"),
        ("n° 3", "8 000 €", "lauréat, en cours de réalisation"),
    ]
    assert pairs(document, "Projets lauréats") == {
        "Coût voté des projets lauréats": "38 000 €",
        "dont projets réalisés": "30 000 €",
        "dont projets à réaliser": "8 000 €",
    }


def test_the_review_puts_the_edition_in_figures() -> None:
    document = build_document("bilan_budget_participatif", sample())
    assert rows(document, "Idées et projets") == [
        ["irrecevable", "1", "20 %"],
        ["non faisable", "1", "20 %"],
        ["lauréate", "1", "20 %"],
        ["non retenue", "1", "20 %"],
        ["réalisée", "1", "20 %"],
    ]
    envelope = pairs(document, "Enveloppe et réalisation")
    assert envelope["Affectée aux projets lauréats"] == "38 000 €"
    assert envelope["Part de l'enveloppe utilisée"] == "76 %"
    assert envelope["Reliquat non affecté"] == "12 000 €"
    assert envelope["Projets réalisés"] == "1 (50 %)"
    lessons = " ".join(
        flat(item)
        for block in section(document, "Enseignements").blocks
        if isinstance(block, BulletList)
        for item in block.items
    )
    assert "40 % des idées ont été écartées" in lessons
    assert "Un reliquat de 12 000 € (24 % de l'enveloppe)" in lessons


@pytest.mark.parametrize("kind", BUDGET_KINDS)
def test_before_anything_is_deposited_each_document_says_what_is_missing(kind, clock) -> None:
    context = {**COMMON, "parameters": {}, "budget": {"as_of": "2027-03-12", "proposals": []}}
    text = flat(all_text(build_document(kind, context, clock=clock)))
    assert PLACEHOLDER not in text
    expected = {
        "reglement_budget_participatif": "enveloppe non fixée",
        "catalogue_idees": "Aucune idée déposée au 12 mars 2027.",
        "rapport_analyse": "Aucune idée déposée au 12 mars 2027.",
        "liste_projets_vote": "Aucun projet soumis au vote au 12 mars 2027.",
        "resultats_vote": "Aucun vote enregistré au 12 mars 2027 : le vote n'est pas clos.",
        "tableau_suivi_realisation": "Aucun projet lauréat au 12 mars 2027 : le vote n'est pas encore clos.",
        "bilan_budget_participatif": "Aucune idée déposée au 12 mars 2027.",
    }[kind]
    assert expected in text


def test_the_rules_mark_forecast_dates_and_skipped_steps() -> None:
    calendar = [
        {
            "stage": "Cadrage et règlement",
            "step": "Rédaction du règlement",
            "due": "2026-10-02T16:00:00+00:00",
        },
        {
            "stage": "Vote citoyen",
            "step": "Vote des habitants",
            "due": "2027-02-19T16:00:00+00:00",
            "forecast": True,
        },
        {
            "stage": "Cadrage et règlement",
            "step": "Bilan de l'édition précédente",
            "skipped": True,
            "due": "2026-09-02",
        },
    ]
    document = build_document("reglement_budget_participatif", sample(calendar=calendar))
    assert rows(document, "Article 4 – Calendrier") == [
        ["Cadrage et règlement", "Rédaction du règlement", "2 octobre 2026"],
        ["Vote citoyen", "Vote des habitants", "19 février 2027 (prévision)"],
        ["Cadrage et règlement", "Bilan de l'édition précédente", "sans objet (étape écartée)"],
    ]
    assert "prévisionnelles" in all_text(document)
