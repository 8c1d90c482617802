from __future__ import annotations

from datetime import date

import pytest

from gouvernance.errors import InvalidInput
from gouvernance.stakeholders.records import (
    ConsultationData,
    Contact,
    RelationData,
    StageRequirement,
    StakeholderData,
)
from gouvernance.stakeholders.vocabulary import Category, RelationType, SalienceAttribute


def test_codes_are_turned_into_members() -> None:
    stakeholder = StakeholderData(
        "s1",
        " Mairie ",
        "organisation",
        "elu",
        5,
        4,
        "favorable",
        frozenset({"pouvoir"}),
        "collaborer",
        ("a", "a"),
    )
    assert stakeholder.category is Category.elu
    assert stakeholder.salience == {SalienceAttribute.pouvoir}
    assert stakeholder.name == "Mairie"
    assert stakeholder.tags == ("a",)


def test_a_stakeholder_is_refused_with_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        StakeholderData("s1", "", "personne", "martien", 7, 0)
    paths = sorted(reason.path for reason in refused.value.reasons)
    assert paths == ["category", "interest", "name", "power"]
    score = next(reason for reason in refused.value.reasons if reason.path == "power")
    assert "1 à 5" in score.fr
    assert "1 to 5" in score.en


def test_booleans_are_not_scores() -> None:
    with pytest.raises(InvalidInput):
        StakeholderData("s1", "A", "personne", "elu", True, 3)


def test_contact_details_are_checked() -> None:
    with pytest.raises(InvalidInput) as refused:
        Contact(email="pas-une-adresse", phone="abc")
    assert {reason.code for reason in refused.value.reasons} == {
        "stakeholders.invalid_email",
        "stakeholders.invalid_phone",
    }
    assert Contact(email=" a@b.fr ", phone="+33 4 76 00 00 00").email == "a@b.fr"


def test_contact_is_not_part_of_a_stakeholder_equality_or_repr() -> None:
    with_contact = StakeholderData("s1", "A", "personne", "elu", 3, 3, contact=Contact(email="a@b.fr"))
    assert with_contact == StakeholderData("s1", "A", "personne", "elu", 3, 3)
    assert "a@b.fr" not in repr(with_contact)


@pytest.mark.parametrize(
    ("source", "target", "weight", "code"),
    [
        ("a", "a", 1.0, "stakeholders.self_relation"),
        ("a", "b", 0.0, "stakeholders.invalid_weight"),
        ("a", "b", float("nan"), "stakeholders.invalid_weight"),
        ("a", "b", 1e-200, "stakeholders.invalid_weight"),
        ("a", "b", 100.5, "stakeholders.invalid_weight"),
        ("", "b", 1.0, "stakeholders.required"),
    ],
)
def test_relations_are_refused_with_a_reason(source: str, target: str, weight: float, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        RelationData(source, target, "partenaire", weight)
    assert code in {reason.code for reason in refused.value.reasons}


def test_symmetric_relations_are_the_same_whichever_way_round() -> None:
    assert RelationData("a", "b", "conflit").identity == RelationData("b", "a", "conflit").identity
    assert RelationData("a", "b", "finance").identity != RelationData("b", "a", "finance").identity
    assert RelationData("a", "b", "finance", start="2024-05-01").start == date(2024, 5, 1)
    assert RelationData("a", "b", "influence").type is RelationType.influence


def test_a_consultation_needs_a_date_a_known_format_and_someone_consulted() -> None:
    with pytest.raises(InvalidInput) as refused:
        ConsultationData("c1", None, "pigeon voyageur", frozenset())  # type: ignore[arg-type]
    assert sorted(reason.path for reason in refused.value.reasons) == ["date", "format", "stakeholder_ids"]


def test_a_requirement_names_known_categories_and_quadrants() -> None:
    requirement = StageRequirement("diagnostic", frozenset({"elu"}), frozenset({"gerer_etroitement"}))
    assert requirement.categories == {Category.elu}
    with pytest.raises(InvalidInput):
        StageRequirement("diagnostic", frozenset({"martien"}))


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31", date(2101, 1, 1)])
def test_relation_and_consultation_dates_are_bounded(day: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        RelationData("a", "b", "partenaire", start=day)  # type: ignore[arg-type]
    assert {reason.code for reason in refused.value.reasons} == {"date.out_of_range"}
    with pytest.raises(InvalidInput) as refused:
        ConsultationData("c1", day, "atelier", frozenset({"a"}))  # type: ignore[arg-type]
    assert {reason.path for reason in refused.value.reasons} == {"date"}
