from datetime import UTC, datetime

import pytest

from gouvernance.deliverables.builders.common import NO_TERRITORY, territory_of, typo
from gouvernance.deliverables.french import NBSP, NNBSP
from gouvernance.deliverables.model import (
    PLACEHOLDER,
    BulletList,
    DeliverableDocument,
    Figure,
    KeyValueList,
    Paragraph,
    Section,
    Table,
)
from gouvernance.deliverables.registry import BUILDERS, build_document

from .conftest import (
    FIRST_HEADINGS,
    GENERATED_AT,
    INDICATOR_DELAY,
    INDICATOR_PARTICIPANTS,
    POWER_INTEREST_SVG,
    SAMPLES,
)

ALL_KINDS = [*BUILDERS, "compte_rendu_atelier"]
# Builders that still write « À compléter » where a fact is missing (being converted by their owners).
PLACEHOLDER_KINDS: set[str] = set()

GARBAGE = {
    "territory": 42,
    "parameters": {"enveloppe_eur": "beaucoup", "numero_edition": True, "population": -3},
    "budget": {
        "as_of": "jamais",
        "proposals": [
            None,
            3,
            {"number": None, "votes": "x", "status": "inconnu", "estimated_cost": "gratuit"},
        ],
        "vote": {"results": [None, {"won": True, "cost": "abc", "by_channel": {"urne": "12"}}]},
        "calendar": "bientôt",
    },
    "engagement": "ACC",
    "author": None,
    "generated_at": "demain",
    "evidence": "une pièce",
    "forces_vives": "MJC",
    "projets_developpement": [None, 3],
    "diagnostic": ["a", "b"],
    "stakeholders": [None, 3, {"name": None, "power": 7}],
    "consultations": {"date": "hier"},
    "power_interest_svg": "<p>pas un svg</p>",
    "competences": ["a"],
    "rgpd": {"traitements": "tous"},
    "avis": [{"avis": None, "reserves": "une"}],
    "objectifs": "Réduire",
    "moyens": [1, 2],
    "actions": {"a": 1},
    "suivi": 3,
    "modules": [{"date": "pas une date", "duree": "longue"}],
    "reunion": {"date": 12, "debut": "vers 18 h", "fin": None},
    "participants": "x",
    "lignes_vierges": "beaucoup",
    "parties": [3, "Association"],
    "duree": {"months": "douze"},
    "exemplaires": True,
    "moyens_alloues": {"budget_prevu": 0, "budget_consomme": "beaucoup"},
    "effets_escomptes": [None, 1],
    "sections": "rien",
}


def all_blocks(sections):
    for section in sections:
        yield from section.blocks
        yield from all_blocks(section.subsections)


def all_text(document: DeliverableDocument) -> str:
    parts = [document.title, document.subtitle or ""]

    def walk(sections):
        for section in sections:
            parts.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    parts.append(block.text)
                elif isinstance(block, BulletList):
                    parts.extend(block.items)
                elif isinstance(block, Table):
                    parts.extend(block.headers)
                    parts.extend(cell for row in block.rows for cell in row)
                elif isinstance(block, KeyValueList):
                    parts.extend(f"{item.label} {item.value}" for item in block.items)
                else:
                    parts.append(block.caption)
            walk(section.subsections)

    walk(document.sections)
    return "\n".join(parts)


def section(document_or_section, heading: str) -> Section:
    sections = (
        document_or_section.sections
        if isinstance(document_or_section, DeliverableDocument)
        else document_or_section.subsections
    )
    return next(s for s in sections if s.heading == heading)


def tables(section_: Section) -> list[Table]:
    return [block for block in all_blocks([section_]) if isinstance(block, Table)]


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_each_kind_builds_its_french_structure(kind):
    document = build_document(kind, SAMPLES[kind])
    headings = [s.heading for s in document.sections]
    assert document.kind == kind
    assert document.territory.name == "Saint-Martin-d'Hères"
    assert document.territory.insee_code == "38421"
    assert document.engagement_reference == "ACC-2026-014"
    assert document.generated_at == GENERATED_AT
    assert document.author == "Claire Dupont"
    for expected in FIRST_HEADINGS[kind]:
        assert expected in headings


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_an_empty_context_gives_a_document_not_errors(kind, clock):
    document = build_document(kind, {}, clock=clock)
    assert document.generated_at == clock.now()
    assert document.territory.name == NO_TERRITORY
    assert document.sections
    if kind not in PLACEHOLDER_KINDS:  # what is missing is named, never a bare « À compléter »
        assert PLACEHOLDER not in all_text(document)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_badly_typed_context_values_never_crash(kind, clock):
    document = build_document(kind, GARBAGE, clock=clock)
    assert document.generated_at == clock.now()  # "demain" is not a date
    assert document.territory.name == NO_TERRITORY
    assert PLACEHOLDER not in all_text(document)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_filled_context_never_prints_a_bare_placeholder(kind):
    assert PLACEHOLDER not in all_text(build_document(kind, SAMPLES.get(kind, {})))


