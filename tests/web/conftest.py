"""Web fixtures: the API's app, people and teams (tests/api/conftest.py), each person with a web password,
served by uvicorn in a thread and driven by Debian's Chromium through Playwright (no browser download)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from gouvernance.access.web_login import set_password
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from tests.api.conftest import (  # noqa: F401  (fixtures)
    Person,
    api_catalog,
    app,
    blob_store,
    client,
    consultant,
    directory,
    live_url,
    make_team,
)

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "un mot de passe assez long"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is required: apt-get install chromium")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    yield launched
    launched.close()


@pytest.fixture
def with_password(db: Database, clock: FrozenClock):
    def _give(person: Person) -> Person:
        with db.transaction() as session:
            set_password(session, person.login, PASSWORD, now=clock.now())
        return person

    return _give


def sign_in(browser: Browser, base: str, person: Person) -> Page:
    """A fresh browser context (its own cookies) signed in as ``person``."""
    page = browser.new_context(base_url=base, locale="fr-FR").new_page()
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(person.login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/portefeuille$"))
    return page
