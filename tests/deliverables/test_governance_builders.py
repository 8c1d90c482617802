"""The shared-governance deliverables: each is written from the content it is given, says exactly what is
missing when it is not, and has French headings only."""

from __future__ import annotations

import re

import pytest

from gouvernance.deliverables.model import PLACEHOLDER, Figure
from gouvernance.deliverables.registry import build_document

from .conftest import MAP_SVG, POWER_INTEREST_SVG
from .governance_samples import CONSULTATION as CONSULTATION_SAMPLE
from .governance_samples import GOVERNANCE_SAMPLES
from .test_builders import all_blocks, all_text, section, tables

KINDS = list(GOVERNANCE_SAMPLES)
# Words that would betray an English heading (none of them is French).
ENGLISH = re.compile(
    r"\b(the|of|and|map|register|stakeholders?|summary|draft|charter|record|indicators?|objectives?|"
    r"approvals?|key|players|conflicts?|parameters?|contents?|evidence|annex)\b",
    re.IGNORECASE,
)


def plain(document) -> str:
    """The document's text with French no-break spaces as plain ones, to compare with literal sentences."""
    return all_text(document).replace("\u00a0", " ").replace("\u202f", " ")


def _headings(sections):
    for s in sections:
        yield s.heading
        yield from _headings(s.subsections)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("context", ["sample", "empty"])
def test_every_heading_is_french(kind, context, clock) -> None:
    document = build_document(kind, GOVERNANCE_SAMPLES[kind] if context == "sample" else {}, clock=clock)
    english = [heading for heading in _headings(document.sections) if ENGLISH.search(heading)]
    assert not english


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_context_names_what_is_missing(kind, clock) -> None:
    text = plain(build_document(kind, {}, clock=clock))
    assert PLACEHOLDER not in text


# --- cartographie_acteurs ----------------------------------------------------------------------------------


def test_the_map_tabulates_the_register_with_strategy_class_and_consultation() -> None:
    document = build_document("cartographie_acteurs", GOVERNANCE_SAMPLES["cartographie_acteurs"])
    [register] = tables(section(document, "Registre des parties prenantes"))
    assert register.headers[-1] == "Consultée"
    assert register.rows == [
        [
            "MJC Renaudie",
            "Association",
            "Organisation",
            "4 / 5",
            "Gérer étroitement",
            "Définitive",
            "Oui (2)",
        ],
        ["Bailleur Alpes Habitat", "Entreprise", "Organisation", "4 / 2", "Satisfaire", "Dominante", "Non"],
    ]
    text = plain(document)
    assert "MJC Renaudie — Gérer étroitement, classe définitive ; consulté·e" in text
    assert "1 acteur clé n'a pas encore été consulté" in text
    [conflicts] = tables(section(document, "Conflits et médiateurs pressentis"))
    assert conflicts.rows == [["Bailleur Alpes Habitat / Amicale des locataires", "3", "MJC Renaudie"]]
    assert "2 parties prenantes et 4 relations ; 1 a été consultée au moins une fois" in text


def test_the_map_shows_the_pictures_it_is_given() -> None:
    context = {
        **GOVERNANCE_SAMPLES["cartographie_acteurs"],
        "stakeholder_map_svg": MAP_SVG,
        "power_interest_svg": POWER_INTEREST_SVG,
    }
    document = build_document("cartographie_acteurs", context)
    figures = [b for b in all_blocks(document.sections) if isinstance(b, Figure)]
    assert [f.caption for f in figures] == [
        "Carte des relations entre parties prenantes",
        "Grille pouvoir / intérêt (Mendelow)",
    ]


def test_an_empty_map_says_the_register_is_empty(clock) -> None:
    text = plain(build_document("cartographie_acteurs", {}, clock=clock))
    assert "Aucune partie prenante n'est inscrite au registre de la démarche" in text
    assert "Aucun conflit n'est inscrit dans la cartographie" in text
    assert "aucune figure, faute de parties prenantes inscrites au registre" in text


# --- fiche_traitement_rgpd ---------------------------------------------------------------------------------


def test_the_rgpd_record_gives_the_volumes_held_and_the_article_30_entries() -> None:
    text = plain(build_document("fiche_traitement_rgpd", GOVERNANCE_SAMPLES["fiche_traitement_rgpd"]))
    for expected in (
        "Parties prenantes inscrites 31",
        "dont habitants et usagers à titre personnel 1",
        "Adresses électroniques enregistrées 4",
        "Participations enregistrées 54",
        "Commune de Saint-Martin-d'Hères, représentée par son maire",
        "DiaPPason, chargé de l'accompagnement (article 28 du RGPD)",
        "article 6.1.e du RGPD",
        "article L. 2141-1",
    ):
        assert expected in text, expected


