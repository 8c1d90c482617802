"""The web interface as people use it, in Chromium: sign in, follow an engagement, meet a guard's refusal,
satisfy it and advance; a project lead's tasks; two people on the same step; an observer; forged forms.
Every page is checked with axe-core (zero violations) and photographed under the test's tmp folder."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import Person, step_path
from tests.web.conftest import sign_in

AXE = Axe()
STEP = "cadrage_accompagnement"
LABEL = "compte rendu de cadrage"


def accessible(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=shots / f"{name}.png", full_page=True)
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def attach_minutes(client: TestClient, person: Person, engagement_id: str) -> None:
    response = client.post(
        f"{step_path(engagement_id, STEP)}/evidence",
        headers=person.headers,
        data={"label": LABEL},
        files={"file": ("cadrage.md", b"# Compte rendu\n", "text/markdown")},
    )
    assert response.status_code == 201, response.text


def step_section(page: Page, key: str = STEP):
    return page.locator(f"#etape-{key}")


def test_consultant_advances_a_step_and_the_lead_finds_the_next_in_my_tasks(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    consultant, lead = with_password(team["consultant"]), with_password(team["chef_de_projet"])
    page = sign_in(browser, live_url, consultant)
    expect(page.get_by_role("heading", name="Portefeuille", level=1)).to_be_visible()
    accessible(page, tmp_path, "portefeuille")

    page.get_by_role("link", name="Saint-Jean-de-Braye").first.click()
    step = step_section(page)
    expect(step).to_contain_text("prête")
    accessible(page, tmp_path, "accompagnement")
    step.get_by_role("button", name="Démarrer").click()
    step = step_section(page)
    expect(step).to_contain_text("en cours")
    expect(step).to_contain_text("Non remplie")  # the evidence guard, with its reason

    step.get_by_label(re.compile("Commentaire")).fill("Cadrage tenu le 2 mars")
    step.get_by_role("button", name="Soumettre").click()
    assert page.locator("h2#resume-erreurs").is_visible()
    step = step_section(page)
    expect(step.locator(".erreur")).to_contain_text(LABEL)
    expect(step.get_by_label(re.compile("Commentaire"))).to_have_value("Cadrage tenu le 2 mars")
    accessible(page, tmp_path, "accompagnement-refus")

    attach_minutes(client, consultant, team.engagement_id)
    page.goto(f"/accompagnements/{team.engagement_id}")
    step = step_section(page)
    expect(step).to_contain_text("Remplie")
    step.get_by_role("button", name="Soumettre").click()
    expect(step_section(page)).to_contain_text("en revue")

    lead_page = sign_in(browser, live_url, lead)
    lead_page.goto(f"/accompagnements/{team.engagement_id}")
    step_section(lead_page).get_by_role("button", name="Valider l'étape").click()
    expect(step_section(lead_page)).to_contain_text("terminée")
    lead_page.get_by_role("link", name="Mes tâches").click()
    expect(lead_page.get_by_role("heading", name="Mes tâches")).to_be_visible()
    task = lead_page.get_by_role("link", name=re.compile("Inventaire des projets"))
    expect(task).to_be_visible()
    accessible(lead_page, tmp_path, "mes-taches")
    task.click()
    expect(step_section(lead_page, "inventaire_projets")).to_contain_text("prête")


def test_the_second_of_two_people_on_one_step_sees_the_conflict_and_keeps_the_comment(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    consultant = with_password(team["consultant"])
    first, second = sign_in(browser, live_url, consultant), sign_in(browser, live_url, consultant)
    for page in (first, second):
        page.goto(f"/accompagnements/{team.engagement_id}")
    step_section(first).get_by_role("button", name="Démarrer").click()
    expect(step_section(first)).to_contain_text("en cours")

    step = step_section(second)
    step.get_by_label(re.compile("Commentaire")).fill("Je démarre aussi")
    step.get_by_role("button", name="Démarrer").click()
    step = step_section(second)
    expect(step.locator(".erreur")).to_contain_text(f"par {consultant.login}")
    expect(step.locator(".erreur")).to_contain_text("en cours")
    expect(step.get_by_label(re.compile("Commentaire"))).to_have_value("Je démarre aussi")
    accessible(second, tmp_path, "accompagnement-conflit")


def test_an_observer_sees_no_action_and_a_forged_post_is_forbidden(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    observer = with_password(team["observateur"])
    page = sign_in(browser, live_url, observer)
    page.goto(f"/accompagnements/{team.engagement_id}")
    expect(step_section(page)).to_contain_text("prête")
    assert page.locator("main button").count() == 0
    form_token = page.locator("input[name=jeton_formulaire]").first.input_value()
    response = page.request.post(
        f"/accompagnements/{team.engagement_id}/etapes/{STEP}",
        form={"evenement": "start", "version": "1", "jeton_formulaire": form_token},
    )
    assert response.status == 403
    assert "observateur" in response.text()


def test_a_post_without_the_form_token_is_refused(
    browser: Browser, live_url: str, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    page = sign_in(browser, live_url, with_password(team["consultant"]))
    for form in ({"evenement": "start", "version": "1"}, {"evenement": "start", "jeton_formulaire": "faux"}):
        response = page.request.post(f"/accompagnements/{team.engagement_id}/etapes/{STEP}", form=form)
        assert response.status == 403
        assert "jeton de formulaire" in response.text()
    page.goto(f"/accompagnements/{team.engagement_id}")
    expect(step_section(page)).to_contain_text("prête")  # nothing happened


def test_sign_in_page_errors_and_throttle(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    person = with_password(team["agent"])
    page = browser.new_context(base_url=live_url).new_page()
    page.goto("/connexion")
    accessible(page, tmp_path, "connexion")
    for _ in range(5):
        page.get_by_label("Identifiant").fill(person.login)
        page.get_by_label("Mot de passe").fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator("#mot_de_passe-erreur")).to_contain_text("incorrect")
    expect(page.get_by_label("Mot de passe")).to_have_attribute("aria-describedby", "mot_de_passe-erreur")
    accessible(page, tmp_path, "connexion-erreur")
    page.get_by_label("Identifiant").fill(person.login)
    page.get_by_label("Mot de passe").fill("un mot de passe assez long")  # right, but too late
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#identifiant-erreur")).to_contain_text("Trop de tentatives")


def test_pages_need_a_session_and_cookies_are_guarded(live_url: str, make_team, with_password) -> None:
    team = make_team("gouvernance-partagee")
    person = with_password(team["elu"])
    with httpx.Client(base_url=live_url) as web:
        assert web.get("/portefeuille").headers["location"] == "/connexion"
        forged = {"identifiant": person.login, "mot_de_passe": "un mot de passe assez long"}
        assert web.post("/connexion", data=forged).status_code == 403  # no form token: login CSRF
        page = web.get("/connexion")
        token = re.search(r'name="jeton_formulaire" value="([^"]+)"', page.text)
        assert token
        signed = web.post(
            "/connexion",
            data={
                "identifiant": person.login,
                "mot_de_passe": "un mot de passe assez long",
                "jeton_formulaire": token.group(1),
            },
        )
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert web.get(f"/accompagnements/{team.engagement_id}").status_code == 200
