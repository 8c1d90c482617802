"""The « Objectifs et indicateurs » and « Décisions » pages as people use them, in Chromium: a project lead
records a measurement and approves an objective, a value that cannot be read is said by its field with the
rest kept, a decision goes into the register; an observer sees no form and a forged POST is refused; the
SQL statements per page do not grow with the register. Every page is checked with axe-core and
photographed under the test's tmp folder."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from gouvernance.access.service import PARTICIPANT_ROLES
from gouvernance.db.engine import Database
from gouvernance.web.objectives import expected_approvers
from tests.api.conftest import Person, Team
from tests.api.test_objectives_api import INDICATOR
from tests.web.conftest import sign_in
from tests.web.test_pages_in_browser import accessible
from tests.web.test_portfolio_queries import counting
from tests.web.test_portfolio_queries import sign_in as sign_in_client


def add_objective(client: TestClient, team: Team, key: str, indicator_key: str = "participation") -> None:
    base = f"/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    created = client.post(f"{base}/objectives", headers=chef, json={"key": key, "title": f"Objectif {key}"})
    assert created.status_code == 201, created.text
    added = client.post(
        f"{base}/objectives/{key}/indicators", headers=chef, json={**INDICATOR, "key": indicator_key}
    )
    assert added.status_code == 201, added.text


def add_decision(client: TestClient, team: Team, number: str) -> None:
    response = client.post(
        f"/engagements/{team.engagement_id}/decisions",
        headers=team["chef_de_projet"].headers,
        json={
            "number": number,
            "title": f"Délibération {number}",
            "decided_on": "2026-02-10",
            "body": "conseil_municipal",
            "votes_for": 20,
            "votes_against": 3,
            "abstentions": 1,
        },
    )
    assert response.status_code == 201, response.text


def writes(team: Team) -> dict[str, dict[str, str]]:
    """Every form of the two pages, filled in right, by the path it posts to."""
    base = f"/accompagnements/{team.engagement_id}"
    return {
        f"{base}/objectifs/mesures": {"indicateur": "participation", "date": "15/02/2026", "valeur": "3"},
        f"{base}/objectifs/associer/validation": {},
        f"{base}/decisions": {"numero": "X-1", "titre": "X", "date": "14/02/2026", "instance": "bureau"},
    }


def objectives_page(browser: Browser, live_url: str, person: Person, team: Team) -> Page:
    page = sign_in(browser, live_url, person)
    page.goto(f"/accompagnements/{team.engagement_id}")
    page.get_by_role("link", name="Objectifs et indicateurs").click()
    expect(page.get_by_role("heading", name="Objectifs et indicateurs", level=1)).to_be_visible()
    return page


def test_a_project_lead_records_a_measurement_and_approves_an_objective(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    add_objective(client, team, "associer")
    lead = with_password(team["chef_de_projet"])
    page = objectives_page(browser, live_url, lead, team)
    indicator = page.locator("#indicateur-participation")
    expect(indicator).to_contain_text("Registre des réunions publiques")
    expect(indicator).to_contain_text("trimestrielle")
    expect(indicator.locator("svg title")).to_contain_text("Taux de participation")
    expect(indicator).to_contain_text("Aucune mesure")
    terms = page.locator("#objectif-associer dl").first.locator("dd")
    expect(terms.nth(2)).to_have_text("personne pour l'instant")
    expect(terms.nth(3)).to_have_text("Consultant, Chef de projet, Élu")
    accessible(page, tmp_path, "objectifs")

    indicator.get_by_label("Date de la mesure").fill("15/02/2026")
    indicator.get_by_label(re.compile("^Valeur")).fill("12,5")
    indicator.get_by_label(re.compile("^Source")).fill("Feuilles d'émargement")
    indicator.get_by_label(re.compile("^Commentaire")).fill("Réunion du quartier nord")
    indicator.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_role("status")).to_contain_text("La mesure a été enregistrée")
    row = page.locator("#indicateur-participation table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("15\u00a0février\u00a02026")
    expect(row).to_contain_text("12,5")
    expect(row).to_contain_text("Feuilles d'émargement")
    expect(row).to_contain_text(lead.login)
    point = page.locator("#indicateur-participation svg g.measurement")  # the point on the chart
    expect(point).to_have_count(1)
    expect(point.locator("title")).to_contain_text("12,5")
    accessible(page, tmp_path, "objectifs-mesure")

    page.get_by_role("button", name=re.compile("Valider l'objectif")).click()
    expect(page.get_by_role("status")).to_contain_text("validation")
    terms = page.locator("#objectif-associer dl").first.locator("dd")
    expect(terms.nth(2)).to_have_text("Chef de projet")  # « Validé par », the mini model's role title
    expect(terms.nth(3)).to_have_text("Consultant, Élu")  # « Pas encore validé par »
    expect(page.get_by_role("button", name=re.compile("Valider l'objectif"))).to_have_count(0)
    api = client.get(f"/engagements/{team.engagement_id}/objectives", headers=lead.headers).json()
    assert api[0]["approved_by"] == ["chef_de_projet"]
    assert api[0]["indicators"][0]["latest"] == {"date": "2026-02-15", "value": 12.5}


def test_a_bad_value_is_said_by_its_field_and_the_rest_is_kept(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    add_objective(client, team, "associer")
    page = objectives_page(browser, live_url, with_password(team["elu"]), team)
    indicator = page.locator("#indicateur-participation")
    indicator.get_by_label("Date de la mesure").fill("15/02/2026")
    indicator.get_by_label(re.compile("^Valeur")).fill("douze")
    indicator.get_by_label(re.compile("^Source")).fill("Feuilles d'émargement")
    indicator.get_by_label(re.compile("^Commentaire")).fill("À vérifier")
    indicator.get_by_role("button", name="Enregistrer la mesure").click()

    expect(page.locator("h2#resume-erreurs")).to_have_text("La mesure n'a pas été enregistrée")
    expect(page.locator("#resume a")).to_contain_text("douze")
    indicator = page.locator("#indicateur-participation")
    value = indicator.get_by_label(re.compile("^Valeur"))
    expect(value).to_have_value("douze")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_have_attribute("aria-describedby", re.compile(r"\bm-participation-valeur-erreur\b"))
    expect(page.locator("#m-participation-valeur-erreur")).to_contain_text("Valeur illisible")
    expect(indicator.get_by_label("Date de la mesure")).to_have_value("15/02/2026")
    expect(indicator.get_by_label(re.compile("^Source"))).to_have_value("Feuilles d'émargement")
    expect(indicator.get_by_label(re.compile("^Commentaire"))).to_have_value("À vérifier")
    expect(indicator).to_contain_text("Aucune mesure")  # nothing was recorded
    accessible(page, tmp_path, "objectifs-erreur")

    indicator.get_by_label("Date de la mesure").fill("31/02/2026")
    indicator.get_by_label(re.compile("^Valeur")).fill("12,5")
    indicator.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.locator("#m-participation-date-erreur")).to_contain_text("Date illisible")
    expect(page.locator("#m-participation-valeur-erreur")).to_have_count(0)
    expect(page.locator("#indicateur-participation").get_by_label(re.compile("^Valeur"))).to_have_value(
        "12,5"
    )


def test_a_lead_records_a_decision_and_a_bad_date_keeps_what_was_typed(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    add_decision(client, team, "2026-001")
    page = sign_in(browser, live_url, with_password(team["chef_de_projet"]))
    page.goto(f"/accompagnements/{team.engagement_id}")
    page.get_by_role("link", name="Registre des décisions").click()
    expect(page.get_by_role("heading", name="Registre des décisions", level=1)).to_be_visible()
    expect(page.locator("#tableau-registre tbody tr")).to_have_count(1)
    accessible(page, tmp_path, "decisions")

    page.get_by_label("Numéro").fill("2026-014")
    page.get_by_label("Titre").fill("Adoption de la charte de la participation citoyenne")
    page.get_by_label("Date de la décision").fill("14/02/2026")
    page.get_by_label("Instance").select_option(label="conseil municipal")
    page.get_by_label(re.compile("^Fondement juridique")).fill("CGCT L2121-29")
    page.get_by_label("Pour", exact=True).fill("23")
    page.get_by_label("Contre", exact=True).fill("4")
    page.get_by_label("Abstentions", exact=True).fill("2")
    page.get_by_label(re.compile("^Transmission")).fill("10/02/2026")  # before the decision: refused
    page.get_by_label(re.compile("^Publication")).fill("18/02/2026")
    page.get_by_label("Inscrire aussi au registre public").uncheck()
    page.get_by_role("button", name="Inscrire la décision").click()

    expect(page.locator("h2#resume-erreurs")).to_have_text("La décision n'a pas été inscrite")
    transmission = page.get_by_label(re.compile("^Transmission"))
    expect(transmission).to_have_attribute("aria-describedby", "d-transmission-erreur")
    expect(page.locator("#d-transmission-erreur")).to_contain_text("ne peut précéder la décision")
    expect(transmission).to_have_value("10/02/2026")
    expect(page.get_by_label("Numéro")).to_have_value("2026-014")
    expect(page.get_by_label("Pour", exact=True)).to_have_value("23")
    expect(page.get_by_label("Instance")).to_have_value("conseil_municipal")
    expect(page.get_by_label("Inscrire aussi au registre public")).not_to_be_checked()
    expect(page.locator("#tableau-registre tbody tr")).to_have_count(1)
    accessible(page, tmp_path, "decisions-erreur")

    transmission.fill("16/02/2026")
    page.get_by_role("button", name="Inscrire la décision").click()
    expect(page.get_by_role("status")).to_contain_text("inscrite au registre")
    row = page.locator("#tableau-registre tbody tr").nth(1)
    expect(row).to_contain_text("2026-014")
    expect(row).to_contain_text("14\u00a0février\u00a02026")
    expect(row).to_contain_text("23\u00a0/ 4\u00a0/ 2")
    expect(row).to_contain_text("16\u00a0février\u00a02026")
    expect(row.locator("td").last).to_have_text("non")
    accessible(page, tmp_path, "decisions-inscrite")
    [_, recorded] = client.get(
        f"/engagements/{team.engagement_id}/decisions", headers=team["elu"].headers
    ).json()
    assert (recorded["number"], recorded["transmitted_on"], recorded["votes_for"], recorded["public"]) == (
        "2026-014",
        "2026-02-16",
        23,
        False,
    )


def test_an_observer_sees_no_form_and_a_forged_post_is_forbidden(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    add_objective(client, team, "associer")
    add_decision(client, team, "2026-001")
    observer = with_password(team["observateur"])
    page = objectives_page(browser, live_url, observer, team)
    expect(page.locator("#indicateur-participation")).to_be_visible()
    assert page.locator("main form").count() == 0
    accessible(page, tmp_path, "objectifs-observateur")
    page.goto(f"/accompagnements/{team.engagement_id}/decisions")
    expect(page.locator("#tableau-registre tbody tr")).to_have_count(1)
    assert page.locator("main form").count() == 0
    token = page.locator("input[name=jeton_formulaire]").first.input_value()  # the sign-out form's

    for path, form in writes(team).items():
        response = page.request.post(path, form={**form, "jeton_formulaire": token})
        assert response.status == 403, path
        assert "observateur" in response.text()
    [objective] = client.get(f"/engagements/{team.engagement_id}/objectives", headers=observer.headers).json()
    assert objective["approved_by"] == []
    assert objective["indicators"][0]["latest"] is None
    assert (
        len(client.get(f"/engagements/{team.engagement_id}/decisions", headers=observer.headers).json()) == 1
    )


def test_a_post_without_the_form_token_is_refused(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password
) -> None:
    team = make_team("mini")
    add_objective(client, team, "associer")
    lead = with_password(team["chef_de_projet"])
    page = sign_in(browser, live_url, lead)
    for path, form in writes(team).items():
        for token in ({}, {"jeton_formulaire": "faux"}):
            response = page.request.post(path, form={**form, **token})
            assert response.status == 403, path
            assert "jeton de formulaire" in response.text()
    [objective] = client.get(f"/engagements/{team.engagement_id}/objectives", headers=lead.headers).json()
    assert (objective["approved_by"], objective["indicators"][0]["latest"]) == ([], None)
    assert client.get(f"/engagements/{team.engagement_id}/decisions", headers=lead.headers).json() == []


def statements_for(client: TestClient, db: Database, path: str, rows: str, expected: int) -> int:
    client.get(path)  # warm: the model snapshot is compiled once per process
    with counting(db) as statements:
        page = client.get(path)
    assert page.status_code == 200
    assert page.text.count(rows) == expected
    return len(statements)


def test_statements_per_page_do_not_grow_with_objectives_and_decisions(
    client: TestClient, db: Database, make_team, with_password
) -> None:
    team = make_team("mini")
    lead = with_password(team["chef_de_projet"])
    sign_in_client(client, lead)
    objectives_path = f"/accompagnements/{team.engagement_id}/objectifs"
    decisions_path = f"/accompagnements/{team.engagement_id}/decisions"

    def grow(objectives: range) -> None:
        for n in objectives:
            add_objective(client, team, f"objectif-{n}", f"indicateur-{n}")
            measured = client.post(
                f"/engagements/{team.engagement_id}/measurements",
                headers=lead.headers,
                json={"measurements": [{"indicator": f"indicateur-{n}", "date": "2026-02-01", "value": n}]},
            )
            assert measured.status_code == 200, measured.text
            add_decision(client, team, f"2026-{n:03d}")

    grow(range(2))
    with_two = statements_for(client, db, objectives_path, '<section class="piece"', 2)
    decisions_with_two = statements_for(client, db, decisions_path, "<tr>", 1 + 2)
    grow(range(2, 20))
    assert statements_for(client, db, objectives_path, '<section class="piece"', 20) == with_two
    assert statements_for(client, db, decisions_path, "<tr>", 1 + 20) == decisions_with_two
    # The session and its grants (4), the engagement, the objectives view (6), the measurements' details.
    assert with_two <= 13
    assert decisions_with_two <= 7  # the session and its grants (4), the engagement, the register


def test_a_number_already_in_the_register_is_said_by_its_field(
    client: TestClient, make_team, with_password, directory
) -> None:
    team = make_team("mini")
    add_decision(client, team, "2026-001")
    sign_in_client(client, with_password(team["consultant"]))
    path = f"/accompagnements/{team.engagement_id}/decisions"
    token = re.search(r'name="jeton_formulaire" value="([^"]+)"', client.get(path).text)
    assert token
    typed = {"numero": "2026-001", "titre": "Charte", "date": "14/02/2026", "instance": "copil", "pour": "7"}
    refused = client.post(path, data={**typed, "jeton_formulaire": token.group(1)}, follow_redirects=False)
    assert refused.status_code == 409
    assert 'aria-describedby="d-numero-aide d-numero-erreur"' in refused.text
    assert "déjà au registre" in refused.text
    for value in ('value="2026-001"', 'value="Charte"', 'value="14/02/2026"', 'value="7"'):
        assert value in refused.text
    assert '<option value="copil" selected>' in refused.text
    assert (
        len(client.get(f"/engagements/{team.engagement_id}/decisions", headers=team["elu"].headers).json())
        == 1
    )

    stranger = with_password(directory.person(directory.organisation("commune")))
    sign_in_client(client, stranger)
    for page in (path, f"/accompagnements/{team.engagement_id}/objectifs"):
        assert client.get(page).status_code == 404  # another organisation's engagement stays invisible


def test_the_roles_still_to_approve_are_those_the_journey_waits_for(shipped_catalog) -> None:
    """« Pas encore validé par » lists the roles of the journey's objectives_validated guard (the élu and the
    partners in gouvernance-partagee), not every working role; a journey without that guard lists them all."""
    assert set(expected_approvers(shipped_catalog.get("gouvernance-partagee"))) == {"elu", "partenaire"}
    assert set(expected_approvers(shipped_catalog.get("laboratoire-innovation"))) == {"elu", "agent"}
    without_guard = shipped_catalog.get("budget-participatif")
    assert set(expected_approvers(without_guard)) == {r.key for r in without_guard.roles} & PARTICIPANT_ROLES
