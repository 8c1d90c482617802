"""The public record over HTTP: the leads open it, anyone reads it without a token, the Atom feeds read
as a feed reader reads them (feedparser), the open-data package downloads, and closing it answers 404
again."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from urllib.parse import urlsplit

import feedparser

from gouvernance.access.service import ensure_organisation
from tests.api.conftest import launch
from tests.publication.helpers import FORMULA_TITLE, PRIVATE_DECISION, PRIVATE_INDICATOR, seed_record


def _published_team(client, db, clock, directory, organisation: str | None = None):
    organisation = organisation or directory.organisation("cc")
    with db.transaction() as session:
        ensure_organisation(session, organisation, name="Communauté de communes du Val Fleuri", clock=clock)
    lead = directory.person(organisation, org_roles=("chef_de_projet",))
    engagement_id = launch(client, lead, "gouvernance-partagee")
    with db.transaction() as session:
        seed_record(session, engagement_id, clock, public=False)
    return lead, engagement_id, organisation


def test_leads_open_the_record_and_anyone_reads_it(client, db, clock, directory) -> None:
    lead, engagement_id, organisation = _published_team(client, db, clock, directory)
    assert client.get(f"/public/engagements/{engagement_id}").status_code == 404
    agent = directory.person(organisation, on={engagement_id: ("agent",)})
    refused = client.put(f"/engagements/{engagement_id}/public", json={"public": True}, headers=agent.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "access.role_required")

    opened = client.put(f"/engagements/{engagement_id}/public", json={"public": True}, headers=lead.headers)
    assert opened.status_code == 200, opened.text
    assert opened.json()["public"] is True
    assert client.get(f"/engagements/{engagement_id}/public", headers=agent.headers).json()["public"] is True

    listed = client.get("/public/engagements", params={"organisation": organisation}).json()
    assert [e["id"] for e in listed] == [engagement_id]
    record = client.get(f"/public/engagements/{engagement_id}").json()
    assert record["territory"]["name"] == "Saint-Jean-de-Braye"
    assert record["organisation"] == "Communauté de communes du Val Fleuri"
    assert record["stages"][0]["steps"]
    assert "percent_done" in record
    assert [d["numero"] for d in record["decisions"]] == ["2026-014", "2026-015"]
    [indicator] = record["indicators"]
    assert indicator["indicateur"] == "participants"
    assert indicator["statut"] in {"en bonne voie", "à risque"}
    assert [m["valeur"] for m in indicator["mesures"]] == [12, 15]
    decisions = client.get(f"/public/engagements/{engagement_id}/decisions").json()
    assert PRIVATE_DECISION not in str(decisions)
    indicators = client.get(f"/public/engagements/{engagement_id}/indicators").json()
    assert PRIVATE_INDICATOR not in str(indicators)

    closed = client.put(f"/engagements/{engagement_id}/public", json={"public": False}, headers=lead.headers)
    assert closed.json()["public"] is False
    gone = client.get(f"/public/engagements/{engagement_id}")
    assert (gone.status_code, gone.json()["code"]) == (404, "engagement.not_found")
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert "introuvable" in gone.json()["detail"]


def test_the_atom_feeds_read_in_a_feed_reader(client, db, clock, directory) -> None:
    lead, engagement_id, organisation = _published_team(client, db, clock, directory)
    client.put(f"/engagements/{engagement_id}/public", json={"public": True}, headers=lead.headers)

    response = client.get(f"/public/engagements/{engagement_id}/decisions.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Décisions publiques — Saint-Jean-de-Braye"
    assert feed.feed.language == "fr"
    assert [e.title for e in feed.entries] == [
        f"{FORMULA_TITLE} (n° 2026-015)",
        "Adoption de la charte de la participation citoyenne (n° 2026-014)",
    ]
    newest, oldest = feed.entries
    # The day of the decision, at midnight in Paris (feedparser's *_parsed fields are in UTC).
    assert oldest.published == "2026-02-10T00:00:00+01:00"
    assert newest.published == "2026-02-20T00:00:00+01:00"
    assert date(*oldest.published_parsed[:3]) == date(2026, 2, 9)  # 23:00 UTC the day before
    assert oldest.id.endswith(f"/public/engagements/{engagement_id}/decisions#2026-014")
    # The link opens the decision on the public page, in its row.
    assert oldest.link.endswith(f"/registre-public/{engagement_id}#decision-2026-014")
    page = client.get(urlsplit(oldest.link).path)
    assert page.status_code == 200
    assert 'id="decision-2026-014"' in page.text
    assert "conseil municipal, le 10 février 2026" in oldest.summary
    assert "23 pour, 4 contre, 2 abstentions" in oldest.summary
    assert PRIVATE_DECISION not in response.text

    other_lead, other_id, _ = _published_team(client, db, clock, directory, organisation)
    client.put(f"/engagements/{other_id}/public", json={"public": True}, headers=other_lead.headers)
    _published_team(client, db, clock, directory, organisation)  # a third one, not public: left out
    whole = feedparser.parse(client.get(f"/public/organisations/{organisation}/decisions.atom").content)
    assert not whole.bozo
    assert whole.feed.title == "Décisions publiques — Communauté de communes du Val Fleuri"
    assert len(whole.entries) == 4
    assert {e.id.split("/")[-2] for e in whole.entries} == {engagement_id, other_id}
    listed = client.get("/public/engagements", params={"organisation": organisation}).json()
    assert {e["id"] for e in listed} == {engagement_id, other_id}
    assert client.get("/public/organisations/inconnue/decisions.atom").status_code == 404


def test_open_data_for_the_public_and_the_portfolio_for_the_leads(client, db, clock, directory) -> None:
    lead, engagement_id, organisation = _published_team(client, db, clock, directory)
    assert client.get(f"/public/engagements/{engagement_id}/open-data.zip").status_code == 404
    client.put(f"/engagements/{engagement_id}/public", json={"public": True}, headers=lead.headers)

    response = client.get(f"/public/engagements/{engagement_id}/open-data.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "datapackage.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()

    portfolio = client.get(f"/organisations/{organisation}/open-data.zip", headers=lead.headers)
    assert portfolio.status_code == 200
    assert client.get(f"/organisations/{organisation}/open-data.zip").status_code == 401
    agent = directory.person(organisation, org_roles=("agent",))
    assert (
        client.get(f"/organisations/{organisation}/open-data.zip", headers=agent.headers).status_code == 403
    )
    stranger = directory.person(directory.organisation("ailleurs"), org_roles=("consultant",))
    foreign = client.get(f"/organisations/{organisation}/open-data.zip", headers=stranger.headers)
    assert (foreign.status_code, foreign.json()["code"]) == (404, "organisation.not_found")


def test_the_chain_heads_are_published_and_a_rewrite_of_the_past_shows_against_them(
    client, db, clock, directory
) -> None:
    from gouvernance.audit.verify import verify

    lead, engagement_id, _ = _published_team(client, db, clock, directory)
    client.put(f"/engagements/{engagement_id}/public", json={"public": True}, headers=lead.headers)
    heads = client.get(f"/public/engagements/{engagement_id}/chain-heads").json()
    assert heads["algorithm"] == "sha256"
    assert heads["head"]["seq"] >= 1
    assert heads["daily"][-1] == {"date": heads["daily"][-1]["date"], **heads["head"]}
    assert client.get(f"/public/engagements/{engagement_id}").json()["chain_heads"] == heads
    with db.reading() as session:
        report = verify(session, engagement_id)
    # What was published is what the record verifies to: the head a reader kept is the chain's own.
    assert report.ok
    assert (report.head_seq, report.head_hash) == (heads["head"]["seq"], heads["head"]["hash"])
    client.put(f"/engagements/{engagement_id}/public", json={"public": False}, headers=lead.headers)
    assert client.get(f"/public/engagements/{engagement_id}/chain-heads").status_code == 404
