"""The « Parties prenantes » page reads a constant number of SQL statements whatever the size of the
register (no query per stakeholder), and each of its routes needs a signed-in person."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from gouvernance.db.engine import Database
from gouvernance.web.pages import current_visitor
from gouvernance.web.stakeholders import router
from tests.api.conftest import Team
from tests.web.test_portfolio_queries import counting, sign_in


def register_of(size: int, start: int = 0) -> str:
    lines = ["Nom;Type;Catégorie;Pouvoir;Intérêt;Attitude"]
    for index in range(start, start + size):
        lines.append(
            f"Acteur {index:03d};organisation;Association;{index % 5 + 1};{(index * 3) % 5 + 1};neutre"
        )
    return "\n".join(lines) + "\n"


def import_register(client: TestClient, team: Team, content: str) -> None:
    response = client.post(
        f"/engagements/{team.engagement_id}/stakeholders/import",
        headers=team["chef_de_projet"].headers,
        files={"file": ("pp.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text


def statements_for_page(client: TestClient, db: Database, team: Team, rows: int) -> int:
    url = f"/accompagnements/{team.engagement_id}/parties-prenantes"
    client.get(url)  # warm: the model snapshot is compiled once per process
    with counting(db) as statements:
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('<tr>\n    <th scope="row">') == rows
    return len(statements)


def test_page_statements_do_not_grow_with_the_register(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("mini")
    lead = with_password(team["chef_de_projet"])
    import_register(client, team, register_of(10))
    sign_in(client, lead)
    with_ten = statements_for_page(client, db, team, 10)
    import_register(client, team, register_of(90, start=10))
    with_hundred = statements_for_page(client, db, team, 100)
    assert with_ten == with_hundred
    assert with_ten <= 11, with_ten  # the session and its grants, the engagement and its model, the register


def test_every_stakeholder_page_needs_a_session() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert current_visitor in {dependency.call for dependency in route.dependant.dependencies}
