"""Stakeholders and their contact details in the database: checks on every change, RGPD erasure, and
control characters refused at every door."""

from __future__ import annotations

import json

import pytest

from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.stakeholders import consultations, register_service, relations, reports
from gouvernance.stakeholders.records import Contact, StakeholderData
from gouvernance.stakeholders.tables import StakeholderContactRow
from tests.stakeholders.helpers import CHEF, events_of, export_register


def test_stakeholders_are_added_updated_and_deleted_with_checks(db, clock, register) -> None:
    register.load()
    engagement_id = register.engagement_id
    with db.transaction() as session:
        row = register_service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData(
                "cfdt",
                "CFDT",
                "organisation",
                "organisation_syndicale",
                2,
                3,
                contact=Contact(phone="01 02 03 04 05"),
            ),
        )
        stakeholder_id = row.id
    with db.transaction() as session, pytest.raises(Conflict) as clash:
        register_service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData("autre", "cfdt", "organisation", "autre", 1, 1),
        )
    assert clash.value.code == "stakeholders.duplicate_name"
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        register_service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 8, "category": "martiens"},
            actor=CHEF,
            clock=clock,
        )
    assert {reason.path for reason in invalid.value.reasons} == {"power", "category"}
    with db.transaction() as session:
        updated = register_service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 4, "tags": ["dialogue social"]},
            actor=CHEF,
            clock=clock,
            expected_version=1,
        )
        assert (updated.power, updated.tags, updated.version) == (4, ["dialogue social"], 2)
    with db.transaction() as session, pytest.raises(Conflict):
        register_service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 5},
            actor=CHEF,
            clock=clock,
            expected_version=1,
        )

    collectif = register.ids["collectif"]
    consultation_id = register.consult("entretiens", "collectif")
    with db.transaction() as session:
        register_service.delete_stakeholder(
            session, engagement_id=engagement_id, stakeholder_id=collectif, actor=CHEF, clock=clock
        )
    with db.reading() as session:
        assert all(
            collectif not in (r.source_id, r.target_id)
            for r in relations.list_relations(session, engagement_id)
        )
        assert consultations.get_consultation(session, engagement_id, consultation_id).stakeholder_ids == []
        analysis = reports.analyse(session, engagement_id)  # the emptied log entry is left out
        assert analysis.stakeholder_count == 11
        with pytest.raises(NotFound):
            register_service.get_stakeholder(session, engagement_id, collectif)


def test_contact_details_are_erasable_and_no_event_holds_personal_data(db, clock, register) -> None:
    register.load()
    dupont = register.ids["dupont"]
    with db.transaction() as session:
        assert register_service.erase_contacts(
            session, engagement_id=register.engagement_id, stakeholder_id=dupont, actor=CHEF, clock=clock
        )
    with db.transaction() as session:
        assert not register_service.erase_contacts(
            session, engagement_id=register.engagement_id, stakeholder_id=dupont, actor=CHEF, clock=clock
        )
        assert session.get(StakeholderContactRow, dupont) is None
    assert (
        b"@" not in export_register(db, clock, register.engagement_id, "csv", include_contacts=True).content
    )
    events = events_of(db, register.engagement_id)
    assert [e.payload for e in events if e.event == "stakeholder_contact_erased"] == [
        {"stakeholder_id": dupont, "erased": True},
        {"stakeholder_id": dupont, "erased": False},
    ]
    logged = json.dumps([e.payload for e in events], ensure_ascii=False)
    for personal in ("Dupont", "dupont", "@", "Collectif", "collectif"):
        assert personal not in logged


# --- text that would break the exports ------------------------------------------------------------------


def test_control_characters_are_refused_at_every_door_of_the_register(db, clock, register) -> None:
    register.load()
    engagement_id, maire = register.engagement_id, register.ids["maire"]
    bad = "ctl\u0001\u0002\u000b end"
    with db.transaction() as session, pytest.raises(InvalidInput) as added:
        register_service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData("k", bad, "organisation", "autre", 1, 1, tags=("ok", "nul\u0000")),
        )
    assert added.value.code == "text.control_character"
    assert [(r.path, r.details["character"]) for r in added.value.reasons] == [
        ("name", "U+0001"),
        ("tags.1", "U+0000"),
    ]
    attempts = [
        lambda session: register_service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=maire,
            changes={"name": bad},
            actor=CHEF,
            clock=clock,
        ),
        lambda session: register_service.set_contact(
            session,
            engagement_id=engagement_id,
            stakeholder_id=maire,
            contact=Contact(email="a\u0001@b.fr"),
            actor=CHEF,
            clock=clock,
        ),
        lambda session: consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key="entretiens",
            held_on="2026-03-10",
            format="atelier",
            stakeholder_ids=[maire],
            summary="bip\u0007",
            actor=CHEF,
            clock=clock,
        ),
    ]
    for attempt in attempts:
        with db.transaction() as session, pytest.raises(InvalidInput) as refused:
            attempt(session)
        assert "text.control_character" in [refused.value.code, *(r.code for r in refused.value.reasons)]
    with db.reading() as session:
        assert [row.name for row in register_service.list_stakeholders(session, engagement_id)].count(
            bad
        ) == 0


def test_the_register_lists_names_in_french_order(db, clock, register) -> None:
    """Databases sort bytes (« Zoé » before « Étudiante »); a French reader expects the É among the E."""
    register.load()
    with db.transaction() as session:
        for key, name in (("zoe", "Zoé Martin"), ("etudiante", "Étudiante du lycée"), ("eric", "eric")):
            register_service.add_stakeholder(
                session,
                engagement_id=register.engagement_id,
                actor=CHEF,
                clock=clock,
                data=StakeholderData(key, name, "personne", "habitant_usager", 2, 2),
            )
    with db.reading() as session:
        names = [row.name for row in register_service.list_stakeholders(session, register.engagement_id)]
        exported = reports.export(
            session, engagement_id=register.engagement_id, fmt="csv", actor=CHEF, clock=clock
        )
    ours = [name for name in names if name in {"Zoé Martin", "Étudiante du lycée", "eric"}]
    assert ours == ["eric", "Étudiante du lycée", "Zoé Martin"]
    text = exported.content.decode("utf-8-sig")
    assert text.index("Étudiante du lycée") < text.index("Zoé Martin")