def test_typography_uses_french_spacing():
    assert typo("Objet : « oui » ; non ? 23 000 € et 45 % (n° 12, L. 2121-29)") == (
        f"Objet{NBSP}: «{NBSP}oui{NBSP}»{NNBSP}; non{NNBSP}? 23{NNBSP}000{NBSP}€ et 45{NBSP}% "
        f"(n°{NBSP}12, L.{NBSP}2121-29)"
    )


def test_territory_kinds_are_normalised():
    assert (
        territory_of({"territory": {"name": "Pays Voironnais", "kind": "Communauté d'agglomération"}}).kind
        == "epci"
    )
    assert territory_of({"territory": {"name": "Isère", "kind": "Département"}}).kind == "departement"
    assert territory_of({"territory": "Voiron"}).name == "Voiron"
    assert territory_of({"territory": {"name": "X", "insee_code": "pas un code"}}).insee_code is None


# rapport_etat_des_lieux


def test_stakeholders_get_their_mendelow_strategy():
    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    mapping = section(document, "Cartographie des parties prenantes")
    rows = {row[0]: row for row in tables(mapping)[0].rows}
    assert rows["Conseil municipal"][2:] == ["Élevé", "Élevé", "Gérer étroitement", "Habiliter"]
    assert rows["Bailleur social"][2:5] == ["Élevé", "Faible", "Satisfaire"]
    assert rows["Comité de quartier"][2:5] == ["Faible", "Élevé", "Informer"]  # levels from the quadrant
    figures = [block for block in mapping.blocks if isinstance(block, Figure)]
    assert [figure.caption for figure in figures] == [
        "Grille pouvoir / intérêt des parties prenantes (Mendelow)",
        "Carte des relations entre parties prenantes",
    ]


def test_diagnostic_has_needs_assets_and_critical_points():
    document = build_document("rapport_etat_des_lieux", SAMPLES["rapport_etat_des_lieux"])
    diagnostic = section(document, "Diagnostic territorial")
    assert [s.heading for s in diagnostic.subsections] == ["Besoins", "Atouts", "Points critiques"]
    assert section(diagnostic, "Atouts").blocks[0].items == [
        "Tissu associatif dense",
        "Équipe municipale volontaire",
    ]


def test_an_unreadable_svg_becomes_a_note():
    context = {"power_interest_svg": "<p>non</p>", "stakeholder_map_svg": POWER_INTEREST_SVG}
    document = build_document("rapport_etat_des_lieux", context)
    blocks = section(document, "Cartographie des parties prenantes").blocks
    assert sum(isinstance(block, Figure) for block in blocks) == 1
    assert any(isinstance(block, Paragraph) and "illisible" in block.text for block in blocks)


# note_securisation_juridique


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("commune", "L. 2121-29"),
        ("epci", "spécialité"),
        ("departement", "NOTRe"),
        ("region", "NOTRe"),
    ],
)
def test_legal_note_frames_competences_by_territory_kind(kind, expected):
    document = build_document("note_securisation_juridique", {"territory": {"name": "X", "kind": kind}})
    framework = section(document, "Compétences de la collectivité").blocks[0].text
    assert expected.replace(" ", NBSP) in framework


def test_legal_note_lists_opinions_and_reservations():
    document = build_document("note_securisation_juridique", SAMPLES["note_securisation_juridique"])
    opinions = section(document, "Avis et réserves")
    assert tables(opinions)[0].rows == [
        ["Compétences", "Favorable", "Aucune"],
        ["RGPD", "Favorable sous réserves", "– Inscrire le traitement au registre"],
    ]
    assert opinions.blocks[1].items[0].value == "Favorable sous réserves"
    assert opinions.blocks[-1].ordered


