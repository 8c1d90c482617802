"""What the background work produces, over HTTP: in-app notifications, deliverables (listed, downloaded,
rebuilt on demand) and ICS calendars."""

from __future__ import annotations

from datetime import timedelta

from gouvernance.access.service import create_token
from gouvernance.notifications.reminders import sweep


def test_my_notifications_list_and_mark_read(client, make_team, db, clock) -> None:
    team = make_team("mini")
    consultant = team["consultant"]
    clock.advance(timedelta(days=4, hours=12))  # the first step is due in less than a day
    with db.transaction() as session:
        sweep(session, now=clock.now())
    mine = client.get("/me/notifications?unread=true", headers=consultant.headers).json()
    reminder = next(n for n in mine if n["engagement_id"] == team.engagement_id and n["kind"] == "reminder")
    assert reminder["subject"].startswith("Rappel : « Un »")
    assert (
        client.post(f"/me/notifications/{reminder['id']}/read", headers=consultant.headers).status_code == 204
    )
    unread = client.get("/me/notifications?unread=true", headers=consultant.headers).json()
    assert reminder["id"] not in [n["id"] for n in unread]
    other = team["elu"].headers
    assert client.post(f"/me/notifications/{reminder['id']}/read", headers=other).status_code == 404


def test_deliverables_are_rebuilt_listed_and_downloaded(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/deliverables"
    assert client.post(base, json={}, headers=team["agent"].headers).status_code == 403
    built = client.post(base, json={"keys": ["note"]}, headers=team["chef_de_projet"].headers)
    assert built.status_code == 201, built.text
    assert sorted(d["format"] for d in built.json()) == ["docx", "html", "pdf"]
    listed = client.get(base, headers=team["observateur"].headers).json()
    pdf = next(d for d in listed if d["format"] == "pdf")
    download = client.get(pdf["download"], headers=team["observateur"].headers)
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert download.headers["content-type"] == "application/pdf"


def test_calendars(client, make_team) -> None:
    team = make_team("mini")
    feed = client.get(f"/engagements/{team.engagement_id}/calendar.ics", headers=team["elu"].headers)
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    assert "Échéance : Un" in feed.text.replace("\r\n ", "")
    mine = client.get("/me/calendar.ics", headers=team["consultant"].headers).text.replace("\r\n ", "")
    assert "Échéance : Un" in mine  # the consultant is responsible for the first step
    chef = client.get("/me/calendar.ics", headers=team["chef_de_projet"].headers).text.replace("\r\n ", "")
    assert "Échéance : Un" not in chef


def test_a_calendar_application_subscribes_with_a_feed_token_in_the_url(
    client, make_team, directory, db, clock
) -> None:
    team = make_team("mini")
    consultant = team["consultant"]
    with db.transaction() as session:
        feed = create_token(session, consultant.login, clock=clock, feed=True)
        outsider = create_token(session, team["elu"].login, clock=clock, feed=True)
    assert feed.startswith("gc_")
    mine = client.get(f"/me/calendar.ics?jeton={feed}")  # no header: what a calendar application sends
    assert mine.status_code == 200
    assert "Échéance : Un" in mine.text.replace("\r\n ", "")
    engagement = client.get(f"/engagements/{team.engagement_id}/calendar.ics?jeton={feed}")
    assert engagement.status_code == 200
    assert "BEGIN:VCALENDAR" in engagement.text
    # Only the calendars: the feed token opens nothing else, in the URL or as a Bearer token.
    assert client.get("/me/tasks", headers={"Authorization": f"Bearer {feed}"}).status_code == 401
    refused = client.get(f"/engagements/{team.engagement_id}", headers={"Authorization": f"Bearer {feed}"})
    assert refused.json()["code"] == "auth.feed_token_not_bearer"
    # An API token never goes in a URL (it would end up in access logs).
    in_url = client.get(f"/me/calendar.ics?jeton={consultant.token}")
    assert (in_url.status_code, in_url.json()["code"]) == (401, "auth.feed_token_required")
    # The feed token carries its user's access: another engagement's calendar stays hidden.
    stranger = directory.person(directory.organisation("cabinet"), org_roles=("consultant",))
    with db.transaction() as session:
        foreign = create_token(session, stranger.login, clock=clock, feed=True)
    assert client.get(f"/engagements/{team.engagement_id}/calendar.ics?jeton={foreign}").status_code == 404
    assert client.get(f"/me/calendar.ics?jeton={outsider}").status_code == 200
    assert client.get("/me/calendar.ics?jeton=gc_inconnu").status_code == 401
