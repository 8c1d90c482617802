"""Notification preferences and organisation webhooks, as the domain services keep them, and what the
notifications consumer then does with them: e-mails only for the people who want them at once, webhooks
only for the event kinds they asked for."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from gouvernance.access.service import add_user, grant, set_org_admin
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.errors import Forbidden, InvalidInput, NotFound
from gouvernance.notifications.channels import HttpWebhookSender, InMemoryMailer, SmtpMailer
from gouvernance.notifications.dispatch import dispatch
from gouvernance.notifications.events import notify_events
from gouvernance.notifications.preferences import Preferences, preferences_of, set_preferences
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
from gouvernance.notifications.webhooks import add_webhook, remove_webhook, webhooks_of


@pytest.fixture
def org(db, clock) -> str:
    """An organisation with an admin ("admin.<org>") and a member who is not one ("membre.<org>")."""
    key = f"ville-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, f"admin.{key}", organisation=key, clock=clock, org_admin=True)
        add_user(session, f"membre.{key}", organisation=key, clock=clock)
    return key


@pytest.fixture
def consultants(db, clock, mini_model, people, org) -> tuple[dict[str, str], str]:
    """Three organisation-wide consultants, one per delivery mode, and an engagement of the organisation
    whose first step (the consultants' work) has just become ready."""
    logins = {mode: f"{mode}.{org}" for mode in ("immediate", "daily_digest", "none")}
    with db.transaction() as session:
        for mode, login in logins.items():
            add_user(session, login, organisation=org, clock=clock)
            grant(session, login, "consultant", clock=clock)
            set_preferences(session, login, preferences=Preferences(f"{mode}@{org}.fr", "fr", mode))
        engagement_id = launch(
            session,
            LaunchRequest(mini_model, Territory("Ville", "commune"), date(2026, 3, 2), organisation_id=org),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    return logins, engagement_id


def _channels(db, engagement_id: str, topic: str) -> set[tuple[str, str]]:
    with db.reading() as session:
        [notification] = [
            n
            for n in session.scalars(
                select(NotificationRow).where(NotificationRow.engagement_id == engagement_id)
            )
            if n.data.get("topic") == topic
        ]
        deliveries = session.scalars(
            select(DeliveryRow).where(DeliveryRow.notification_id == notification.id)
        )
        return {(d.channel, d.recipient) for d in deliveries}


# --- preferences ----------------------------------------------------------------------------------------


def test_preferences_default_then_replaced_then_read_back(db, org) -> None:
    login = f"membre.{org}"
    with db.transaction() as session:
        assert preferences_of(session, login) == Preferences(None, "fr", "immediate")
        saved = set_preferences(
            session, login, preferences=Preferences("  Lea.Martin@ville.fr ", "en", "daily_digest")
        )
    assert saved == Preferences("Lea.Martin@ville.fr", "en", "daily_digest")
    with db.reading() as session:
        assert preferences_of(session, login) == saved
        row = session.get(ContactRow, login)
        assert row is not None
        assert row.daily_digest  # what the digest builder reads follows the delivery mode
        assert session.scalar(
            select(ContactRow.login).where(ContactRow.daily_digest.is_(True), ContactRow.login == login)
        )


def test_every_bad_field_is_reported_with_its_path_and_nothing_is_written(db, org) -> None:
    login = f"membre.{org}"
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        set_preferences(session, login, preferences=Preferences("pas-une-adresse", "de", "pigeon"))
    reasons = {reason.path: reason for reason in refused.value.reasons}
    assert set(reasons) == {"email", "language", "delivery"}
    assert "adresse électronique invalide « pas-une-adresse »" in reasons["email"].fr
    assert "invalid e-mail address" in reasons["email"].en
    with db.reading() as session:
        assert session.get(ContactRow, login) is None


@pytest.mark.parametrize(
    "address", ["a@b", "deux@ad@resses.fr", "a b@ville.fr", "a@ville.fr\nBcc: x@y.fr", "x" * 250 + "@v.fr"]
)
def test_addresses_that_cannot_be_mailed_are_refused(db, org, address: str) -> None:
    with pytest.raises(InvalidInput), db.transaction() as session:
        set_preferences(session, f"membre.{org}", preferences=Preferences(address))


def test_an_unknown_user_has_no_preferences(db) -> None:
    with pytest.raises(NotFound), db.reading() as session:
        preferences_of(session, "personne.inconnue")


def test_each_delivery_mode_decides_the_e_mails(db, clock, consultants, smtp_server) -> None:
    logins, engagement_id = consultants
    inbox, port = smtp_server
    notify_events(db, clock=clock)
    assert _channels(db, engagement_id, "step.make_ready") == {
        ("in_app", logins["immediate"]),
        ("email", logins["immediate"]),
        ("in_app", logins["daily_digest"]),  # told in tomorrow's digest instead
        ("in_app", logins["none"]),  # in the application only
    }
    dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    org = logins["none"].split(".", 1)[1]
    [message] = inbox.to(f"immediate@{org}.fr")
    assert "Nouvelle étape à mener : « Un »" in message["Subject"]
    assert not inbox.to(f"none@{org}.fr")
    assert not inbox.to(f"daily_digest@{org}.fr")


def test_switching_to_none_stops_the_e_mails_and_leaves_the_inbox(db, clock, consultants) -> None:
    logins, engagement_id = consultants
    with db.transaction() as session:
        set_preferences(session, logins["immediate"], preferences=Preferences("immediate@x.fr", "fr", "none"))
    notify_events(db, clock=clock)
    channels = _channels(db, engagement_id, "step.make_ready")
    assert ("in_app", logins["immediate"]) in channels
    assert not [channel for channel, _ in channels if channel == "email"]


# --- organisation admins and webhooks -------------------------------------------------------------------


def test_only_an_admin_of_the_organisation_manages_its_webhooks(db, clock, org) -> None:
    other = f"ailleurs-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, f"admin.{other}", organisation=other, clock=clock, org_admin=True)
    for intruder in (f"membre.{org}", f"admin.{other}", "personne.inconnue"):
        with pytest.raises(Forbidden) as refused, db.transaction() as session:
            add_webhook(session, organisation=org, url="https://h.fr/x", by=intruder, clock=clock)
        assert refused.value.code == "organisation.admin_required"
        assert "administrateurs de l'organisation" in refused.value.text("fr")
        assert "admins of organisation" in refused.value.text("en")
        with pytest.raises(Forbidden), db.reading() as session:
            webhooks_of(session, organisation=org, by=intruder)
    with db.transaction() as session:
        set_org_admin(session, f"membre.{org}")
        add_webhook(session, organisation=org, url="https://h.fr/x", by=f"membre.{org}", clock=clock)
        set_org_admin(session, f"membre.{org}", admin=False)
    with pytest.raises(Forbidden), db.reading() as session:
        webhooks_of(session, organisation=org, by=f"membre.{org}")


def test_a_webhook_gets_a_secret_shown_once_and_can_be_removed(db, clock, org) -> None:
    admin = f"admin.{org}"
    with db.transaction() as session:
        created = add_webhook(
            session, organisation=org, url="https://h.fr/x", by=admin, clock=clock, events=["step.submit"]
        )
        chosen = add_webhook(
            session,
            organisation=org,
            url="http://h.fr/y",
            by=admin,
            clock=clock,
            secret="un-secret-assez-long",
        )
    assert len(created.secret) >= 40
    assert chosen.secret == "un-secret-assez-long"
    with db.reading() as session:
        listed = webhooks_of(session, organisation=org, by=admin)
    assert [(w.id, w.url, w.events) for w in listed] == [
        (created.webhook.id, "https://h.fr/x", ("step.submit",)),
        (chosen.webhook.id, "http://h.fr/y", ()),
    ]
    assert created.secret not in repr(listed)
    with db.transaction() as session:
        remove_webhook(session, organisation=org, webhook_id=created.webhook.id, by=admin)
    with pytest.raises(NotFound), db.transaction() as session:
        remove_webhook(session, organisation=org, webhook_id=created.webhook.id, by=admin)
    with db.reading() as session:
        assert [w.id for w in webhooks_of(session, organisation=org, by=admin)] == [chosen.webhook.id]


def test_another_organisations_webhook_cannot_be_removed(db, clock, org) -> None:
    other = f"ailleurs-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, f"admin.{other}", organisation=other, clock=clock, org_admin=True)
        theirs = add_webhook(
            session, organisation=other, url="https://h.fr/x", by=f"admin.{other}", clock=clock
        )
    with pytest.raises(NotFound), db.transaction() as session:
        remove_webhook(session, organisation=org, webhook_id=theirs.webhook.id, by=f"admin.{org}")


def test_bad_webhooks_are_refused_with_every_reason(db, clock, org) -> None:
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        add_webhook(
            session,
            organisation=org,
            url="ftp://h.fr/x",
            by=f"admin.{org}",
            clock=clock,
            secret="court",
            events=["step.submit", "step.sumbit"],
        )
    reasons = {reason.path: reason for reason in refused.value.reasons}
    assert set(reasons) == {"url", "secret", "events"}
    assert "attendu une URL http:// ou https://" in reasons["url"].fr
    assert reasons["events"].details["unknown"] == ["step.sumbit"]


def test_webhooks_receive_the_event_kinds_they_asked_for(
    db, clock, org, consultants, webhook_receiver
) -> None:
    _, engagement_id = consultants
    with db.transaction() as session:
        every = add_webhook(
            session, organisation=org, url=webhook_receiver.url, by=f"admin.{org}", clock=clock
        )
        launched_only = add_webhook(
            session,
            organisation=org,
            url=webhook_receiver.url,
            by=f"admin.{org}",
            clock=clock,
            secret=every.secret,
            events=["engagement.launched"],
        )
    webhook_receiver.secret = every.secret  # the receiver checks signatures with the secret it was shown
    notify_events(db, clock=clock)
    dispatch(db, mailer=InMemoryMailer(), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    to = {every.webhook.id: "every", launched_only.webhook.id: "launched"}
    with db.reading() as session:
        posted = {
            (to[int(d.recipient.split(":")[1])], n.data["topic"])
            for d, n in session.execute(
                select(DeliveryRow, NotificationRow)
                .join(NotificationRow, NotificationRow.id == DeliveryRow.notification_id)
                .where(DeliveryRow.channel == "webhook", NotificationRow.engagement_id == engagement_id)
            )
        }
    assert posted == {
        ("every", "engagement.launched"),
        ("every", "engagement.activate"),
        ("every", "step.make_ready"),
        ("launched", "engagement.launched"),
    }
    mine = [r for r in webhook_receiver.received if json.loads(r.body)["engagement_id"] == engagement_id]
    assert len(mine) == 4
    assert all(r.valid for r in mine)