# plan_action


def test_action_plan_sums_budget_and_staff_time():
    document = build_document("plan_action", SAMPLES["plan_action"])
    totals = section(document, "Moyens").blocks[0].items
    assert [(item.label, item.value) for item in totals] == [
        ("Budget total", f"30{NNBSP}500{NBSP}€"),
        ("Temps de travail", f"1,5{NBSP}ETP"),
    ]


def test_objectives_carry_their_indicators():
    document = build_document("plan_action", SAMPLES["plan_action"])
    objectives = section(document, "Objectifs et indicateurs")
    first_objective = objectives.subsections[0]
    assert first_objective.heading == "Réduire les délais d'accès aux droits"
    indicator = tables(first_objective)[0]
    assert indicator.rows[0][:6] == [
        "Délai du premier rendez-vous RSA",
        "jours",
        f"90{NBSP}jours",
        f"15{NBSP}jours",
        "À la baisse",
        "Trimestrielle",
    ]
    actions = tables(section(document, "Actions"))[0]
    assert actions.headers == ["N°", "Action", "Objectif", "Responsable", "Échéance", "Statut"]
    assert actions.rows[0][4:] == ["15 janvier 2027", "Réalisée"]


# plan_formation


def test_training_calendar_is_in_date_order():
    document = build_document("plan_formation", SAMPLES["plan_formation"])
    calendar = tables(section(document, "Calendrier"))[0]
    assert [row[1] for row in calendar.rows] == [
        "Animer un atelier",
        "Les fondamentaux de la gouvernance partagée",
    ]
    module = section(section(document, "Modules de formation"), "Les fondamentaux de la gouvernance partagée")
    assert ("Durée", f"3{NBSP}h") in [(item.label, item.value) for item in module.blocks[0].items]


# feuille_emargement


def test_attendance_sheet_has_blank_signature_column_and_spare_lines():
    document = build_document("feuille_emargement", SAMPLES["feuille_emargement"])
    assert document.orientation == "landscape"
    assert not document.numbered_headings
    assert document.subtitle == "Atelier de co-construction du plan d'action"
    sheet = tables(section(document, "Participants"))[0]
    assert sheet.variant == "signatures"
    assert sheet.headers[-1] == "Signature"
    assert len(sheet.rows) == 2 + 3
    assert all(row[-1] == "" for row in sheet.rows)
    assert sheet.rows[0][:4] == ["1", "Amina Benali", "Habitante", "Conseil citoyen"]
    assert sheet.rows[4] == ["5", "", "", "", ""]
    meeting = {item.label: item.value for item in section(document, "Réunion").blocks[0].items}
    assert meeting["Date et horaires"] == f"samedi 5 décembre 2026, de 18{NBSP}h à 20{NBSP}h{NBSP}30"


def test_blank_lines_are_capped():
    document = build_document("feuille_emargement", {"lignes_vierges": 10_000})
    assert len(tables(section(document, "Participants"))[0].rows) == 60


# convention_partenariat


def test_agreement_articles_are_numbered_in_their_headings():
    document = build_document("convention_partenariat", SAMPLES["convention_partenariat"])
    articles = [s.heading for s in document.sections if s.heading.startswith("Article")]
    assert len(articles) == 11
    assert articles[0] == "Article 1 – Objet de la convention"
    signatures = tables(section(document, "Signatures"))[0]
    assert signatures.headers == [
        "Pour Commune de Saint-Martin-d'Hères",
        "Pour Maison des jeunes et de la culture",
    ]
    duration = section(document, "Article 6 – Durée").blocks[0].text
    assert duration.startswith(
        "La présente convention prend effet le 1er janvier 2027 pour une durée de 24 mois."
    )


def test_agreement_without_parties_starts_from_the_territory():
    document = build_document("convention_partenariat", {"territory": {"name": "Voiron", "kind": "commune"}})
    parties = section(document, "Entre les soussignés").blocks
    assert parties[0].text.startswith("Voiron, commune,")
    assert "« le Partenaire »" in parties[-2].text.replace(NBSP, " ")


# rapport_evaluation


