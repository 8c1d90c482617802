"""Issue 15 in Chromium: launching an engagement from a form built from the model's parameters (a bad value
shown by its field, the rest kept), the deliverables page (list, rebuild, download), evidence attached in
the browser satisfying the guard, and the main path done with the keyboard only. axe-core on every page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from gouvernance.engagements.elections import electoral_warnings
from gouvernance.spec.catalog import Catalog
from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_pages_in_browser import LABEL, STEP, accessible, step_section

START = "2031-01-05"


def test_launch_shows_a_bad_parameter_by_its_field_keeps_the_rest_then_launches(
    browser: Browser, live_url: str, consultant, with_password, api_catalog: Catalog, tmp_path: Path
) -> None:
    page = sign_in(browser, live_url, with_password(consultant))
    page.get_by_role("link", name="Lancer un accompagnement").click()
    expect(page.get_by_role("heading", name="Lancer un accompagnement", level=1)).to_be_visible()
    page.get_by_label("Modèle de parcours").select_option("gouvernance-partagee")
    page.get_by_role("button", name="Choisir ce modèle").click()
    population = page.get_by_label("Population (habitants)")
    expect(population).to_have_value("10000")  # the model's default
    accessible(page, tmp_path, "lancer")

    page.get_by_label("Nom du territoire").fill("Saint-Jean-le-Blanc")
    page.get_by_label("Code officiel").fill("4528")  # a commune's INSEE code has 5 characters
    page.get_by_label("Date de début").fill(START)
    page.get_by_label("Périmètre de la démarche").select_option("epci")
    population.fill("0")
    page.get_by_role("button", name="Lancer l'accompagnement").click()

    expect(page.locator("#resume-erreurs")).to_be_visible()
    expect(population).to_have_attribute("aria-invalid", "true")
    expect(population).to_have_attribute("aria-describedby", re.compile(r"\bparam-population-erreur\b"))
    expect(page.locator("#param-population-erreur")).to_contain_text("population")
    expect(page.locator("#resume")).to_contain_text("population")
    expect(page.get_by_label("Nom du territoire")).to_have_value("Saint-Jean-le-Blanc")
    code = page.get_by_label("Code officiel")
    expect(code).to_have_value("4528")
    expect(code).to_have_attribute("aria-describedby", "territoire_code-aide territoire_code-erreur")
    expect(page.locator("#territoire_code-erreur")).to_contain_text("5 caractères")
    expect(page.get_by_label("Date de début")).to_have_value(START)
    expect(page.get_by_label("Périmètre de la démarche")).to_have_value("epci")
    expect(population).to_have_value("0")
    accessible(page, tmp_path, "lancer-erreur")

    population.fill("12000")
    code.fill("45286")
    page.get_by_role("button", name="Lancer l'accompagnement").click()
    page.wait_for_url(re.compile(r"/accompagnements/[0-9a-f-]+\?lance=1$"))
    expect(page.get_by_role("heading", name="Saint-Jean-le-Blanc", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Accompagnement lancé")
    model = api_catalog.get("gouvernance-partagee")
    warnings = electoral_warnings(model, "commune", date.fromisoformat(START), {"perimetre": "epci"})
    assert warnings, "the start date was chosen for its electoral-period warning"
    for warning in warnings:
        expect(page.locator(".alerte-avertissement")).to_contain_text(warning.fr[:60])
    accessible(page, tmp_path, "lance")


def test_launch_is_only_for_the_roles_the_api_allows(
    browser: Browser, live_url: str, make_team, with_password
) -> None:
    team = make_team("gouvernance-partagee")
    page = sign_in(browser, live_url, with_password(team["elu"]))
    expect(page.get_by_role("link", name="Lancer un accompagnement")).to_have_count(0)
    response = page.goto("/accompagnements/nouveau")
    assert response is not None
    assert response.status == 403


def test_deliverables_list_rebuild_and_download(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    page = sign_in(browser, live_url, with_password(team["consultant"]))
    page.goto(f"/accompagnements/{team.engagement_id}")
    page.get_by_role("link", name="Livrables de l'accompagnement").click()
    expect(page.get_by_role("heading", name="Livrables", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Aucun livrable")
    accessible(page, tmp_path, "livrables-vide")

    page.get_by_role("button", name="Reproduire les livrables").click()
    expect(page.get_by_role("status")).to_contain_text("produit")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    first_count = rows.count()
    expect(rows.first).to_contain_text("1")
    accessible(page, tmp_path, "livrables")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Télécharger")).first.click()
    assert Path(download.value.path()).stat().st_size > 0

    page.get_by_role("button", name="Reproduire les livrables").click()
    expect(rows).to_have_count(2 * first_count)  # a new version of each
    expect(page.locator("table")).to_contain_text("2")

    observer = sign_in(browser, live_url, with_password(team["observateur"]))
    observer.goto(f"/accompagnements/{team.engagement_id}/livrables")
    expect(observer.locator("table tbody tr")).to_have_count(2 * first_count)
    expect(observer.get_by_role("button", name="Reproduire les livrables")).to_have_count(0)


def test_evidence_uploaded_in_the_browser_satisfies_the_guard(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    page = sign_in(browser, live_url, with_password(team["consultant"]))
    page.goto(f"/accompagnements/{team.engagement_id}")
    step_section(page).get_by_role("button", name="Démarrer").click()
    step = step_section(page)
    expect(step).to_contain_text("Non remplie")

    step.get_by_label("Libellé de la pièce").fill("compte rendu")
    step.get_by_role("button", name="Joindre la pièce").click()  # neither a file nor a link
    step = step_section(page)
    expect(page.locator("#resume-erreurs")).to_be_visible()
    file_field = step.get_by_label("Fichier", exact=True)
    expect(file_field).to_have_attribute("aria-describedby", f"fichier-{STEP}-erreur")
    expect(step.get_by_label("Libellé de la pièce")).to_have_value("compte rendu")
    accessible(page, tmp_path, "piece-erreur")

    step.get_by_label("Libellé de la pièce").fill(LABEL)
    step.get_by_label("Fichier", exact=True).set_input_files(
        files=[{"name": "cadrage.md", "mimeType": "text/markdown", "buffer": b"# Compte rendu\n"}]
    )
    step.get_by_role("button", name="Joindre la pièce").click()
    step = step_section(page)
    expect(step).to_contain_text("Remplie")
    expect(step.get_by_role("link", name=LABEL)).to_be_visible()
    accessible(page, tmp_path, "piece-jointe")
    step.get_by_role("button", name="Soumettre").click()
    expect(step_section(page)).to_contain_text("en revue")


def tab_to(page: Page, selector: str, *, limit: int = 400) -> None:
    """Presses Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab")


