"""Small hand-built stakeholder maps whose answers are known."""

from __future__ import annotations

from typing import Any

import pytest

from gouvernance.stakeholders.records import RelationData, StakeholderData


def person(identifier: str, power: int = 2, interest: int = 2, **fields: Any) -> StakeholderData:
    """A stakeholder with defaults that make it nobody in particular (surveiller, no salience)."""
    values: dict[str, Any] = {
        "name": identifier.capitalize(),
        "kind": "personne",
        "category": "habitant_usager",
        "power": power,
        "interest": interest,
    }
    values.update(fields)
    return StakeholderData(id=identifier, **values)


def tie(source: str, target: str, kind: str = "partenaire", weight: float = 1.0) -> RelationData:
    return RelationData(source, target, kind, weight)


@pytest.fixture
def two_cliques() -> tuple[list[StakeholderData], list[RelationData]]:
    """Two groups of five that all work together, joined only through « pont » (a go-between)."""
    left = [f"a{index}" for index in range(5)]
    right = [f"b{index}" for index in range(5)]
    stakeholders = [person(node) for node in [*left, *right, "pont"]]
    relations = [tie(x, y) for group in (left, right) for i, x in enumerate(group) for y in group[i + 1 :]]
    relations += [tie("a0", "pont", "membre_de"), tie("pont", "b0", "influence")]
    return stakeholders, relations