def test_the_report_evaluates_indicators_and_objectives_by_the_evaluation_rule():
    # Participants: 40 on 1 January 2026, 80 on 1 July 2026 (181 days): 40/181 a day, i.e. +6,73 a month;
    # 548 days on to 31 December 2027, 80 + 40 × 548/181 = 201,1 ≥ 150: en bonne voie.
    # Delay: 20 days on 1 June 2026 for a target of 15 by 30 June 2026, evaluated on 15 July: non atteint
    # (the old « partiellement atteint (93 %) » rule is gone). The objective stands at its worst indicator.
    participants = {
        **INDICATOR_PARTICIPANTS,
        "baseline_on": "2026-01-01",
        "deadline": "2027-12-31",
        "measurements": [{"date": "2026-07-01", "value": 80}],
    }
    delay = {
        **INDICATOR_DELAY,
        "baseline_on": "2026-01-01",
        "deadline": "2026-06-30",
        "measured_at": "2026-06-01",
    }
    context = {
        **SAMPLES["rapport_evaluation"],
        "evaluation_au": "2026-07-15",
        "objectifs": [{"title": "Élargir la participation", "indicators": [participants, delay]}],
    }
    document = build_document("rapport_evaluation", context)
    [objective] = section(document, "Résultats obtenus").subsections
    rows = tables(objective)[0].rows
    assert rows[0][5] == (
        f"En bonne voie{NBSP}: au rythme actuel (+6,73{NBSP}participants par mois), 201,1{NBSP}participants "
        f"au 31 décembre 2027 pour une cible de 150{NBSP}participants"
    )
    assert rows[1][3:] == [
        f"20{NBSP}jours",
        "1er juin 2026",
        f"Non atteint{NBSP}: échéance du 30 juin 2026 passée{NBSP}: 20{NBSP}jours au 1er juin 2026 pour une "
        f"cible de 15{NBSP}jours",
    ]
    assert objective.blocks[0].text.startswith(
        f"Évaluation de l'objectif{NBSP}: non atteint (Délai du premier rendez-vous RSA{NBSP}: échéance"
    )
    captions = [block.caption for block in objective.blocks if isinstance(block, Figure)]
    assert captions == [
        "Habitants ayant participé à au moins un atelier : en bonne voie",
        "Délai du premier rendez-vous RSA : non atteint",
    ]  # the charts say what the table says
    summary = {item.label: item.value for item in section(document, "Résultats obtenus").blocks[0].items}
    assert summary["Cibles atteintes"] == "0 sur 2"


def test_the_report_names_what_an_indicator_lacks_to_be_evaluated():
    document = build_document("rapport_evaluation", SAMPLES["rapport_evaluation"])
    [delays, _] = section(document, "Résultats obtenus").subsections
    assert tables(delays)[0].rows[0][5] == f"non évalué{NBSP}: date de référence, échéance non renseignées"
    assert delays.blocks[0].text == (
        f"Évaluation de l'objectif{NBSP}: aucun indicateur évaluable («{NBSP}Délai du premier rendez-vous "
        f"RSA{NBSP}»)."
    )


def test_without_written_recommendations_the_report_lists_what_the_evaluation_flags():
    delay = {
        **INDICATOR_DELAY,
        "baseline_on": "2026-01-01",
        "deadline": "2026-06-30",
        "measured_at": "2026-06-01",
    }
    context = {
        **SAMPLES["rapport_evaluation"],
        "evaluation_au": "2026-07-15",
        "objectifs": [{"title": "Réduire les délais", "indicators": [delay]}],
        "actions": [{"title": "Ouvrir la plateforme", "status": "late", "echeance": "2026-05-01"}],
        "recommandations": [],
        "conclusion": "",
    }
    document = build_document("rapport_evaluation", context)
    recommendations = section(document, "Recommandations").blocks
    assert recommendations[0].text.startswith("Aucune recommandation n'est encore rédigée")
    assert recommendations[1].items == [
        f"«{NBSP}Délai du premier rendez-vous RSA{NBSP}»{NBSP}: non atteint (échéance du 30 juin 2026 "
        f"passée{NBSP}: 20{NBSP}jours au 1er juin 2026 pour une cible de 15{NBSP}jours).",
        f"Achever l'action «{NBSP}Ouvrir la plateforme{NBSP}» (responsable non désigné), en retard sur son "
        "échéance du 1er mai 2026.",
    ]
    assert section(document, "Conclusion").blocks[0].text == (
        "Aucune conclusion n'est encore rédigée par l'équipe d'évaluation. Au 15 juillet 2026, sur 1 "
        f"objectif{NBSP}: 1 non atteint."
    )


