"""`/me/preferences` and `/organisations/{key}/webhooks` over HTTP: what a caller sets is what their
notifications then do, only an organisation's admins manage its webhooks, and bad input is a 422 naming the
field, in French (English on request)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from gouvernance.access.service import set_org_admin
from gouvernance.notifications.channels import HttpWebhookSender, SmtpMailer
from gouvernance.notifications.dispatch import dispatch
from gouvernance.notifications.events import notify_events
from tests.api.conftest import Person
from tests.notifications.conftest import Inbox, free_port

PROBLEM = "application/problem+json"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def admin(db, directory, consultant) -> Person:
    """An admin of the consultant's organisation."""
    person = directory.person(consultant.organisation)
    with db.transaction() as session:
        set_org_admin(session, person.login)
    return person


def _reason(response, path: str) -> dict[str, object]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    [reason] = [r for r in response.json()["reasons"] if r.get("path") == path]
    return reason


# --- preferences ----------------------------------------------------------------------------------------


def test_preferences_start_with_the_defaults_and_are_replaced(client, consultant) -> None:
    me = consultant.headers
    assert client.get("/me/preferences", headers=me).json() == {
        "email": None,
        "language": "fr",
        "delivery": "immediate",
    }
    wanted = {"email": "claire@cabinet.fr", "language": "en", "delivery": "daily_digest"}
    saved = client.put("/me/preferences", json=wanted, headers=me)
    assert (saved.status_code, saved.json()) == (200, wanted)
    assert client.get("/me/preferences", headers=me).json() == wanted
    assert client.get("/me/preferences").status_code == 401


def test_an_address_set_through_the_api_receives_the_notifications(
    db, clock, client, make_team, smtp
) -> None:
    inbox, port = smtp
    team = make_team()  # a1, the consultant's step, has just become ready: the notification is not made yet
    me = team["consultant"].headers
    response = client.put("/me/preferences", json={"email": "claire@cabinet.fr"}, headers=me)
    assert response.status_code == 200, response.text
    notify_events(db, clock=clock)
    dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    [message] = inbox.to("claire@cabinet.fr")
    assert message["Subject"] == "Nouvelle étape à mener : « Un » — Saint-Jean-de-Braye"
    assert "Nouvelle étape à mener" in client.get("/me/notifications", headers=me).json()[0]["subject"]


def test_in_app_only_sends_no_e_mail(db, clock, client, make_team, smtp) -> None:
    inbox, port = smtp
    team = make_team()
    me = team["consultant"].headers
    body = {"email": "claire.discrete@cabinet.fr", "delivery": "none"}
    assert client.put("/me/preferences", json=body, headers=me).status_code == 200
    notify_events(db, clock=clock)
    dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    assert not inbox.to("claire.discrete@cabinet.fr")
    subjects = [n["subject"] for n in client.get("/me/notifications", headers=me).json()]
    assert any("Nouvelle étape à mener : « Un »" in subject for subject in subjects)


def test_a_malformed_address_is_a_422_naming_the_field_in_french_or_english(client, consultant) -> None:
    body = {"email": "claire-at-cabinet.fr"}
    french = client.put("/me/preferences", json=body, headers=consultant.headers)
    assert "adresse électronique invalide « claire-at-cabinet.fr »" in str(
        _reason(french, "email")["message"]
    )
    assert french.json()["code"] == "preferences.invalid"
    english = client.put(
        "/me/preferences", json=body, headers={**consultant.headers, "Accept-Language": "en"}
    )
    assert "invalid e-mail address" in str(_reason(english, "email")["message"])
    assert client.get("/me/preferences", headers=consultant.headers).json()["email"] is None


def test_an_unknown_delivery_mode_is_a_422_naming_the_field(client, consultant) -> None:
    response = client.put(
        "/me/preferences", json={"email": None, "delivery": "pigeon"}, headers=consultant.headers
    )
    assert str(_reason(response, "delivery")["message"]).startswith("valeur non prévue")


# --- webhooks -------------------------------------------------------------------------------------------


def test_an_admin_adds_lists_and_removes_a_webhook(client, admin) -> None:
    path = f"/organisations/{admin.organisation}/webhooks"
    body = {"url": "https://hooks.cabinet.fr/gouvernance", "events": ["step.submit"]}
    created = client.post(path, json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    webhook = created.json()
    assert len(webhook["secret"]) >= 40
    assert (webhook["url"], webhook["events"], webhook["organisation"]) == (
        body["url"],
        ["step.submit"],
        admin.organisation,
    )
    listed = client.get(path, headers=admin.headers)
    assert [w["id"] for w in listed.json()] == [webhook["id"]]
    assert webhook["secret"] not in listed.text, "the secret is shown once"
    assert client.delete(f"{path}/{webhook['id']}", headers=admin.headers).status_code == 204
    gone = client.delete(f"{path}/{webhook['id']}", headers=admin.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "webhook.not_found")
    assert client.get(path, headers=admin.headers).json() == []


def test_a_non_admin_gets_403(db, client, admin, consultant, directory) -> None:
    path = f"/organisations/{admin.organisation}/webhooks"
    foreign_admin = directory.person(directory.organisation("ailleurs"))
    with db.transaction() as session:
        set_org_admin(session, foreign_admin.login)  # of their own organisation only
    body = {"url": "https://hooks.cabinet.fr/gouvernance"}
    for intruder in (consultant, foreign_admin):  # a member who is not an admin; someone else's organisation
        refused = client.post(path, json=body, headers=intruder.headers)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["code"] == "organisation.admin_required"
        assert "Action réservée aux administrateurs de l'organisation" in refused.json()["detail"]
        assert client.get(path, headers=intruder.headers).status_code == 403
    webhook_id = client.post(path, json=body, headers=admin.headers).json()["id"]
    assert client.delete(f"{path}/{webhook_id}", headers=consultant.headers).status_code == 403
    assert [w["id"] for w in client.get(path, headers=admin.headers).json()] == [webhook_id]
    assert client.post(path, json=body).status_code == 401


def test_a_url_that_is_not_http_is_a_422_naming_the_field(client, admin) -> None:
    path = f"/organisations/{admin.organisation}/webhooks"
    body = {"url": "ftp://hooks.cabinet.fr/gouvernance"}
    french = client.post(path, json=body, headers=admin.headers)
    assert "attendu une URL http:// ou https://" in str(_reason(french, "url")["message"])
    english = client.post(path, json=body, headers={**admin.headers, "Accept-Language": "en"})
    assert "expected an http:// or https:// URL" in str(_reason(english, "url")["message"])
    unknown = client.post(
        path, json={**body, "url": "https://h.fr", "events": ["step.sumbit"]}, headers=admin.headers
    )
    assert "step.sumbit" in str(_reason(unknown, "events")["message"])
    assert client.get(path, headers=admin.headers).json() == []
