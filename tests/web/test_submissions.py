"""A write form sent twice (a double click, a browser re-posting after a slow answer, « renvoyer le
formulaire ») writes once and answers the same both times; the same form rendered anew (a new submission id)
writes again. Through the real application: a TestClient signed in on the web pages, and two requests at
once against the served application."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gouvernance.access.records import AccessLinkRow
from gouvernance.access.service import set_org_admin
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow
from gouvernance.evidence.records import EvidenceRow
from gouvernance.history.records import EventRow
from gouvernance.stakeholders.tables import ConsultationRow
from tests.api.conftest import Directory, Person, launch
from tests.web.conftest import PASSWORD
from tests.web.test_pages_in_browser import STEP
from tests.web.test_portfolio_queries import sign_in
from tests.web.test_stakeholders_page import GOOD


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` (a path ending), as the page rendered them."""
    found = re.search(rf'<form method="post" action="[^"]*{re.escape(action)}"(.*?)</form>', page, re.S)
    assert found, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(1)))


def count(db: Database, row: type, *conditions: Any) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(row).where(*conditions))


def events(db: Database, engagement_id: str, event: str) -> int:
    return count(
        db,
        EventRow,
        EventRow.engagement_id == engagement_id,
        EventRow.step_key == STEP,
        EventRow.event == event,
    )