def test_written_recommendations_and_conclusion_are_kept_as_written():
    document = build_document("rapport_evaluation", SAMPLES["rapport_evaluation"])
    assert section(document, "Recommandations").blocks[0].items == [
        "Pérenniser le conseil citoyen",
        "Publier les indicateurs chaque trimestre",
    ]
    assert (
        section(document, "Conclusion").blocks[0].text
        == "La démarche a atteint l'essentiel de ses objectifs."
    )


def test_evaluation_report_summarises_results_and_means():
    document = build_document("rapport_evaluation", SAMPLES["rapport_evaluation"])
    summary = {item.label: item.value for item in section(document, "Résultats obtenus").blocks[0].items}
    assert summary["Indicateurs suivis"] == "3"
    assert summary["Indicateurs évalués"] == "0"  # no indicator of the sample has its dates
    assert summary["Cibles atteintes"] == "aucun indicateur mesuré"
    means = tables(section(document, "Moyens alloués"))[0].rows
    assert means[0] == ["Budget", f"30{NNBSP}500{NBSP}€", f"27{NNBSP}450{NBSP}€", f"90{NBSP}%"]
    assert section(document, "Actions menées").blocks[0].text == "1 action réalisée sur 2 prévues."
    assert section(document, "Recommandations").blocks[0].ordered


# generic fallback


def test_generic_builder_turns_free_keys_into_sections():
    context = {
        "generated_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        "ordre_du_jour": ["Accueil", "Bilan"],
        "decisions": [{"sujet": "Budget", "vote": "Adopté"}, {"sujet": "Charte", "porteur": "Élus"}],
        "synthese": "Séance constructive.",
        "chiffres": {"presents": 23, "excuses": 4},
    }
    document = build_document("compte_rendu_atelier", context)
    assert document.title == "Compte rendu atelier"
    assert [s.heading for s in document.sections] == ["Ordre du jour", "Décisions", "Synthèse", "Chiffres"]
    decisions = tables(section(document, "Décisions"))[0]
    assert decisions.headers == ["Sujet", "Vote", "Porteur"]
    assert decisions.rows == [["Budget", "Adopté", "–"], ["Charte", "–", "Élus"]]
    assert section(document, "Chiffres").blocks[0].items[0].value == "23"


def test_generic_builder_follows_declared_sections():
    context = {
        "title": "Charte de la participation",
        "sections": [
            {
                "heading": "Principes",
                "paragraphs": ["Chacun peut contribuer."],
                "bullets": ["Écoute", "Respect"],
            },
            {
                "heading": "Instances",
                "table": {"headers": ["Instance", "Rôle"], "rows": [["Conseil citoyen"]]},
            },
        ],
    }
    document = build_document("charte", context)
    assert document.title == "Charte de la participation"
    assert [s.heading for s in document.sections] == ["Principes", "Instances"]
    assert tables(section(document, "Instances"))[0].rows == [["Conseil citoyen", ""]]


def test_evaluation_report_draws_a_chart_per_dated_indicator():
    participation = {
        **INDICATOR_PARTICIPANTS,
        "key": "participants",
        "baseline_on": "2026-01-01",
        "deadline": "2027-12-31",
        "measurements": [{"date": "2026-06-01", "value": 80}, {"date": "2026-12-01", "value": 120}],
    }
    context = {
        **SAMPLES["rapport_evaluation"],
        "evaluation_au": "2027-01-15",
        "objectifs": [{"title": "Élargir la participation", "indicators": [participation, INDICATOR_DELAY]}],
    }
    document = build_document("rapport_evaluation", context)
    [objective] = section(document, "Résultats obtenus").subsections
    [chart] = [block for block in objective.blocks if isinstance(block, Figure)]  # the delay has no dates
    assert chart.caption == "Habitants ayant participé à au moins un atelier : en bonne voie"
    assert chart.alt.startswith("Évolution de « Habitants ayant participé à au moins un atelier »")
    assert f"120{NBSP}participants" in chart.svg
    assert f"Cible : 150{NBSP}participants" in chart.svg


def test_evaluation_report_without_dated_indicators_has_no_chart():
    document = build_document("rapport_evaluation", SAMPLES["rapport_evaluation"])
    blocks = [b for s in section(document, "Résultats obtenus").subsections for b in s.blocks]
    assert not [block for block in blocks if isinstance(block, Figure)]