def test_the_rgpd_record_says_which_settings_are_missing(clock) -> None:
    text = plain(build_document("fiche_traitement_rgpd", {}, clock=clock))
    assert "Aucune durée de conservation n'est paramétrée dans l'application" in text
    assert "non désigné dans l'application" in text  # the DPO
    assert "Le registre des parties prenantes de cet accompagnement est vide" in text
    declared = build_document(
        "fiche_traitement_rgpd", {"duree_conservation": "deux ans après la fin de l'accompagnement"}
    )
    assert "Durée de conservation : deux ans après la fin de l'accompagnement." in plain(declared)


# --- referentiel_indicateurs -------------------------------------------------------------------------------


def test_the_framework_lists_indicators_approvals_and_latest_measurements() -> None:
    document = build_document("referentiel_indicateurs", GOVERNANCE_SAMPLES["referentiel_indicateurs"])
    objective = section(document, "Objectif 1 : Rapprocher le CCAS des habitants")
    framework, latest = tables(objective)
    assert framework.rows[0] == [
        "Délai du premier rendez-vous RSA",
        "jours",
        "90\u00a0jours (au 1er mars 2027)",
        "15\u00a0jours (d'ici le 1er mars 2028)",
        "À la baisse",
        "Trimestrielle",
        "Logiciel métier du CCAS",
        "Oui",
    ]
    assert latest.rows == [
        ["Délai du premier rendez-vous RSA", "aucune mesure depuis le 1er mars 2027", "–"],
        ["Habitants reçus en permanence", "85\u00a0personnes", "1er octobre 2026"],
    ]
    text = plain(document)
    assert "Validée par Élu·e référent·e" in text
    [approvals] = tables(section(document, "Validations par les acteurs locaux"))
    assert [row[1:4] for row in approvals.rows] == [
        ["version 1", "Chef·fe de projet", "julien.robert"],
        ["version 2", "Élu·e référent·e", "sophie.bernard"],
    ]


def test_an_unapproved_objective_says_so(clock) -> None:
    objective = {"title": "Objectif", "indicators": []}
    text = plain(build_document("referentiel_indicateurs", {"referentiel": [objective]}, clock=clock))
    assert "aucun acteur local n'a encore validé cette version" in text
    assert "Aucun indicateur n'est encore rattaché à cet objectif" in text
    assert "Aucune validation n'est enregistrée" in text


# --- projet_deliberation -----------------------------------------------------------------------------------


def test_the_draft_resolution_cites_the_law_the_decisions_and_the_objectives() -> None:
    text = plain(build_document("projet_deliberation", GOVERNANCE_SAMPLES["projet_deliberation"]))
    for expected in (
        "Le conseil municipal,",
        "Vu le code général des collectivités territoriales, notamment ses articles L. 2121-29 et "
        "L. 2141-1 ;",
        "Vu la décision du comité de pilotage du 24 juillet 2026 : Avis favorable sur le plan d'action ;",
        "Vu la délibération n° 2025-112 du 20 novembre 2025 : Création du conseil citoyen Renaudie ;",
        "Vu la loi n° 2014-173 du 21 février 2014 de programmation pour la ville ;",
        "Après en avoir délibéré, DÉCIDE :",
        "Rapprocher le CCAS des habitants — mesuré par : Délai du premier rendez-vous RSA",
        "Article 4 : d'autoriser le maire",
        "(38 000 habitants)",
    ):
        assert expected in text, expected


def test_votes_stay_blank_for_the_assembly_until_recorded() -> None:
    context = GOVERNANCE_SAMPLES["projet_deliberation"]
    blank = plain(build_document("projet_deliberation", context))
    assert "Pour ……" in blank
    assert "Aucun vote n'est encore enregistré au registre des décisions" in blank
    voted = {
        **context,
        "decisions": [
            *context["decisions"],
            {
                "number": "2026-087",
                "title": "Lancement",
                "date": "2026-09-14",
                "body": "conseil_municipal",
                "votes_for": 29,
                "votes_against": 2,
                "abstentions": 4,
                "step_key": "deliberation_lancement",
            },
        ],
    }
    text = plain(build_document("projet_deliberation", voted))
    assert "Pour 29" in text
    assert "Contre 2" in text
    assert "Abstentions 4" in text
    assert "Délibération n° 2026-087 du 14 septembre 2026" in text


def test_an_epci_resolution_is_its_council_s() -> None:
    context = {
        **GOVERNANCE_SAMPLES["projet_deliberation"],
        "territory": {"name": "Val Fleuri", "kind": "epci"},
        "parameters": {"population": 60_000},
    }
    text = plain(build_document("projet_deliberation", context))
    assert "Le conseil communautaire," in text
    assert "notamment ses articles L. 5211-1 et L. 5211-10-1" in text
    assert "d'autoriser le président" in text


def test_a_resolution_without_objectives_says_so(clock) -> None:
    text = plain(build_document("projet_deliberation", {}, clock=clock))
    assert "Aucun objectif n'est encore inscrit au référentiel de la démarche" in text
    assert "population non renseignée au lancement de l'accompagnement" in text


# --- charte_participation ----------------------------------------------------------------------------------


