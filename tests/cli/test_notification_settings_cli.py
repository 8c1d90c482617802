"""`gouvernance users set-admin|set-preferences` and `gouvernance webhooks add|list|remove`, run as a user
would, on the test database: what the commands write is what the domain then reads, and refusals are French
lines without a traceback."""

from __future__ import annotations

import re
import uuid

from gouvernance.notifications.preferences import Preferences, preferences_of
from gouvernance.notifications.webhooks import webhooks_of


def test_preferences_round_trip(cli, db) -> None:
    org = f"cc-{uuid.uuid4().hex[:8]}"
    login = f"julien.{org}"
    cli("users", "add", login, "--org", org, "--operateur")
    shown = cli(
        "users",
        "set-preferences",
        login,
        "--email",
        "julien@val-fleuri.fr",
        "--delivery",
        "daily_digest",
        "--operateur",
    )
    assert "julien@val-fleuri.fr" in shown.stdout
    assert "un récapitulatif par jour" in shown.stdout
    # the other options stay as they were
    cli("users", "set-preferences", login, "--language", "en", "--operateur")
    with db.reading() as session:
        assert preferences_of(session, login) == Preferences("julien@val-fleuri.fr", "en", "daily_digest")
    cli("users", "set-preferences", login, "--no-email", "--delivery", "none", "--operateur")
    with db.reading() as session:
        assert preferences_of(session, login) == Preferences(None, "en", "none")

    refused = cli(
        "users", "set-preferences", login, "--email", "julien-at-val-fleuri", "--operateur", ok=False
    )
    assert "Préférences de notification invalides" in refused.stderr
    assert "adresse électronique invalide « julien-at-val-fleuri »" in refused.stderr
    assert "(preferences.email)" in refused.stderr


def test_webhooks_round_trip_for_an_admin_only(cli, db) -> None:
    org = f"cc-{uuid.uuid4().hex[:8]}"
    admin, member = f"admin.{org}", f"agent.{org}"
    cli("users", "add", admin, "--org", org, "--admin", "--operateur")
    cli("users", "add", member, "--org", org, "--operateur")

    refused = cli("webhooks", "add", org, "https://hooks.val-fleuri.fr/g", "--as", member, ok=False)
    assert "Action réservée aux administrateurs de l'organisation" in refused.stderr
    assert "(organisation.admin_required)" in refused.stderr
    bad = cli("webhooks", "add", org, "ftp://hooks.val-fleuri.fr/g", "--as", admin, ok=False)
    assert "attendu une URL http:// ou https://" in bad.stderr

    added = cli(
        "webhooks",
        "add",
        org,
        "https://hooks.val-fleuri.fr/g",
        "--as",
        admin,
        "--event",
        "step.submit",
        "--event",
        "engagement.launched",
    ).stdout
    webhook_id = int(re.search(r"Webhook (\d+) ajouté", added)[1])  # type: ignore[index]
    secret = re.search(r"affiché une seule fois\) : (\S+)", added)[1]  # type: ignore[index]
    with db.reading() as session:
        [stored] = webhooks_of(session, organisation=org, by=admin)
    assert (stored.id, stored.events) == (webhook_id, ("step.submit", "engagement.launched"))

    listed = cli("webhooks", "list", org, "--as", admin).stdout
    assert "https://hooks.val-fleuri.fr/g" in listed
    assert "step.submit" in listed
    assert secret not in listed

    cli("users", "set-admin", member, "--operateur")  # now they may
    cli("webhooks", "remove", org, str(webhook_id), "--as", member)
    with db.reading() as session:
        assert webhooks_of(session, organisation=org, by=admin) == []
    again = cli("webhooks", "remove", org, str(webhook_id), "--as", admin, ok=False)
    assert "(webhook.not_found)" in again.stderr


def test_set_email_changes_the_address_only(cli, db) -> None:
    login = f"agent.{uuid.uuid4().hex[:8]}"
    cli("users", "add", login, "--org", "ville-set-email", "--operateur")
    cli("users", "set-preferences", login, "--delivery", "daily_digest", "--language", "en", "--operateur")
    shown = cli("users", "set-email", login, "agent@ville.fr", "--operateur").stdout
    assert "agent@ville.fr" in shown
    assert "daily_digest" in shown  # the other choices are kept
    with db.reading() as session:
        assert preferences_of(session, login) == Preferences("agent@ville.fr", "en", "daily_digest")
    refused = cli("users", "set-email", login, "agent-at-ville", "--operateur", ok=False)
    assert "adresse électronique invalide « agent-at-ville »" in refused.stderr
