"""Relations imported from a spreadsheet with names, as a town hall's Excel export writes them: all or
nothing, every bad line listed with the closest names of the register."""

from __future__ import annotations

import pytest

from gouvernance.stakeholders import relations
from gouvernance.stakeholders.csv_import import ImportRejected
from gouvernance.stakeholders.relations_import import import_relations
from gouvernance.stakeholders.tables import StakeholderRelationRow
from tests.stakeholders.helpers import CHEF, count_rows


def _import(db, clock, engagement_id, text):
    with db.transaction() as session:
        return import_relations(
            session, engagement_id=engagement_id, content=text.encode("cp1252"), actor=CHEF, clock=clock
        )


def test_a_spreadsheet_with_unknown_names_is_refused_whole_with_every_bad_line(db, clock, register) -> None:
    register.load()
    before = count_rows(db, StakeholderRelationRow, register.engagement_id)
    spreadsheet = (
        "Source;Cible;Type;Poids\n"
        "Promoteur;Maison des associations;finance;2,5\n"
        "Promoteu;Maison des associations;finance;1\n"
        "Promoteur;Maison des associations;rachète;1\n"
        "Promoteur;Promoteur;influence;1\n"
        "Maison des associations;Promoteur;influence;500\n"
    )
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, spreadsheet)
    assert [error.line for error in refused.value.errors] == [3, 4, 5, 6]
    reasons = [reason.fr for reason in refused.value.reasons]
    assert (
        "Ligne 3 — Source : « Promoteu » n'est pas au registre ; vouliez-vous dire « Promoteur » ?" in reasons
    )
    assert any(reason.startswith("Ligne 4 — Type : « rachète » inconnu") for reason in reasons)
    assert "Ligne 5 — Source et cible sont la même partie prenante." in reasons
    assert any(reason.startswith("Ligne 6 — Poids : « 500 »") for reason in reasons)
    assert count_rows(db, StakeholderRelationRow, register.engagement_id) == before  # not even line 2


def test_names_are_matched_loosely_and_relations_already_there_are_kept(db, clock, register) -> None:
    register.load()
    spreadsheet = (
        "source,cible,type\n"
        "maison des ASSOCIATIONS,promoteur,partenaire de\n"  # already there (partenaire, either way round)
        "Promoteur,Maison des associations,financeur de\n"
    )
    summary = _import(db, clock, register.engagement_id, spreadsheet)
    assert summary.as_dict() == {"rows": 2, "created": 1, "already_there": 1}
    with db.reading() as session:
        funding = [
            r for r in relations.list_relations(session, register.engagement_id) if r.type == "finance"
        ]
    assert [(r.source_id, r.target_id, r.weight) for r in funding] == [
        (register.ids["promoteur"], register.ids["maison"], 1.0)
    ]
