"""The « Notifications » and « Préférences » pages: a person sees a notification made by the event consumer,
marks it read and follows it to its step; preferences typed in the form are what the domain and the API
then read; forged posts and visitors without a session are refused; the notifications page reads a constant
number of SQL statements whatever the number of notifications. Pages are checked with axe-core (zero
violations) and photographed under the test's tmp folder."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.notifications.events import notify_events
from gouvernance.notifications.inbox import inbox
from gouvernance.notifications.preferences import Preferences, preferences_of
from tests.api.conftest import Person, launch
from tests.web.conftest import sign_in
from tests.web.test_pages_in_browser import accessible
from tests.web.test_portfolio_queries import counting
from tests.web.test_portfolio_queries import sign_in as sign_in_client

NBSP, NNBSP = "\u00a0", "\u202f"
NEW_STEP = "Nouvelle étape à mener : « Un » — Saint-Jean-de-Braye"
ROW = '<tr id="notification-'


def unread_subjects(db: Database, login: str) -> list[str]:
    with db.reading() as session:
        return [n.subject for _, n in inbox(session, login, unread_only=True)]


def form_token(page: Page) -> str:
    return page.locator("input[name=jeton_formulaire]").first.input_value()


def test_a_person_sees_a_notification_marks_it_read_and_follows_it_to_its_step(
    browser: Browser,
    live_url: str,
    make_team,
    with_password,
    db: Database,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    team = make_team("mini")  # a1, the consultant's step, has just become ready
    consultant = with_password(team["consultant"])
    clock.advance(timedelta(hours=5, minutes=7))  # 13:07 UTC, 14:07 in Paris in March
    notify_events(db, clock=clock)
    assert NEW_STEP in unread_subjects(db, consultant.login)

    page = sign_in(browser, live_url, consultant)
    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("link", name=NEW_STEP)).first
    expect(row).to_contain_text(f"2{NBSP}mars{NBSP}2026 à 14{NNBSP}h{NNBSP}07")
    expect(row).to_contain_text("Saint-Jean-de-Braye")
    expect(row).to_contain_text("Non lue")
    accessible(page, tmp_path, "notifications")

    row.get_by_role("button", name=re.compile("^Marquer comme lue")).click()
    expect(page.get_by_role("status")).to_contain_text("marquée comme lue")
    row = page.locator("tr", has=page.get_by_role("link", name=NEW_STEP)).first
    expect(row).to_contain_text("Lue")
    expect(row.get_by_role("button")).to_have_count(0)
    accessible(page, tmp_path, "notifications-lue")
    assert NEW_STEP not in unread_subjects(db, consultant.login)
    page.get_by_role("link", name="Voir seulement les notifications non lues").click()
    expect(page.get_by_role("link", name=NEW_STEP)).to_have_count(0)
    page.get_by_role("link", name="Voir toutes les notifications").click()

    row = page.locator("tr", has=page.get_by_role("link", name=NEW_STEP)).first
    row.get_by_role("link", name=NEW_STEP).click()
    expect(page).to_have_url(re.compile(rf"/accompagnements/{team.engagement_id}#etape-a1$"))
    expect(page.locator("#etape-a1")).to_contain_text("prête")


def test_a_person_cannot_mark_someone_elses_notification_read(
    browser: Browser, live_url: str, make_team, with_password, db: Database, clock: FrozenClock
) -> None:
    team = make_team("mini")
    notify_events(db, clock=clock)
    with db.reading() as session:
        [(delivery, _)] = [
            (d, n)
            for d, n in inbox(session, team["consultant"].login)
            if n.engagement_id == team.engagement_id
        ]
    page = sign_in(browser, live_url, with_password(team["elu"]))
    page.goto("/notifications")
    response = page.request.post(
        f"/notifications/{delivery.id}/lue", form={"jeton_formulaire": form_token(page)}
    )
    assert response.status == 404
    assert "Notification introuvable" in response.text()
    assert NEW_STEP in unread_subjects(db, team["consultant"].login)


def test_preferences_typed_in_the_form_are_saved_and_the_api_reads_them(
    browser: Browser,
    live_url: str,
    client: TestClient,
    consultant: Person,
    with_password,
    db: Database,
    tmp_path: Path,
) -> None:
    page = sign_in(browser, live_url, with_password(consultant))
    page.get_by_role("link", name="Préférences", exact=True).click()
    expect(page.get_by_role("heading", name="Préférences de notification")).to_be_visible()
    expect(page.get_by_label("Un courriel pour chaque notification")).to_be_checked()  # the defaults
    accessible(page, tmp_path, "preferences")

    page.get_by_label("Adresse électronique").fill("claire-at-cabinet.fr")
    page.get_by_label("Un courriel récapitulatif par jour").check()
    page.get_by_label("Langue des messages").select_option("en")
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("n'ont pas été enregistrées")
    expect(summary.get_by_role("link")).to_contain_text("adresse électronique invalide")
    email = page.get_by_label("Adresse électronique")
    expect(email).to_have_value("claire-at-cabinet.fr")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", "courriel-aide courriel-erreur")
    expect(page.locator("#courriel-erreur")).to_contain_text("« claire-at-cabinet.fr »")
    expect(page.get_by_label("Un courriel récapitulatif par jour")).to_be_checked()
    expect(page.get_by_label("Langue des messages")).to_have_value("en")
    accessible(page, tmp_path, "preferences-erreur")
    with db.reading() as session:
        assert preferences_of(session, consultant.login) == Preferences()  # nothing saved

    email.fill("claire@cabinet.fr")
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(page.get_by_role("status")).to_contain_text("enregistrées")
    expect(page.get_by_label("Adresse électronique")).to_have_value("claire@cabinet.fr")
    expect(page.get_by_label("Un courriel récapitulatif par jour")).to_be_checked()
    with db.reading() as session:
        saved = preferences_of(session, consultant.login)
    assert saved == Preferences(email="claire@cabinet.fr", language="en", delivery="daily_digest")
    assert client.get("/me/preferences", headers=consultant.headers).json() == {
        "email": "claire@cabinet.fr",
        "language": "en",
        "delivery": "daily_digest",
    }

    page.get_by_label("Adresse électronique").fill("")
    page.get_by_label(f"Aucun courriel{NBSP}: dans l'application seulement").check()
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(page.get_by_role("status")).to_contain_text("enregistrées")
    api = client.get("/me/preferences", headers=consultant.headers).json()
    assert (api["email"], api["delivery"]) == (None, "none")


def test_posts_without_the_form_token_are_refused(
    browser: Browser, live_url: str, make_team, with_password, db: Database, clock: FrozenClock
) -> None:
    team = make_team("mini")
    consultant = with_password(team["consultant"])
    notify_events(db, clock=clock)
    with db.reading() as session:
        delivery_id = next(
            d.id for d, n in inbox(session, consultant.login) if n.engagement_id == team.engagement_id
        )
    page = sign_in(browser, live_url, consultant)
    wanted: dict[str, str | float | bool] = {"courriel": "claire@cabinet.fr", "langue": "fr", "envoi": "none"}
    tokens: tuple[dict[str, str | float | bool], ...] = ({}, {"jeton_formulaire": "faux"})
    for token in tokens:
        refused = page.request.post("/preferences", form={**wanted, **token})
        assert refused.status == 403
        assert "jeton de formulaire" in refused.text()
        refused = page.request.post(f"/notifications/{delivery_id}/lue", form=token)
        assert refused.status == 403
    with db.reading() as session:
        assert preferences_of(session, consultant.login) == Preferences()
    assert NEW_STEP in unread_subjects(db, consultant.login)


def test_visitors_without_a_session_are_sent_to_sign_in(client: TestClient) -> None:
    for method, path in (
        ("GET", "/notifications"),
        ("GET", "/preferences"),
        ("POST", "/preferences"),
        ("POST", "/notifications/1/lue"),
    ):
        response = client.request(method, path, follow_redirects=False)
        assert (response.status_code, response.headers.get("location")) == (303, "/connexion"), path


def notifications_statements(client: TestClient, db: Database, expected_rows: int) -> int:
    client.get("/notifications")  # warm
    with counting(db) as statements:
        page = client.get("/notifications")
    assert page.status_code == 200
    assert page.text.count(ROW) == expected_rows
    return len(statements)


def test_notifications_statements_do_not_grow_and_older_ones_are_a_page_away(
    client: TestClient, db: Database, clock: FrozenClock, consultant: Person, with_password
) -> None:
    with_password(consultant)
    sign_in_client(client, consultant)
    for _ in range(3):
        launch(client, consultant, "mini")  # each one's first step is the consultant's: one notification
    notify_events(db, clock=clock)
    with_three = notifications_statements(client, db, 3)
    for _ in range(22):
        launch(client, consultant, "mini")
    notify_events(db, clock=clock)
    with_twenty = notifications_statements(client, db, 20)  # a page holds twenty
    assert with_three == with_twenty
    assert with_three <= 7  # two BEGINs; the session, person and grants; the inbox; the engagements' names

    first = client.get("/notifications").text
    older = re.search(r'href="(/notifications\?avant=\d+)">Notifications plus anciennes', first)
    assert older
    second = client.get(older.group(1)).text
    assert second.count(ROW) == 5
    assert "Notifications plus anciennes" not in second
    ids = [int(i) for i in re.findall(r'<tr id="notification-(\d+)"', first + second)]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 25
