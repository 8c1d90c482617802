"""The parties of the convention as a chef de projet enters them: every problem reported at once, one name
per party, the collectivité first, a stakeholder of the register linked (and unlinked when it leaves the
register), changes from a stale read refused, and every change in the event log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.history.records import EventRow
from gouvernance.partnership.service import (
    PartyData,
    PartyKind,
    add_party,
    delete_party,
    parties,
    update_party,
)
from gouvernance.stakeholders.records import StakeholderData
from gouvernance.stakeholders.register_service import add_stakeholder, delete_stakeholder
from gouvernance.stakeholders.vocabulary import Category, StakeholderKind

CHEF = ActorRef.of("julien", "chef_de_projet")
ASSOCIATION = PartyData(
    name="Centre social La Passerelle",
    kind=PartyKind.ASSOCIATION,
    representative="Olivier Caron",
    representative_title="Directeur",
    contributions=("Animation de six ateliers",),
    commitments=("Remettre un bilan annuel",),
    valuation_eur=Decimal("7200"),
)
COMMUNE = PartyData(
    name="Commune de Saint-Jean-de-Braye", kind=PartyKind.COLLECTIVITE, representative="Le maire"
)


def _add(db, clock, engagement_id, data):
    with db.transaction() as session:
        return add_party(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock).id


def test_every_problem_of_a_party_is_reported_at_once(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    bad = PartyData(
        name="  ",
        kind=PartyKind.ENTREPRISE,
        representative="Paul\u0000",
        siret="123",
        contributions=("",),
        commitments=tuple("x" for _ in range(51)),
        valuation_eur=Decimal(-1),
        stakeholder_id=999_999,
    )
    with pytest.raises(InvalidInput) as refused:
        _add(db, clock, engagement_id, bad)
    assert {(reason.path, reason.code) for reason in refused.value.reasons} == {
        ("name", "text.required"),
        ("representative", "text.control_character"),
        ("siret", "convention.bad_siret"),
        ("contributions[0]", "text.required"),
        ("commitments", "list.too_long"),
        ("valuation_eur", "amount.out_of_range"),
        ("stakeholder_id", "convention.unknown_stakeholder"),
    }
    with db.reading() as session:
        assert parties(session, engagement_id) == []


def test_parties_are_listed_collectivite_first_and_named_once(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    _add(db, clock, engagement_id, ASSOCIATION)
    _add(db, clock, engagement_id, COMMUNE)
    with pytest.raises(Conflict) as taken:
        _add(db, clock, engagement_id, ASSOCIATION)
    assert taken.value.message.fr == "« Centre social La Passerelle » est déjà partie à la convention"
    with db.reading() as session:
        assert [row.name for row in parties(session, engagement_id)] == [COMMUNE.name, ASSOCIATION.name]


def test_a_party_is_changed_from_a_fresh_read_only_then_removed(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    party_id = _add(db, clock, engagement_id, ASSOCIATION)
    with db.transaction() as session:
        row = update_party(
            session,
            engagement_id=engagement_id,
            party_id=party_id,
            changes={"representative": "Inès Caron", "commitments": ("Deux bilans par an",)},
            actor=CHEF,
            clock=clock,
            expected_version=1,
        )
        assert (row.representative, row.commitments, row.version) == ("Inès Caron", ["Deux bilans par an"], 2)
    with pytest.raises(Conflict), db.transaction() as session:
        update_party(
            session, engagement_id=engagement_id, party_id=party_id, changes={"siret": "12345678900011"},
            actor=CHEF, clock=clock, expected_version=1,
        )  # fmt: skip
    with pytest.raises(InvalidInput) as unknown, db.transaction() as session:
        update_party(
            session, engagement_id=engagement_id, party_id=party_id, changes={"couleur": "bleu"},
            actor=CHEF, clock=clock,
        )  # fmt: skip
    assert unknown.value.code == "record.unknown_field"
    with db.transaction() as session:
        delete_party(session, engagement_id=engagement_id, party_id=party_id, actor=CHEF, clock=clock)
    with pytest.raises(NotFound), db.transaction() as session:
        delete_party(session, engagement_id=engagement_id, party_id=party_id, actor=CHEF, clock=clock)
    with db.reading() as session:
        events = [
            e
            for (e,) in session.query(EventRow.event)
            .filter(EventRow.engagement_id == engagement_id)
            .order_by(EventRow.id)
        ]
    assert [e for e in events if e.startswith("convention_")] == [
        "convention_party_added",
        "convention_party_updated",
        "convention_party_removed",
    ]


def test_a_party_of_another_engagement_is_not_found(db, clock, mini_model, launch_engagement) -> None:
    mine, theirs = launch_engagement(mini_model), launch_engagement(mini_model)
    party_id = _add(db, clock, theirs, ASSOCIATION)
    with pytest.raises(NotFound), db.transaction() as session:
        update_party(session, engagement_id=mine, party_id=party_id, changes={}, actor=CHEF, clock=clock)


def test_the_link_to_the_register_goes_when_the_stakeholder_does(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    with db.transaction() as session:
        stakeholder = add_stakeholder(
            session,
            engagement_id=engagement_id,
            data=StakeholderData(
                "passerelle", "La Passerelle", StakeholderKind.organisation, Category.association, 3, 5
            ),
            actor=CHEF,
            clock=clock,
        )
        stakeholder_id = stakeholder.id
    party_id = _add(
        db, clock, engagement_id, PartyData(**{**ASSOCIATION.__dict__, "stakeholder_id": stakeholder_id})
    )
    with db.transaction() as session:
        delete_stakeholder(
            session, engagement_id=engagement_id, stakeholder_id=stakeholder_id, actor=CHEF, clock=clock
        )
    with db.reading() as session:
        [row] = parties(session, engagement_id)
    assert (row.id, row.stakeholder_id) == (party_id, None)
