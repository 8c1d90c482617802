"""The organisation's people through the API: only its admins list, invite, grant and revoke; an invitation
opens the engagement to a person of another organisation, and a revocation closes it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gouvernance.access.records import AccessLinkRow
from gouvernance.access.service import create_token, set_org_admin
from gouvernance.api.app import create_app
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.settings import Settings
from tests.api.conftest import Directory, Person, launch


@pytest.fixture
def fresh_client(db: Database, clock: FrozenClock, api_catalog, tmp_path: Path) -> Iterator[TestClient]:
    """No principal cache: a revoked role takes effect on the very next request."""
    app = create_app(
        Settings(data_dir=tmp_path),
        database=db,
        clock=clock,
        blob_store=MemoryBlobStore(),
        catalog=api_catalog,
        auth_cache_seconds=0,
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def town_hall(directory: Directory, db: Database) -> tuple[Person, Person]:
    """A town hall's admin (also its project lead, organisation-wide) and a plain agent."""
    organisation = directory.organisation("mairie")
    admin = directory.person(organisation, org_roles=("chef_de_projet",))
    agent = directory.person(organisation, org_roles=("agent",))
    with db.transaction() as session:
        set_org_admin(session, admin.login)
    return admin, agent


def test_only_admins_manage_people(fresh_client: TestClient, town_hall, directory: Directory) -> None:
    admin, agent = town_hall
    engagement_id = launch(fresh_client, admin)
    for method, path, body in [
        ("GET", "/organisation/people", None),
        ("POST", "/organisation/invitations", {"email": "x@exemple.fr", "role": "partenaire"}),
        ("POST", f"/organisation/people/{agent.login}/grants", {"role": "elu"}),
        ("DELETE", f"/organisation/people/{agent.login}/grants/agent", None),
    ]:
        refused = fresh_client.request(method, path, json=body, headers=agent.headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "organisation.admin_required"
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "administrateurs" in refused.json()["title"] + refused.json().get("detail", "")
    assert fresh_client.get("/organisation/people").status_code == 401
    listed = fresh_client.get("/organisation/people", headers=admin.headers).json()
    assert {p["login"] for p in listed} >= {admin.login, agent.login}
    assert engagement_id


def test_invite_grant_and_revoke_on_an_engagement(
    fresh_client: TestClient, town_hall, directory: Directory, db: Database, clock: FrozenClock
) -> None:
    admin, _ = town_hall
    engagement_id = launch(fresh_client, admin)
    invited = fresh_client.post(
        "/organisation/invitations",
        json={
            "email": "Claire.Partenaire@Asso.fr",
            "name": "Claire",
            "role": "partenaire",
            "engagement_id": engagement_id,
        },
        headers=admin.headers,
    )
    assert invited.status_code == 201, invited.text
    login = invited.json()["login"]
    assert (login, invited.json()["created"]) == ("claire.partenaire@asso.fr", True)
    with db.transaction() as session:
        token = create_token(session, login, clock=clock)
        link = session.query(AccessLinkRow).filter_by(login=login).one()
        assert link.purpose == "invitation"
        assert link.used_at is None
        assert len(link.token_sha256) == 64
    partner = Person(login, "?", token)
    assert fresh_client.get(f"/engagements/{engagement_id}", headers=partner.headers).status_code == 200
    people = {p["login"]: p for p in fresh_client.get("/organisation/people", headers=admin.headers).json()}
    assert people[login]["grants"] == [
        {"role": "partenaire", "engagement_id": engagement_id, "territory": "Saint-Jean-de-Braye"}
    ]

    revoked = fresh_client.delete(
        f"/organisation/people/{login}/grants/partenaire",
        params={"engagement_id": engagement_id},
        headers=admin.headers,
    )
    assert revoked.status_code == 204, revoked.text
    gone = fresh_client.get(f"/engagements/{engagement_id}", headers=partner.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "engagement.not_found")
    again = fresh_client.delete(
        f"/organisation/people/{login}/grants/partenaire",
        params={"engagement_id": engagement_id},
        headers=admin.headers,
    )
    assert (again.status_code, again.json()["code"]) == (404, "grant.not_found")


def test_an_admin_grants_only_within_their_organisation(
    fresh_client: TestClient, town_hall, directory: Directory
) -> None:
    admin, agent = town_hall
    outsider = directory.person(directory.organisation("cabinet"), org_roles=("consultant",))
    foreign_engagement = launch(fresh_client, outsider)
    on_foreign = fresh_client.post(
        f"/organisation/people/{agent.login}/grants",
        json={"role": "elu", "engagement_id": foreign_engagement},
        headers=admin.headers,
    )
    assert (on_foreign.status_code, on_foreign.json()["code"]) == (404, "engagement.not_found")
    organisation_wide = fresh_client.post(
        f"/organisation/people/{outsider.login}/grants", json={"role": "elu"}, headers=admin.headers
    )
    assert (organisation_wide.status_code, organisation_wide.json()["code"]) == (
        403,
        "grant.other_organisation",
    )
    granted = fresh_client.post(
        f"/organisation/people/{agent.login}/grants", json={"role": "elu"}, headers=admin.headers
    )
    assert granted.status_code == 201, granted.text
    bad_role = fresh_client.post(
        f"/organisation/people/{agent.login}/grants", json={"role": "roi"}, headers=admin.headers
    )
    assert (bad_role.status_code, bad_role.json()["code"]) == (422, "grant.role")
    bad_email = fresh_client.post(
        "/organisation/invitations", json={"email": "pas-une-adresse", "role": "elu"}, headers=admin.headers
    )
    assert (bad_email.status_code, bad_email.json()["code"]) == (422, "invitation.email")


def test_role_changes_show_in_the_timeline_and_the_organisations_access_events(
    fresh_client: TestClient, town_hall, directory: Directory
) -> None:
    admin, agent = town_hall
    engagement_id = launch(fresh_client, admin)
    grants = f"/organisation/people/{agent.login}/grants"
    on_engagement = {"role": "elu", "engagement_id": engagement_id}
    assert fresh_client.post(grants, json=on_engagement, headers=admin.headers).status_code == 201
    assert fresh_client.post(grants, json={"role": "observateur"}, headers=admin.headers).status_code == 201
    revoked = fresh_client.delete(f"{grants}/observateur", headers=admin.headers)
    assert revoked.status_code == 204

    timeline = fresh_client.get(
        f"/engagements/{engagement_id}/timeline", params={"type": "role_granted"}, headers=admin.headers
    ).json()["items"]
    assert [(e["label"], e["actor"], e["payload"]) for e in timeline] == [
        ("Rôle accordé", admin.login, {"login": agent.login, "role": "elu"})
    ]
    events = fresh_client.get("/organisation/events", headers=admin.headers)
    assert events.status_code == 200, events.text
    assert [(e["event"], e["login"], e["actor"], e["payload"]["role"]) for e in events.json()][-2:] == [
        ("role_granted", agent.login, admin.login, "observateur"),
        ("role_revoked", agent.login, admin.login, "observateur"),
    ]
    assert (
        len(fresh_client.get("/organisation/events", params={"limit": 1}, headers=admin.headers).json()) == 1
    )
    refused = fresh_client.get("/organisation/events", headers=agent.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "organisation.admin_required")
