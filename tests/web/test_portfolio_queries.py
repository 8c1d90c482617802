"""The portfolio page reads a constant number of SQL statements, whatever the number of engagements shown
(no query per engagement): counted with SQLAlchemy's engine events."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from tests.api.conftest import Person, launch
from tests.web.conftest import PASSWORD


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def sign_in(client: TestClient, person: Person) -> None:
    form = re.search(r'name="jeton_formulaire" value="([^"]+)"', client.get("/connexion").text)
    assert form
    response = client.post(
        "/connexion",
        data={"identifiant": person.login, "mot_de_passe": PASSWORD, "jeton_formulaire": form.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def statements_for_portfolio(client: TestClient, db: Database, expected_rows: int) -> int:
    client.get("/portefeuille")  # warm: the model snapshot is compiled once per process
    with counting(db) as statements:
        page = client.get("/portefeuille")
    assert page.status_code == 200
    assert page.text.count('<th scope="row">') == expected_rows
    return len(statements)


def test_portfolio_statements_do_not_grow_with_engagements(
    client: TestClient, db: Database, consultant: Person, with_password
) -> None:
    with_password(consultant)
    for _ in range(10):
        launch(client, consultant, "mini")
    sign_in(client, consultant)
    with_ten = statements_for_portfolio(client, db, 10)
    for _ in range(40):
        launch(client, consultant, "mini")
    with_fifty = statements_for_portfolio(client, db, 50)
    assert with_ten == with_fifty
    assert with_ten <= 10  # the session and its grants, the count, the page, two grouped figure queries


def test_portfolio_filters_and_totals(
    client: TestClient, consultant: Person, with_password, clock: FrozenClock
) -> None:
    with_password(consultant)
    launch(client, consultant, "mini")
    sign_in(client, consultant)
    rows = '<th scope="row">'
    assert client.get("/portefeuille", params={"territoire": "braye"}).text.count(rows) == 1
    assert client.get("/portefeuille", params={"territoire": "Orléans"}).text.count(rows) == 0
    assert client.get("/portefeuille", params={"modele": "mini", "etat": "active"}).text.count(rows) == 1
    assert client.get("/portefeuille", params={"retard": "oui"}).text.count(rows) == 0
    clock.advance(timedelta(days=30))
    assert client.get("/portefeuille", follow_redirects=False).headers["location"] == "/connexion"  # expired
    sign_in(client, consultant)
    late = client.get("/portefeuille", params={"retard": "oui"}).text
    assert late.count(rows) == 1
    assert "<strong>1</strong> avec du retard" in late
    assert "1&nbsp;en retard" in late
    assert client.get("/portefeuille", params={"retard": "non"}).text.count(rows) == 0


def test_a_large_portfolio_is_paged_and_its_totals_count_every_engagement(
    client: TestClient, consultant: Person, with_password, clock: FrozenClock
) -> None:
    """Fifty engagements a page, the filters kept from page to page; the totals at the top count every
    engagement that matches, not only the page shown."""
    with_password(consultant)
    for _ in range(53):
        launch(client, consultant, "mini")
    clock.advance(timedelta(days=30))  # every engagement's first step is overdue by then
    sign_in(client, consultant)
    rows = '<th scope="row">'
    first = client.get("/portefeuille", params={"retard": "oui"}).text
    assert first.count(rows) == 50
    assert "Accompagnements 1 à 50 sur 53" in first
    assert "<strong>53</strong> avec du retard" in first
    following = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&")).text
    assert second.count(rows) == 3
    assert "Accompagnements 51 à 53 sur 53" in second
    assert "<strong>53</strong> avec du retard" in second
    assert 'rel="next"' not in second
    previous = re.search(r'<a href="([^"]+)" rel="prev">', second)
    assert previous
    assert "retard=oui" in previous.group(1)
    assert client.get("/portefeuille", params={"page": "abc"}).text.count(rows) == 50
