"""Each web page, with the stylesheets, scripts and images it names, weighs under 150 KB as served (the
application does not compress; downloads aside), for the demonstration engagement and its stakeholder
register, seen by its consultant who administers the consultancy."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from gouvernance.access.service import add_user, grant
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.server import DEMO_TERRITORY
from gouvernance.spec.catalog import Catalog
from tests.api.conftest import Directory, Person
from tests.web.test_portfolio_queries import sign_in

BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')
PAGES = {
    "portefeuille": "/portefeuille",
    "accompagnement": "/accompagnements/{id}",
    "mes tâches": "/mes-taches",
    "parties prenantes": "/accompagnements/{id}/parties-prenantes",
    "livrables": "/accompagnements/{id}/livrables",
    "lancer": "/accompagnements/nouveau",
    "administration": "/administration",
}


@pytest.fixture
def demo_consultant(
    db: Database, clock: FrozenClock, api_catalog: Catalog, directory: Directory, with_password
) -> tuple[Person, str]:
    """The demonstration engagement (31 stakeholders) and a consultant of a consultancy who administers it."""
    engagement_id = launch_demo(db, api_catalog.get(DEMO_MODEL), DEMO_TERRITORY).engagement_id
    person = Person(f"user.{uuid.uuid4().hex[:10]}", directory.organisation("cabinet"), token="")
    with db.transaction() as session:
        add_user(session, person.login, organisation=person.organisation, clock=clock, org_admin=True)
        grant(session, person.login, "consultant", clock=clock)
        grant(session, person.login, "consultant", engagement_id=engagement_id, clock=clock)
    return with_password(person), engagement_id


def weight(client: TestClient, path: str) -> tuple[int, int, list[str]]:
    """The page's status, its bytes with its assets', and the assets it names."""
    page = client.get(path)
    assets = list(dict.fromkeys(ASSET.findall(page.text)))
    total = len(page.content)
    for src in assets:
        asset = client.get(src)
        assert asset.status_code == 200, src
        total += len(asset.content)
    return page.status_code, total, assets


def test_every_page_with_its_assets_weighs_under_150_kb(
    client: TestClient, demo_consultant: tuple[Person, str]
) -> None:
    person, engagement_id = demo_consultant
    status, total, assets = weight(client, "/connexion")
    assert (status, assets) == (200, ["/statique/gouvernance.css"])
    assert total < BUDGET
    sign_in(client, person)
    for name, path in PAGES.items():
        status, total, assets = weight(client, path.format(id=engagement_id))
        assert status == 200, name
        assert "/statique/gouvernance.css" in assets, name
        assert total < BUDGET, f"{name}: {total:,} bytes"
    register = client.get(f"/accompagnements/{engagement_id}/parties-prenantes").text
    assert "Hélène Marchand" in register  # the weight is that of a filled register, not of an empty page
