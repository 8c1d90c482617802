"""The « Parties prenantes » page in Chromium: a project lead imports a spreadsheet with two bad lines (both
listed, nothing imported), then a good one; logs a consultation (a missing date is tied to its field and the
rest is kept), then sees the stakeholder consulted. An observer sees no form and a forged POST gets 403.
Every state of the page is checked with axe-core and photographed under the test's tmp folder."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import Team
from tests.web.conftest import sign_in
from tests.web.test_pages_in_browser import accessible

BAD = "Nom;Type;Catégorie;Pouvoir;Intérêt\nA;organisation;Association;9;1\nB;robot;Association;2;2\n"
GOOD = (
    "Nom;Type;Catégorie;Pouvoir;Intérêt;Attitude\n"
    "Mairie annexe;organisation;Partenaire institutionnel;5;4;favorable\n"
    "Collectif du bocage;organisation;Association;4;5;opposé\n"
    "Jeanne Martin;personne;Habitant/usager;1;5;neutre\n"
)


def page_of(team: Team) -> str:
    return f"/accompagnements/{team.engagement_id}/parties-prenantes"


def upload(page: Page, path: Path, content: str) -> None:
    path.write_text(content, encoding="utf-8")
    page.get_by_label(re.compile("Fichier CSV")).set_input_files(path)
    page.get_by_role("button", name="Importer").click()


def register_rows(page: Page):
    return page.locator("#tableau-registre tbody tr")


def add_conflict(client: TestClient, team: Team) -> None:
    base = f"/engagements/{team.engagement_id}"
    headers = team["chef_de_projet"].headers
    ids = {s["name"]: s["id"] for s in client.get(f"{base}/stakeholders", headers=headers).json()}
    for source, target, kind in (
        ("Mairie annexe", "Collectif du bocage", "conflit"),
        ("Jeanne Martin", "Mairie annexe", "partenaire"),
        ("Jeanne Martin", "Collectif du bocage", "partenaire"),
    ):
        body = {"source_id": ids[source], "target_id": ids[target], "type": kind}
        response = client.post(f"{base}/stakeholder-relations", headers=headers, json=body)
        assert response.status_code == 201, response.text


def test_a_lead_imports_the_register_and_logs_a_consultation(
    browser: Browser, live_url: str, client: TestClient, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    page = sign_in(browser, live_url, with_password(team["chef_de_projet"]))
    page.goto(f"/accompagnements/{team.engagement_id}")
    page.get_by_role("link", name=re.compile("Parties prenantes")).click()
    expect(page.get_by_role("heading", name="Parties prenantes", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Le registre est vide")
    accessible(page, tmp_path, "parties-prenantes-vide")

    upload(page, tmp_path / "mauvais.csv", BAD)
    summary = page.locator("#resume")
    expect(summary).to_contain_text("rien n'a été importé")
    expect(summary).to_contain_text("Ligne 2")
    expect(summary).to_contain_text("Ligne 3")
    field_error = page.locator("#fichier-erreur")
    expect(field_error).to_contain_text("Ligne 2")
    expect(field_error).to_contain_text("Ligne 3")
    expect(page.get_by_label(re.compile("Fichier CSV"))).to_have_attribute(
        "aria-describedby", "fichier-erreur"
    )
    expect(page.locator("main")).to_contain_text("Le registre est vide")  # nothing imported
    accessible(page, tmp_path, "parties-prenantes-import-refuse")

    upload(page, tmp_path / "bon.csv", GOOD)
    expect(page.get_by_role("status")).to_contain_text(
        "3\u00a0parties prenantes ajoutées, 0\u00a0mise à jour"
    )
    expect(register_rows(page)).to_have_count(3)
    add_conflict(client, team)
    page.reload()
    expect(page.locator("#analyse ~ table")).to_contain_text("Collectif du bocage et Mairie annexe")
    expect(page.locator("#analyse ~ table")).to_contain_text("Jeanne Martin")  # the mediator
    key_players = page.locator("#analyse + h3 + ul")
    expect(key_players).to_contain_text("Collectif du bocage")
    expect(page.locator("#carte + .image-svg svg title").first).to_have_text("Carte des parties prenantes")
    accessible(page, tmp_path, "parties-prenantes")

    form = page.locator("form[action$='/consultations']")
    form.get_by_label("Méthode").select_option("atelier")
    form.get_by_label("Étape du parcours").select_option("a2")
    form.get_by_label("Collectif du bocage").check()
    form.get_by_label("Résumé").fill("Atelier de médiation sur le parc")
    form.get_by_label("Résultat").fill("Points d'accord consignés")
    form.get_by_role("button", name="Enregistrer la consultation").click()

    expect(page.locator("#resume")).to_contain_text("La consultation n'a pas été enregistrée")
    date = page.get_by_label(re.compile("Date de la consultation"))
    expect(date).to_have_attribute("aria-describedby", "cs-date-erreur")
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cs-date-erreur")).to_contain_text("date")
    form = page.locator("form[action$='/consultations']")
    expect(form.get_by_label("Résumé")).to_have_value("Atelier de médiation sur le parc")
    expect(form.get_by_label("Résultat")).to_have_value("Points d'accord consignés")
    expect(form.get_by_label("Méthode")).to_have_value("atelier")
    expect(form.get_by_label("Étape du parcours")).to_have_value("a2")
    expect(form.get_by_label("Collectif du bocage")).to_be_checked()
    expect(form.get_by_label("Mairie annexe")).not_to_be_checked()
    accessible(page, tmp_path, "parties-prenantes-consultation-refusee")

    date.fill("2026-03-10")
    form.get_by_role("button", name="Enregistrer la consultation").click()
    expect(page.get_by_role("status")).to_contain_text("consultation a été enregistrée")
    row = register_rows(page).filter(has_text="Collectif du bocage")
    expect(row).to_contain_text("consultée")
    expect(register_rows(page).filter(has_text="Mairie annexe")).not_to_contain_text("consultée")
    expect(page.locator("#analyse + h3 + ul")).not_to_contain_text("Collectif du bocage")

    page.get_by_label("Consultation", exact=True).select_option("oui")
    page.get_by_role("button", name="Filtrer").click()
    expect(register_rows(page)).to_have_count(1)
    expect(register_rows(page)).to_contain_text("Collectif du bocage")
    page.goto(f"{page_of(team)}?quadrant=gerer_etroitement")
    expect(register_rows(page)).to_have_count(2)
    accessible(page, tmp_path, "parties-prenantes-filtre")


def test_an_observer_reads_without_forms_and_a_forged_post_is_forbidden(
    browser: Browser, live_url: str, make_team, with_password, tmp_path: Path
) -> None:
    team = make_team("mini")
    page = sign_in(browser, live_url, with_password(team["observateur"]))
    page.goto(page_of(team))
    expect(page.get_by_role("heading", name="Parties prenantes", level=1)).to_be_visible()
    assert page.locator("main form[method=post]").count() == 0
    assert page.locator("input[type=file]").count() == 0
    accessible(page, tmp_path, "parties-prenantes-observateur")
    token = page.locator("input[name=jeton_formulaire]").first.input_value()
    forged = page.request.post(
        f"{page_of(team)}/consultations",
        form={"date": "2026-03-10", "methode": "atelier", "etape": "a1", "jeton_formulaire": token},
    )
    assert forged.status == 403
    imported = page.request.post(
        f"{page_of(team)}/import",
        multipart={
            "jeton_formulaire": token,
            "fichier": {"name": "pp.csv", "mimeType": "text/csv", "buffer": GOOD.encode()},
        },
    )
    assert imported.status == 403
    no_token = page.request.post(f"{page_of(team)}/consultations", form={"date": "2026-03-10"})
    assert no_token.status == 403
    assert "jeton de formulaire" in no_token.text()
