"""The consultation log in the database."""

from __future__ import annotations

import pytest

from gouvernance.errors import InvalidInput
from gouvernance.stakeholders import consultations
from gouvernance.stakeholders.tables import ConsultationRow
from tests.stakeholders.helpers import CHEF, count_rows, events_of

# --- consultations ----------------------------------------------------------------------------------------


def test_a_consultation_names_an_existing_step_and_existing_stakeholders(db, clock, register) -> None:
    register.load()
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        consultations.add_consultation(
            session,
            engagement_id=register.engagement_id,
            step_key="inexistante",
            held_on="le 3 mars",
            format="sondage",
            stakeholder_ids=[register.ids["maire"], 999_999],
            actor=CHEF,
            clock=clock,
        )
    assert {reason.code for reason in invalid.value.reasons} == {
        "stakeholders.invalid_date",
        "stakeholders.unknown_value",
        "consultation.unknown_step",
        "consultation.unknown_stakeholder",
    }
    assert count_rows(db, ConsultationRow, register.engagement_id) == 0

    with db.transaction() as session:
        view = consultations.add_consultation(
            session,
            engagement_id=register.engagement_id,
            step_key="partenaires",
            held_on="2026-03-04",
            format="Réunion publique",
            stakeholder_ids=[register.ids["maire"], register.ids["maire"]],
            summary="Présentation",
            outcome="Accord de principe",
            actor=CHEF,
            clock=clock,
        )
        assert (view.row.stage_key, view.row.format, view.stakeholder_ids) == (
            "mediation",
            "reunion_publique",
            [register.ids["maire"]],
        )
    with db.transaction() as session:
        changed = consultations.update_consultation(
            session,
            engagement_id=register.engagement_id,
            consultation_id=view.row.id,
            actor=CHEF,
            clock=clock,
            changes={"step_key": "entretiens", "stakeholder_ids": [register.ids["syndicat"]]},
        )
        assert (changed.row.stage_key, changed.stakeholder_ids) == ("diagnostic", [register.ids["syndicat"]])
    consultation_events = [
        e for e in events_of(db, register.engagement_id) if e.event.startswith("consultation")
    ]
    assert [(e.event, e.step_key) for e in consultation_events] == [
        ("consultation_recorded", "partenaires"),
        ("consultation_updated", "entretiens"),
    ]
