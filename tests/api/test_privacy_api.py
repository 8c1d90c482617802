"""RGPD over HTTP: the export for an organisation's admin, refused to others; a deleted account's token
answers 401."""

from __future__ import annotations

from gouvernance.access.service import set_org_admin


def test_an_admin_exports_a_person_of_their_organisation(client, directory, db) -> None:
    organisation = directory.organisation("collectivite")
    admin = directory.person(organisation)
    someone = directory.person(organisation, org_roles=("agent",))
    with db.transaction() as session:
        set_org_admin(session, admin.login)
    response = client.get(f"/privacy/persons/{someone.login}", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["compte"]["login"] == someone.login
    text = client.get(f"/privacy/persons/{someone.login}?format=markdown", headers=admin.headers)
    assert text.headers["content-type"].startswith("text/markdown")
    assert someone.login in text.text
    refused = client.get(f"/privacy/persons/{admin.login}", headers=someone.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_a_deleted_users_token_answers_401(client, directory, db) -> None:
    organisation = directory.organisation("collectivite")
    admin = directory.person(organisation)
    leaving = directory.person(organisation, org_roles=("agent",))
    with db.transaction() as session:
        set_org_admin(session, admin.login)
    assert client.get("/me", headers=leaving.headers).status_code == 200
    assert (
        client.delete(
            f"/organisations/{organisation}/users/{leaving.login}", headers=leaving.headers
        ).status_code
        == 403
    )
    deleted = client.delete(f"/organisations/{organisation}/users/{leaving.login}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    gone = client.get("/me", headers=leaving.headers)
    assert gone.status_code == 401
    assert gone.headers["content-type"].startswith("application/problem+json")
