"""Administration in Chromium: a town hall's admin invites a partner on its engagement; the partner opens the
e-mailed link, chooses a password, is signed in and finds the engagement in their portfolio; the admin then
takes the role back. Every new page passes axe-core with zero violations."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from gouvernance.access.service import set_org_admin
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.notifications.channels import InMemoryMailer, InMemoryWebhookSender
from gouvernance.notifications.dispatch import dispatch
from tests.api.conftest import Directory, launch
from tests.web.conftest import sign_in
from tests.web.test_pages_in_browser import accessible

CHOSEN = "le mot de passe du partenaire"


def test_an_admin_invites_a_partner_who_chooses_a_password_and_sees_the_engagement(
    browser: Browser,
    live_url: str,
    client: TestClient,
    directory: Directory,
    db: Database,
    clock: FrozenClock,
    with_password,
    tmp_path: Path,
) -> None:
    admin = with_password(directory.person(directory.organisation("mairie"), org_roles=("chef_de_projet",)))
    with db.transaction() as session:
        set_org_admin(session, admin.login)
    engagement_id = launch(client, admin)
    page = sign_in(browser, live_url, admin)
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    accessible(page, tmp_path, "administration")

    invitation = page.locator("form[action='/administration/invitations']")
    invitation.get_by_role("button", name="Envoyer l'invitation").click()  # empty: errors, values kept
    expect(page.get_by_role("alert")).to_contain_text("Indiquez l'adresse électronique")
    expect(page.locator("#invitation-courriel")).to_have_attribute("aria-invalid", "true")
    accessible(page, tmp_path, "administration-erreurs")

    address = f"partenaire.{uuid.uuid4().hex[:8]}@asso.fr"
    invitation = page.locator("form[action='/administration/invitations']")
    invitation.get_by_label("Adresse électronique").fill(address)
    invitation.get_by_label("Nom (facultatif)").fill("Paule Partenaire")
    invitation.get_by_label("Rôle").select_option("partenaire")
    invitation.get_by_label("Où").select_option(engagement_id)
    invitation.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée")
    expect(page.get_by_role("row", name=re.compile("Paule Partenaire"))).to_contain_text("Partenaire")

    mailer = InMemoryMailer()
    dispatch(db, mailer=mailer, webhooks=InMemoryWebhookSender(), clock=clock, worker="navigateur")
    [mail] = mailer.to(address)
    link = re.search(r"/invitation/[A-Za-z0-9_\-]+", mail.get_content())
    assert link

    partner = browser.new_context(base_url=live_url, locale="fr-FR").new_page()
    partner.goto(link.group(0))
    expect(partner.get_by_role("heading", name="Choisir votre mot de passe")).to_be_visible()
    accessible(partner, tmp_path, "invitation")
    partner.get_by_label("Mot de passe", exact=True).fill(CHOSEN)
    partner.get_by_label("Confirmation du mot de passe").fill("autre chose")
    partner.get_by_role("button", name="Enregistrer et se connecter").click()
    expect(partner.locator("#confirmation-erreur")).to_contain_text("ne correspond pas")
    accessible(partner, tmp_path, "invitation-erreur")
    partner.get_by_label("Mot de passe", exact=True).fill(CHOSEN)
    partner.get_by_label("Confirmation du mot de passe").fill(CHOSEN)
    partner.get_by_role("button", name="Enregistrer et se connecter").click()
    partner.wait_for_url(re.compile(r"/portefeuille$"))
    expect(partner.get_by_role("link", name="Saint-Jean-de-Braye")).to_be_visible()

    # Signed out, the partner signs in again with the password they chose.
    partner.get_by_role("button", name="Se déconnecter").click()
    partner.get_by_label("Identifiant").fill(address)
    partner.get_by_label("Mot de passe").fill(CHOSEN)
    partner.get_by_role("button", name="Se connecter").click()
    partner.wait_for_url(re.compile(r"/portefeuille$"))
    expect(partner.get_by_role("link", name="Saint-Jean-de-Braye")).to_be_visible()
    partner.goto(link.group(0))
    expect(partner.get_by_role("heading", name="Page introuvable")).to_be_visible()  # the link served once

    page.reload()
    page.get_by_role("button", name=f"Retirer le rôle Partenaire de {address}").click()
    expect(page.get_by_role("status")).to_contain_text("Rôle retiré")


def test_forgotten_password_page(browser: Browser, live_url: str, tmp_path: Path) -> None:
    page = browser.new_context(base_url=live_url, locale="fr-FR").new_page()
    page.goto("/connexion")
    page.get_by_role("link", name="Mot de passe oublié").click()
    expect(page.get_by_role("heading", name="Mot de passe oublié")).to_be_visible()
    accessible(page, tmp_path, "mot-de-passe-oublie")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.locator("#courriel")).to_have_attribute("aria-invalid", "true")
    accessible(page, tmp_path, "mot-de-passe-oublie-erreur")
    page.get_by_label("Adresse électronique").fill("inconnue@nulle-part.fr")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.get_by_role("status")).to_contain_text("Si cette adresse correspond à un compte")
    accessible(page, tmp_path, "mot-de-passe-oublie-envoye")


def test_a_person_who_is_not_admin_is_refused(
    browser: Browser, live_url: str, directory: Directory, with_password
) -> None:
    agent = with_password(directory.person(directory.organisation("mairie"), org_roles=("agent",)))
    page = sign_in(browser, live_url, agent)
    response = page.goto("/administration")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Action non autorisée")).to_be_visible()