def test_the_charter_is_written_from_the_register_methods_and_parameters() -> None:
    document = build_document("charte_participation", GOVERNANCE_SAMPLES["charte_participation"])
    [who] = tables(section(document, "Qui participe"))
    assert who.rows == [["Habitant / usager", "6"], ["Association", "5"]]
    [how] = tables(section(document, "Comment participer"))
    assert how.rows == [["Atelier", "6"], ["Réunion publique", "1"]]
    text = plain(document)
    assert "consulter (12 acteurs), habiliter (1 acteur)" in text
    assert "la démarche ne prévoit pas de plateforme en ligne" in text
    assert "38 000 habitants" in text
    assert "Délai du premier rendez-vous RSA (Rapprocher le CCAS des habitants)" in text  # public indicator
    assert "Habitants reçus en permanence" not in text  # not public


def test_a_charter_without_data_says_what_is_missing(clock) -> None:
    text = plain(build_document("charte_participation", {}, clock=clock))
    assert "Aucune consultation n'est encore inscrite au journal" in text
    assert "le recours à une plateforme en ligne n'a pas été précisé au lancement" in text
    assert "aucun objectif ni indicateur n'est encore inscrit au référentiel" in text


# --- synthese_concertation ---------------------------------------------------------------------------------


def test_the_summary_reports_what_was_said_and_the_findings_of_each_consultation() -> None:
    document = build_document("synthese_concertation", GOVERNANCE_SAMPLES["synthese_concertation"])
    [overview] = tables(section(document, "Les temps de concertation"))
    assert overview.rows == [
        [
            "3 octobre 2026",
            "Atelier",
            "Atelier citoyen de co-construction",
            "12 : habitant/usager (9), association (3)",
        ]
    ]
    detail = section(
        section(document, "Ce qui a été dit"),
        "Atelier du 3 octobre 2026 — Atelier citoyen de co-construction",
    )
    text = plain(document)
    assert "Les habitants demandent une permanence le samedi matin" in text
    assert "Permanence du samedi à l'essai dès janvier." in text
    assert "Besoin : Une permanence le samedi — Pour les actifs." in text
    assert "Une MJC très fréquentée" not in text  # drawn from another consultation
    assert detail.blocks


def test_a_consultation_without_notes_says_so(clock) -> None:
    consultation = {"id": 1, "date": "2026-10-03", "method": "entretien", "participants": 1}
    text = plain(build_document("synthese_concertation", {"consultations": [consultation]}, clock=clock))
    assert "Aucune note n'a été consignée pour ce temps d'échange." in text
    assert "répartition par catégorie non renseignée" in text
    empty = plain(build_document("synthese_concertation", {}, clock=clock))
    assert "Aucune consultation n'est encore inscrite au journal de la démarche" in empty


# --- note_securisation_juridique (missing analyses) --------------------------------------------------------


def test_the_legal_memo_says_where_a_missing_analysis_is(clock) -> None:
    evidence = [
        {
            "title": "note juridique",
            "step": "Analyse des compétences de la collectivité",
            "date": "2026-03-10",
        }
    ]
    text = plain(build_document("note_securisation_juridique", {"evidence": evidence}, clock=clock))
    assert (
        "L'analyse n'est pas reprise dans la présente note : elle figure dans les pièces jointes à l'étape "
        "« Analyse des compétences de la collectivité » (« note juridique » du 10 mars 2026)"
    ) in text
    assert (
        "L'analyse n'est pas encore rédigée : elle est attendue à l'étape « Analyse au regard de la commande "
        "publique »."
    ) in text


def test_the_draft_resolution_recounts_where_the_journey_stands(clock) -> None:
    phases = [
        {"title": "État des lieux", "state": "done", "completed_on": "2026-03-10"},
        {"title": "Gestation entre élus et communication", "state": "under_way"},
        {"title": "Évaluation de la démarche", "state": "to_come"},
    ]
    text = plain(build_document("projet_deliberation", {"phases": phases}, clock=clock))
    assert "État des lieux — phase achevée le 10 mars 2026" in text
    assert "Gestation entre élus et communication — phase en cours" in text
    assert "Évaluation de la démarche — phase à venir" in text
    unknown = plain(build_document("projet_deliberation", {}, clock=clock))
    assert "L'avancement des étapes de la démarche n'est pas connu de ce document" in unknown


def test_the_summary_puts_the_workshop_of_its_step_first() -> None:
    earlier = {
        **CONSULTATION_SAMPLE,
        "id": 3,
        "date": "2026-05-02",
        "step": "Entretiens",
        "step_key": "entretiens",
    }
    workshop = {**CONSULTATION_SAMPLE, "step_key": "atelier_citoyen"}
    context = {"consultations": [earlier, workshop], "produced_by": ["atelier_citoyen"]}
    document = build_document("synthese_concertation", context)
    assert [s.heading for s in document.sections][2:] == [
        "Ce qui a été dit à l'étape « Atelier citoyen de co-construction »",
        "Ce qui a été dit lors des autres temps de concertation",
    ]
    [featured] = document.sections[2].subsections
    assert featured.heading == "Atelier du 3 octobre 2026 — Atelier citoyen de co-construction"
