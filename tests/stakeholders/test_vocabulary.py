from __future__ import annotations

import pytest

from gouvernance.stakeholders.vocabulary import (
    Attitude,
    Category,
    IAP2Level,
    Quadrant,
    RelationType,
    SalienceAttribute,
    SalienceClass,
    SalienceGroup,
    StakeholderKind,
    Vocabulary,
)

ALL_VOCABULARIES = [StakeholderKind, Category, Attitude, IAP2Level, RelationType, Quadrant, SalienceClass]


def test_category_labels_are_the_french_ones_of_the_domain() -> None:
    assert Category.labels() == {
        "habitant_usager": "habitant/usager",
        "association": "association",
        "entreprise": "entreprise",
        "agent_territorial": "agent territorial",
        "elu": "élu",
        "partenaire_institutionnel": "partenaire institutionnel",
        "organisation_syndicale": "organisation syndicale",
        "autre": "autre",
    }


def test_every_member_has_an_english_label_too() -> None:
    for vocabulary in ALL_VOCABULARIES:
        for member in vocabulary:
            assert member.label("en")
            assert member.label("fr") == member.fr


@pytest.mark.parametrize(
    ("enum", "text", "expected"),
    [
        (Category, "Habitant/Usager", Category.habitant_usager),
        (Category, "  ÉLU ", Category.elu),
        (Category, "Elue", Category.elu),
        (Category, "Syndicat", Category.organisation_syndicale),
        (Category, "partenaire_institutionnel", Category.partenaire_institutionnel),
        (Attitude, "Opposé", Attitude.oppose),
        (Attitude, "opposee", Attitude.oppose),
        (Attitude, "supportive", Attitude.favorable),
        (Quadrant, "gérer", Quadrant.gerer_etroitement),
        (Quadrant, "Gérer étroitement", Quadrant.gerer_etroitement),
        (Quadrant, "keep satisfied", Quadrant.satisfaire),
        (IAP2Level, "Empower", IAP2Level.habiliter),
        (StakeholderKind, "Personne morale", StakeholderKind.organisation),
        (SalienceClass, "Définitive", SalienceClass.definitive),
        (SalienceAttribute, "Légitimité", SalienceAttribute.legitimite),
    ],
)
def test_labels_and_synonyms_parse_whatever_the_case_and_accents(
    enum: type[Vocabulary], text: str, expected: Vocabulary
) -> None:
    assert enum.parse(text) is expected


def test_unknown_text_parses_to_nothing() -> None:
    assert Category.parse("martien") is None


@pytest.mark.parametrize("vocabulary", ALL_VOCABULARIES)
def test_each_label_names_exactly_its_own_member(vocabulary: type[Vocabulary]) -> None:
    for member in vocabulary:
        assert vocabulary.parse(member.fr) is member
        assert vocabulary.parse(member.en) is member
        assert vocabulary.parse(member.value) is member


def test_partnership_and_conflict_are_the_only_symmetric_relations() -> None:
    symmetric = {relation for relation in RelationType if not relation.directed}
    assert symmetric == {RelationType.partenaire, RelationType.conflit}


def test_iap2_levels_are_ordered_from_inform_to_empower() -> None:
    assert [level.rank for level in IAP2Level] == [1, 2, 3, 4, 5]
    assert IAP2Level.informer.rank < IAP2Level.habiliter.rank


def test_salience_classes_are_grouped_latent_expectant_definitive() -> None:
    groups = {salience_class: salience_class.group for salience_class in SalienceClass}
    assert groups == {
        SalienceClass.dormant: SalienceGroup.latent,
        SalienceClass.discretionary: SalienceGroup.latent,
        SalienceClass.demanding: SalienceGroup.latent,
        SalienceClass.dominant: SalienceGroup.expectant,
        SalienceClass.dangerous: SalienceGroup.expectant,
        SalienceClass.dependent: SalienceGroup.expectant,
        SalienceClass.definitive: SalienceGroup.definitive,
        SalienceClass.non_stakeholder: None,
    }
    assert SalienceClass.dormant.fr == "dormante"
    assert SalienceGroup.expectant.fr == "en attente"
