"""The engagement page ends with its timeline: the latest events, newest first, each named in French (the same
names as the API's timeline), with the step, who acted in which role, and the comment."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.history.timeline import RECORD_LABELS, event_label
from gouvernance.lifecycle.machines import EVENT_LABELS
from gouvernance.web.engagement import RECENT_EVENTS
from tests.web.test_pages_in_browser import STEP
from tests.web.test_portfolio_queries import sign_in
from tests.web.test_submissions import form_fields


def _timeline_rows(page: str) -> list[str]:
    section = page.split('id="chronologie"', 1)[1]
    return re.findall(r"<tr>\s*<td>(.*?)</tr>", section, re.S)


def test_the_page_shows_the_latest_events_in_french_newest_first(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    sign_in(client, with_password(team["consultant"]))
    page = f"/accompagnements/{team.engagement_id}"
    fields = form_fields(client.get(page).text, f"/etapes/{STEP}")
    started = client.post(
        f"{page}/etapes/{STEP}",
        data={**fields, "evenement": "start", "commentaire": "Premier entretien fixé"},
        follow_redirects=False,
    )
    assert started.status_code == 303

    shown = client.get(page).text
    rows = _timeline_rows(shown)
    assert "Démarrer" in rows[0]  # the newest first
    assert "Premier entretien fixé" in rows[0]
    assert team["consultant"].login in rows[0]
    assert any("Lancement" in row for row in rows)  # the launch, further down
    assert "Tous les événements" in shown


def test_a_long_timeline_shows_its_latest_events_and_says_how_many_there_are(
    client: TestClient, db: Database, clock: FrozenClock, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    sign_in(client, with_password(team["consultant"]))
    with db.transaction() as session:
        for number in range(RECENT_EVENTS + 2):
            log_change(
                session,
                team.engagement_id,
                "finding_recorded",
                {"finding": number},
                ActorRef(team["consultant"].login, frozenset({"consultant"})),
                clock,
            )
    shown = client.get(f"/accompagnements/{team.engagement_id}").text
    rows = _timeline_rows(shown)
    assert len(rows) == RECENT_EVENTS
    assert all("Constat du diagnostic enregistré" in row for row in rows)
    assert re.search(rf"Les {RECENT_EVENTS} derniers événements sur \d+", shown)


def test_every_event_has_a_french_name_and_the_api_says_the_same() -> None:
    assert event_label("decision_recorded") == "Décision enregistrée"
    assert event_label("decision_recorded", "en") == "Decision recorded"
    assert event_label("endorse") == "Émettre un avis favorable"
    assert not set(RECORD_LABELS) & set(EVENT_LABELS)  # one name per event
    assert event_label("not_named_yet") == "not_named_yet"
