"""Every change of access is recorded, attributed and never edited: on an engagement, in its timeline and its
verifiable register; organisation-wide, among the organisation's events."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select, text

from gouvernance.access.admin import grant_role, invite, redeem, revoke_role
from gouvernance.access.journal import organisation_events
from gouvernance.access.records import AccessLinkRow, OrganisationEventRow
from gouvernance.access.service import add_user, token_digest
from gouvernance.audit.verify import verify
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.history.timeline import timeline
from gouvernance.privacy.accounts import delete_user

PASSWORD = "une phrase de passe assez longue"
BASE = "https://gouvernance.exemple.fr"


@pytest.fixture
def town(db, clock, mini_model, people):
    """An organisation, its admin, one of its agents and one of its engagements."""
    organisation = f"mairie-{uuid.uuid4().hex[:8]}"
    admin, agent = f"admin.{organisation}", f"agent.{organisation}"
    with db.transaction() as session:
        add_user(session, admin, organisation=organisation, clock=clock, org_admin=True)
        add_user(session, agent, organisation=organisation, clock=clock)
        engagement_id = launch(
            session,
            LaunchRequest(
                mini_model, Territory("Ingré", "commune"), date(2026, 3, 2), organisation_id=organisation
            ),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    return organisation, admin, agent, engagement_id


def _access_events(session, engagement_id: str) -> list[tuple[str, str, str | None, dict]]:
    rows, _ = timeline(session, engagement_id, types=("role_granted", "role_revoked", "invitation_sent"))
    return [(row.event, row.actor, row.actor_role, row.payload) for row in rows]


def _organisation_log(session, organisation: str) -> list[tuple[str, str, str, dict]]:
    return [(r.event, r.login, r.actor, r.payload) for r in organisation_events(session, organisation)]


def test_a_role_given_and_taken_back_on_an_engagement_shows_in_its_timeline_and_register(db, clock, town):
    organisation, admin, agent, engagement_id = town
    with db.transaction() as session:
        grant_role(session, by=admin, login=agent, role="elu", engagement_id=engagement_id, clock=clock)
        # Already held: nothing changes, nothing is recorded.
        grant_role(session, by=admin, login=agent, role="elu", engagement_id=engagement_id, clock=clock)
    with db.transaction() as session:
        revoke_role(session, by=admin, login=agent, role="elu", engagement_id=engagement_id, clock=clock)
    with db.reading() as session:
        assert _access_events(session, engagement_id) == [
            ("role_granted", admin, "administrateur", {"login": agent, "role": "elu"}),
            ("role_revoked", admin, "administrateur", {"login": agent, "role": "elu"}),
        ]
        assert verify(session, engagement_id).ok
        assert _organisation_log(session, organisation) == []


def test_organisation_wide_roles_are_organisation_events(db, clock, town):
    organisation, admin, agent, engagement_id = town
    with db.transaction() as session:
        grant_role(session, by=admin, login=agent, role="observateur", engagement_id=None, clock=clock)
    with db.transaction() as session:
        revoke_role(session, by=admin, login=agent, role="observateur", engagement_id=None, clock=clock)
    with db.reading() as session:
        assert _organisation_log(session, organisation) == [
            ("role_granted", agent, admin, {"login": agent, "role": "observateur"}),
            ("role_revoked", agent, admin, {"login": agent, "role": "observateur"}),
        ]
        assert [r.occurred_at for r in organisation_events(session, organisation)] == [clock.now()] * 2
        assert _access_events(session, engagement_id) == []


def test_a_refused_revocation_records_nothing(db, clock, town):
    organisation, admin, agent, engagement_id = town
    with pytest.raises(Exception, match="ne détient pas"), db.transaction() as session:
        revoke_role(session, by=admin, login=agent, role="elu", engagement_id=engagement_id, clock=clock)
    with db.reading() as session:
        assert _access_events(session, engagement_id) == []
        assert _organisation_log(session, organisation) == []


def test_invitations_sent_and_accepted_and_an_account_deleted(db, clock, town):
    organisation, admin, _, engagement_id = town
    on_engagement, organisation_wide = f"claire@{organisation}.fr", f"paul@{organisation}.fr"
    with db.transaction() as session:
        invite(
            session,
            by=admin,
            email=on_engagement,
            name=None,
            role="partenaire",
            engagement_id=engagement_id,
            clock=clock,
            base_url=BASE,
        )
        link = invite(
            session,
            by=admin,
            email=organisation_wide,
            name="Paul",
            role="agent",
            engagement_id=None,
            clock=clock,
            base_url=BASE,
        ).link
    with db.transaction() as session:
        redeem(session, link.rsplit("/", 1)[1], PASSWORD, now=clock.now())
    with db.transaction() as session:
        delete_user(session, organisation_wide, by=admin, clock=clock, organisation=organisation)
    with db.reading() as session:
        assert _access_events(session, engagement_id) == [
            ("role_granted", admin, "administrateur", {"login": on_engagement, "role": "partenaire"}),
            (
                "invitation_sent",
                admin,
                "administrateur",
                {"login": on_engagement, "role": "partenaire", "account_created": True},
            ),
        ]
        assert _organisation_log(session, organisation) == [
            ("role_granted", organisation_wide, admin, {"login": organisation_wide, "role": "agent"}),
            (
                "invitation_sent",
                organisation_wide,
                admin,
                {"login": organisation_wide, "role": "agent", "account_created": True},
            ),
            (
                "invitation_accepted",
                organisation_wide,
                organisation_wide,
                {"login": organisation_wide, "invited_by": admin},
            ),
            ("account_deleted", organisation_wide, admin, {"login": organisation_wide, "grants": 1}),
        ]
        assert verify(session, engagement_id).ok


def test_a_reset_link_used_is_not_an_invitation_accepted(db, clock, town):
    organisation, _, agent, _ = town
    with db.transaction() as session:
        token = "jeton-de-reinitialisation-" + uuid.uuid4().hex
        session.add(
            AccessLinkRow(
                login=agent,
                purpose="reset",
                token_sha256=token_digest(token),
                created_at=clock.now(),
                expires_at=clock.now().replace(year=2027),
            )
        )
    with db.transaction() as session:
        redeem(session, token, PASSWORD, now=clock.now())
    with db.reading() as session:
        assert _organisation_log(session, organisation) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE organisation_events SET actor = 'x'", "DELETE FROM organisation_events"]
)
def test_the_organisation_events_are_append_only(db, clock, town, statement):
    organisation, admin, agent, _ = town
    with db.transaction() as session:
        grant_role(session, by=admin, login=agent, role="elu", engagement_id=None, clock=clock)
    with pytest.raises(Exception, match="append-only"), db.transaction() as session:
        session.execute(text(f"{statement} WHERE organisation_key = :o"), {"o": organisation})
    with db.reading() as session:
        rows = session.scalars(
            select(OrganisationEventRow).where(OrganisationEventRow.organisation_key == organisation)
        ).all()
        assert [(r.event, r.actor) for r in rows] == [("role_granted", admin)]