def test_a_step_form_sent_twice_advances_once_and_answers_the_same(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    sign_in(client, with_password(team["consultant"]))
    page = f"/accompagnements/{team.engagement_id}"
    fields = form_fields(client.get(page).text, f"/etapes/{STEP}")
    assert fields["soumission"]
    sent = {**fields, "evenement": "start", "commentaire": "On commence"}

    first = client.post(f"{page}/etapes/{STEP}", data=sent, follow_redirects=False)
    again = client.post(f"{page}/etapes/{STEP}", data=sent, follow_redirects=False)

    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert events(db, team.engagement_id, "start") == 1
    shown = client.get(again.headers["location"])
    assert "Conflit" not in shown.text
    assert "en cours" in shown.text

    # The same stale form rendered anew (another id) is a new action: the door reports the conflict.
    other = client.post(
        f"{page}/etapes/{STEP}", data={**sent, "soumission": "un-autre-envoi"}, follow_redirects=False
    )
    assert other.status_code == 409
    assert "Conflit" in other.text
    assert events(db, team.engagement_id, "start") == 1


def test_the_page_gives_each_step_form_a_new_submission_id(
    client: TestClient, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    sign_in(client, with_password(team["consultant"]))
    page = f"/accompagnements/{team.engagement_id}"
    first = form_fields(client.get(page).text, f"/etapes/{STEP}")["soumission"]
    second = form_fields(client.get(page).text, f"/etapes/{STEP}")["soumission"]
    assert first != second


def consultations(db: Database, engagement_id: str) -> int:
    return count(db, ConsultationRow, ConsultationRow.engagement_id == engagement_id)


def test_an_import_and_a_consultation_sent_twice_are_recorded_once(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("mini")
    sign_in(client, with_password(team["chef_de_projet"]))
    url = f"/accompagnements/{team.engagement_id}/parties-prenantes"
    page = client.get(url).text
    upload = form_fields(page, "/import")
    imports = [
        client.post(
            f"{url}/import", data=upload, files={"fichier": ("pp.csv", GOOD.encode())}, follow_redirects=False
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in imports] == [303, 303]
    assert imports[0].headers["location"] == imports[1].headers["location"]
    assert "ajoutees=3&mises_a_jour=0" in imports[1].headers["location"]  # not « 3 updated » the second time

    page = client.get(url).text
    participant = re.search(r'name="participants" value="(\d+)"', page)
    assert participant
    consultation = {
        **form_fields(page, "/consultations"),
        "date": "2026-03-10",
        "methode": "atelier",
        "etape": "a2",
        "participants": participant.group(1),
        "resume": "Atelier sur le parc",
        "resultat": "Points d'accord consignés",
    }
    answers = [
        client.post(f"{url}/consultations", data=consultation, follow_redirects=False) for _ in range(2)
    ]
    assert [r.status_code for r in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert consultations(db, team.engagement_id) == 1
    assert "La consultation a été enregistrée." in client.get(answers[1].headers["location"]).text

    anew = {**consultation, "soumission": form_fields(client.get(url).text, "/consultations")["soumission"]}
    assert client.post(f"{url}/consultations", data=anew, follow_redirects=False).status_code == 303
    assert consultations(db, team.engagement_id) == 2


def test_evidence_sent_twice_is_attached_once(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    sign_in(client, with_password(team["consultant"]))
    page = f"/accompagnements/{team.engagement_id}"
    start = {**form_fields(client.get(page).text, f"/etapes/{STEP}"), "evenement": "start"}
    assert client.post(f"{page}/etapes/{STEP}", data=start, follow_redirects=False).status_code == 303
    piece = {
        **form_fields(client.get(page).text, f"/etapes/{STEP}/pieces"),
        "libelle": "compte rendu de cadrage",
        "lien": "https://example.org/compte-rendu",
    }
    for _ in range(2):
        answer = client.post(f"{page}/etapes/{STEP}/pieces", data=piece, follow_redirects=False)
        assert answer.status_code == 303
    assert count(db, EvidenceRow, EvidenceRow.engagement_id == team.engagement_id) == 1


def test_a_launch_sent_twice_launches_one_engagement(
    client: TestClient, db: Database, consultant, with_password
) -> None:
    sign_in(client, with_password(consultant))
    page = client.get("/accompagnements/nouveau?modele=mini").text
    territory = f"Saint-Jean-le-Doublon {uuid.uuid4().hex[:8]}"
    launch = {
        **form_fields(page, "/accompagnements/nouveau"),
        "territoire_nom": territory,
        "territoire_type": "commune",
        "territoire_code": "45286",
        "date_debut": "2026-03-02",
    }
    answers = [client.post("/accompagnements/nouveau", data=launch, follow_redirects=False) for _ in range(2)]
    assert [r.status_code for r in answers] == [303, 303], answers[0].text
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert count(db, EngagementRow, EngagementRow.territory_name == territory) == 1


def test_the_same_form_sent_twice_at_once_advances_once(
    live_url: str, db: Database, make_team, with_password
) -> None:
    """Both requests under way together (a double click that reaches the server twice): the second waits for
    the first's answer and gets it, rather than racing it to a stale-version conflict."""
    team = make_team("gouvernance-partagee")
    consultant = with_password(team["consultant"])
    with httpx.Client(base_url=live_url) as browser:
        signed_in(browser, consultant)
        page = f"/accompagnements/{team.engagement_id}"
        sent = {**form_fields(browser.get(page).text, f"/etapes/{STEP}"), "evenement": "start"}
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda _: browser.post(f"{page}/etapes/{STEP}", data=sent), range(2)))
    # The second waits up to api.writes.WAIT_SECONDS for the first; on a loaded machine the first can take
    # longer, and the second then says the form is being sent rather than racing it.
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([303, 303], [303, 409]), [a.text[:300] for a in answers]
    redirected = [a for a in answers if a.status_code == 303]
    assert len({a.headers["location"] for a in redirected}) == 1
    for waiting in (a for a in answers if a.status_code == 409):
        assert "Ce formulaire est déjà en cours" in waiting.text
    assert events(db, team.engagement_id, "start") == 1


def signed_in(browser: httpx.Client, person: Person) -> None:
    token = re.search(r'name="jeton_formulaire" value="([^"]+)"', browser.get("/connexion").text)
    assert token
    answer = browser.post(
        "/connexion",
        data={"identifiant": person.login, "mot_de_passe": PASSWORD, "jeton_formulaire": token.group(1)},
    )
    assert answer.status_code == 303


def test_an_invitation_sent_twice_sends_one_link(
    client: TestClient, db: Database, directory: Directory, with_password
) -> None:
    admin = with_password(directory.person(directory.organisation("mairie"), org_roles=("chef_de_projet",)))
    with db.transaction() as session:
        set_org_admin(session, admin.login)
    engagement_id = launch(client, admin)
    sign_in(client, admin)
    address = f"partenaire.{uuid.uuid4().hex[:8]}@asso.fr"
    invitation = {
        **form_fields(client.get("/administration").text, "/administration/invitations"),
        "courriel": address,
        "role": "partenaire",
        "accompagnement": engagement_id,
    }
    answers = [
        client.post("/administration/invitations", data=invitation, follow_redirects=False) for _ in range(2)
    ]
    assert [r.status_code for r in answers] == [303, 303], answers[0].text
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert count(db, AccessLinkRow, AccessLinkRow.login == address) == 1