def test_main_path_with_the_keyboard_only(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("gouvernance-partagee")
    consultant = with_password(team["consultant"])
    page = browser.new_context(base_url=live_url, locale="fr-FR").new_page()
    page.goto("/connexion")
    tab_to(page, "#identifiant")
    page.keyboard.type(consultant.login)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portefeuille$"))

    tab_to(page, "a[href='/mes-taches']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mes-taches$"))
    tab_to(page, f"main a[href*='#etape-{STEP}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/accompagnements/{team.engagement_id}#etape-{STEP}$"))

    tab_to(page, f"#etape-{STEP} button[value=start]")
    page.keyboard.press("Enter")
    expect(step_section(page)).to_contain_text("en cours")
    tab_to(page, f"#fichier-{STEP}")
    # The file itself is picked in the operating system's dialog, outside the page: Playwright gives it to the
    # focused field, as that dialog would (waiting for the dialog to open on Space was flaky under load).
    page.locator(f"#fichier-{STEP}").set_input_files(
        files=[{"name": "cadrage.md", "mimeType": "text/markdown", "buffer": b"# Compte rendu\n"}]
    )
    tab_to(page, f"#etape-{STEP} .piece button[type=submit]")
    page.keyboard.press("Enter")
    expect(step_section(page)).to_contain_text("Remplie")

    tab_to(page, f"#etape-{STEP} button[value=submit]")
    page.keyboard.press("Enter")
    expect(step_section(page)).to_contain_text("en revue")
    page.screenshot(path=tmp_path / "clavier.png", full_page=True)
