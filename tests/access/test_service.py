"""Access control in the domain: organisation-wide and per-engagement roles, visibility, tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gouvernance.access.service import (
    Grant,
    Principal,
    add_user,
    authenticate,
    create_token,
    grant,
    roles_for,
    visible_engagements,
)
from gouvernance.demo.server import DEMO_PEOPLE, prepare_server_demo
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.errors import Conflict


def test_roles_combine_organisation_wide_and_per_engagement_grants() -> None:
    principal = Principal(
        "karim", "cc", (Grant("agent", None), Grant("elu", "e1"), Grant("partenaire", "e2"))
    )
    assert principal.roles_on("e1", "cc") == {"agent", "elu"}
    assert principal.roles_on("e2", "ailleurs") == {"partenaire"}
    assert principal.roles_on("e3", "ailleurs") == frozenset()
    assert principal.roles_on("e4", None) == frozenset()  # an engagement nobody owns: grants only


def test_visibility_follows_the_roles(db, clock, mini_model, launch_engagement) -> None:
    ours, theirs = launch_engagement(mini_model), launch_engagement(mini_model)
    with db.transaction() as session:
        add_user(session, "vis.agent", organisation="vis-org", clock=clock)
        grant(session, "vis.agent", "agent", engagement_id=ours, clock=clock)
        principal = authenticate(session, create_token(session, "vis.agent", clock=clock))
        assert principal is not None
        visible = set(session.scalars(select(EngagementRow.id).where(visible_engagements(principal))))
        assert ours in visible
        assert theirs not in visible
        assert roles_for(principal, session.get(EngagementRow, ours)) == {"agent"}
        nobody = Principal("x", "vis-org", ())
        assert list(session.scalars(select(EngagementRow.id).where(visible_engagements(nobody)))) == []


def test_granting_twice_keeps_one_grant_and_a_login_stays_in_its_organisation(db, clock) -> None:
    with db.transaction() as session:
        add_user(session, "twice", organisation="org-twice", clock=clock)
        first = grant(session, "twice", "elu", clock=clock)
        assert grant(session, "twice", "elu", clock=clock).id == first.id
        with pytest.raises(Conflict):
            add_user(session, "twice", organisation="org-other", clock=clock, exist_ok=True)


def test_a_wrong_token_authenticates_nobody(db) -> None:
    with db.reading() as session:
        assert authenticate(session, "gv_nope") is None


def test_the_server_demo_gives_every_role_a_working_token_and_an_unwalked_engagement(
    db, clock, shipped_catalog
) -> None:
    first = prepare_server_demo(db, shipped_catalog, clock, territory="Démo de test")
    again = prepare_server_demo(db, shipped_catalog, clock, territory="Démo de test")
    assert again.engagement_id == first.engagement_id
    assert [t.role for t in first.tokens] == [role for role, _, _ in DEMO_PEOPLE]
    with db.reading() as session:
        for item in again.tokens:
            principal = authenticate(session, item.token)
            assert principal is not None
            assert item.role in principal.roles_on(first.engagement_id, None)
        engagement = session.get(EngagementRow, first.engagement_id)
        assert engagement is not None
        assert engagement.state == "active"
        # It starts on the day it is set up, so nobody opens the demo to find their first task overdue.
        assert engagement.start_date == clock.now().date()
        due = session.scalars(
            select(StepRow.due_at).where(StepRow.engagement_id == first.engagement_id)
        ).all()
        dated = [d for d in due if d is not None]
        assert dated
        assert all(d > clock.now() for d in dated)
