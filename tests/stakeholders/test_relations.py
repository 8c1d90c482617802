"""Relations between stakeholders in the database."""

from __future__ import annotations

import pytest

from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.stakeholders import relations
from tests.stakeholders.helpers import CHEF


def test_symmetric_relations_are_one_whichever_way_round(db, clock, register) -> None:
    register.load()
    ids, engagement_id = register.ids, register.engagement_id
    with db.transaction() as session, pytest.raises(Conflict) as duplicate:
        relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["promoteur"],
            target_id=ids["collectif"],
            type="en conflit avec",
            actor=CHEF,
            clock=clock,
        )
    assert duplicate.value.code == "stakeholders.duplicate_relation"
    with db.transaction() as session:  # a directed relation the other way is another relation
        row = relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["promoteur"],
            target_id=ids["maison"],
            type="finance",
            weight=2.5,
            start="2025-01-01",
            actor=CHEF,
            clock=clock,
        )
        assert (row.source_id, row.target_id, row.type, row.weight) == (
            ids["promoteur"],
            ids["maison"],
            "finance",
            2.5,
        )
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["maire"],
            target_id=ids["maire"],
            type="amitié",
            weight=0,
            actor=CHEF,
            clock=clock,
        )
    assert {reason.code for reason in invalid.value.reasons} == {
        "stakeholders.unknown_value",
        "stakeholders.invalid_weight",
        "stakeholders.self_relation",
    }
    with db.transaction() as session, pytest.raises(NotFound):
        relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["maire"],
            target_id=999_999,
            type="partenaire",
            actor=CHEF,
            clock=clock,
        )
