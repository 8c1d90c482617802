"""The public record as a page, in Chromium and without signing in: a public engagement shows its public
decisions, indicators and measurements, and the verifiable record's heads, and nothing private; its Atom link
reads in a feed reader; its open-data package carries the heads the JSON route publishes; a non-public or
unknown engagement answers an HTML 404. Checked with axe-core (zero violations) and photographed."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import feedparser
from playwright.sync_api import Browser, Page, expect

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from tests.publication.helpers import (
    CHEF,
    PRIVATE_DECISION,
    PRIVATE_INDICATOR,
    private_traces,
    seed_record,
)
from tests.web.test_pages_in_browser import accessible

PUBLIC_DECISION = "Adoption de la charte de la participation citoyenne"
LATER_DECISION = "Création du comité de suivi citoyen"


def anonymous(browser: Browser, base: str) -> Page:
    return browser.new_context(base_url=base, locale="fr-FR").new_page()


def _public_engagement(make_team, db: Database, clock: FrozenClock, *, public: bool = True) -> str:
    """A record seeded on one day, and a public decision recorded the next: two days of chain heads."""
    engagement_id: str = make_team("gouvernance-partagee").engagement_id
    with db.transaction() as session:
        seed_record(session, engagement_id, clock, public=public)
    clock.advance(timedelta(days=1))
    with db.transaction() as session:
        record_decision(
            session,
            engagement_id=engagement_id,
            data=DecisionData(
                number="2026-020",
                title=LATER_DECISION,
                decided_on=date(2026, 3, 2),
                body=DecidingBody.CONSEIL_MUNICIPAL,
                public=True,
            ),
            actor=CHEF,
            clock=clock,
        )
    return engagement_id


SIGNED_IN_PAGES = {"/portefeuille", "/mes-taches", "/notifications", "/preferences", "/administration"}


def test_anyone_reads_a_public_record_and_nothing_private(
    browser: Browser, live_url: str, make_team, db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    engagement_id = _public_engagement(make_team, db, clock)
    page = anonymous(browser, live_url)
    response = page.goto(f"/registre-public/{engagement_id}")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saint-Jean-de-Braye")
    decisions = page.locator("#decision-2026-014")
    expect(decisions).to_contain_text(PUBLIC_DECISION)
    expect(decisions).to_contain_text("10\u00a0février\u00a02026")
    expect(page.locator("#decision-2026-020")).to_contain_text(LATER_DECISION)
    indicator = page.locator("#indicateur-participants")
    expect(indicator.get_by_role("heading")).to_have_text("Part d'habitants ayant participé")
    measurement = indicator.get_by_role("row", name="15\u00a0février\u00a02026")
    expect(measurement).to_contain_text("15\u202f%")
    expect(page.get_by_role("img", name="Avancement de l'accompagnement")).to_be_visible()
    accessible(page, tmp_path, "registre-public")

    html = page.content()
    assert PRIVATE_DECISION not in html
    assert PRIVATE_INDICATOR not in html
    assert "absenteisme" not in html  # not even the private indicator's key
    assert "julien.secret-login" not in html  # no login
    assert "appel de Marc Petit" not in html  # no measurement comment
    traces = private_traces()
    assert "Hélène Marchand" in traces
    assert [t for t in traces if t.casefold() in html.casefold()] == []
    assert page.context.cookies() == []  # no session was needed, none was made
    # Nothing on the page sends a resident to a page that asks to sign in.
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert not [href for href in hrefs if href.split("#")[0].split("?")[0] in SIGNED_IN_PAGES], hrefs


def test_the_page_links_the_feed_and_the_package_with_the_published_chain_heads(
    browser: Browser, live_url: str, make_team, db: Database, clock: FrozenClock
) -> None:
    engagement_id = _public_engagement(make_team, db, clock)
    page = anonymous(browser, live_url)
    page.goto(f"/registre-public/{engagement_id}")

    atom = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    feed = feedparser.parse(page.request.get(atom.get_attribute("href") or "").body())
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    assert f"{LATER_DECISION} (n° 2026-020)" in titles
    assert f"{PUBLIC_DECISION} (n° 2026-014)" in titles
    assert not [t for t in titles if PRIVATE_DECISION in t]

    heads = page.request.get(f"/public/engagements/{engagement_id}/chain-heads").json()
    assert [day["date"] for day in heads["daily"]] == ["2026-03-02", "2026-03-03"]
    expect(page.locator("#registre-verifiable")).to_contain_text(heads["head"]["hash"])
    for day in heads["daily"]:
        expect(page.locator("#registre-verifiable")).to_contain_text(day["hash"])
    expect(page.locator("#registre-verifiable")).to_contain_text(f"gouvernance audit verify {engagement_id}")

    package = page.get_by_role("link", name=re.compile("^Données ouvertes")).get_attribute("href")
    content = page.request.get(package or "").body()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        as_json = json.loads(archive.read("json/tetes_registre.json"))
        as_csv = list(csv.DictReader(io.StringIO(archive.read("csv/tetes_registre.csv").decode("utf-8"))))
    published = [{"date": d["date"], "seq": d["seq"], "hash": d["hash"]} for d in heads["daily"]]
    assert [{"date": r["date"], "seq": r["numero"], "hash": r["empreinte"]} for r in as_json] == published
    assert [{"date": r["date"], "seq": int(r["numero"]), "hash": r["empreinte"]} for r in as_csv] == published
    assert {r["accompagnement"] for r in as_json} == {engagement_id}
    assert {r["algorithme"] for r in as_json} == {heads["algorithm"]}


def test_a_non_public_or_unknown_engagement_is_an_html_404(
    browser: Browser, live_url: str, make_team, db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    hidden = _public_engagement(make_team, db, clock, public=False)
    page = anonymous(browser, live_url)
    for engagement_id in (hidden, "00000000-0000-0000-0000-000000000000"):
        response = page.goto(f"/registre-public/{engagement_id}")
        assert response is not None
        assert response.status == 404
        assert response.headers["content-type"].startswith("text/html")
        expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
        expect(page.get_by_role("alert")).to_contain_text("introuvable")
        assert LATER_DECISION not in page.content()
        assert page.request.get(f"/public/engagements/{engagement_id}").status == 404  # as the JSON route
    accessible(page, tmp_path, "registre-public-404")
