"""Reminders, escalations and event notifications, delivered for real: e-mail through an SMTP server
(aiosmtpd) and signed webhooks to an HTTP receiver."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from gouvernance.engagements.actors import ActorRef
from gouvernance.notifications.channels import HttpWebhookSender, InMemoryMailer, SmtpMailer, sign, verify
from gouvernance.notifications.digest import build_digests
from gouvernance.notifications.dispatch import dispatch
from gouvernance.notifications.events import notify_events
from gouvernance.notifications.records import DeliveryRow, NotificationRow, WebhookRow
from gouvernance.notifications.reminders import sweep
from tests.engagements.helpers import finish_a1_a2, fire

BASE_URL = "https://gouvernance.example.fr"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def team(crew):
    """The crew of conftest.py, as (organisation, logins, engagement id)."""
    return crew.organisation, crew.logins, crew.engagement_id


def _notifications(db, engagement_id):
    with db.reading() as session:
        return session.scalars(
            select(NotificationRow)
            .where(NotificationRow.engagement_id == engagement_id)
            .order_by(NotificationRow.id)
        ).all()


def _deliveries(db, notification_id):
    with db.reading() as session:
        return session.scalars(
            select(DeliveryRow).where(DeliveryRow.notification_id == notification_id)
        ).all()


def _sweep(db, clock):
    with db.transaction() as session:
        return sweep(session, now=clock.now())


def test_each_reminder_level_is_created_once_then_escalated(db, clock, team) -> None:
    _, logins, engagement_id = team
    _sweep(db, clock)
    assert not _notifications(db, engagement_id)  # due in 5 days; reminders start 3 days before
    launched_at = clock.now()
    for days in (2.5, 2.6, 4.5, 5.5, 6.0, 7.5, 9.0):
        clock.set(launched_at + timedelta(days=days))
        _sweep(db, clock)
    levels = [n.data["level"] for n in _notifications(db, engagement_id) if n.kind != "event"]
    assert levels == ["before:3", "before:1", "overdue", "escalation"]
    overdue, escalation = [
        n for n in _notifications(db, engagement_id) if n.data["level"] in ("overdue", "escalation")
    ]
    assert overdue.role == "consultant"
    assert "En retard" in overdue.subject
    assert escalation.role == "elu"
    assert "Escalade" in escalation.subject
    assert {(d.channel, d.recipient) for d in _deliveries(db, escalation.id)} == {
        ("in_app", logins["sophie"]),
        ("email", logins["sophie"]),
        ("in_app", logins["marc"]),
    }


def test_people_who_already_approved_are_not_reminded(db, clock, team, people) -> None:
    _, logins, engagement_id = team
    finish_a1_a2(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    fire(db, clock, engagement_id, "a_rev", "submit", people.consultant)
    fire(db, clock, engagement_id, "a_rev", "endorse", ActorRef.of(logins["sophie"], "elu"))
    clock.advance(timedelta(days=2, hours=12))  # a_rev is due in 3 days
    _sweep(db, clock)
    [reminder] = [n for n in _notifications(db, engagement_id) if n.step_id and n.role == "elu"]
    recipients = {d.recipient for d in _deliveries(db, reminder.id)}
    assert logins["marc"] in recipients
    assert logins["sophie"] not in recipients


def test_reminder_e_mails_arrive_in_french_once(db, clock, team, smtp_server) -> None:
    inbox, port = smtp_server
    org, _, _ = team
    clock.advance(timedelta(days=2, hours=12))
    _sweep(db, clock)
    mailer = SmtpMailer(port=port)
    report = dispatch(db, mailer=mailer, webhooks=HttpWebhookSender(), clock=clock, worker="test")
    assert report.sent >= 1
    [message] = inbox.to(f"claire@{org}.fr")
    assert message["Subject"].startswith("Rappel : « Un » arrive à échéance le 7 mars 2026")
    assert message["Content-Language"] == "fr"
    text = message.get_content()
    assert "arrive à échéance le 7 mars 2026, dans 2 jours" in text
    assert "Votre rôle : Consultant" in text
    again = dispatch(db, mailer=mailer, webhooks=HttpWebhookSender(), clock=clock, worker="test")
    assert again.sent == 0
    assert len(inbox.to(f"claire@{org}.fr")) == 1
    assert not inbox.to(f"marc@{org}.fr")  # Marc reads a daily digest instead


def test_daily_digest_collects_the_day(db, clock, team, smtp_server) -> None:
    inbox, port = smtp_server
    org, _, _ = team
    clock.advance(timedelta(days=8))
    _sweep(db, clock)  # overdue + escalation to the élus
    with db.transaction() as session:
        assert build_digests(session, now=clock.now(), base_url=BASE_URL, tz=PARIS) >= 1
        assert build_digests(session, now=clock.now(), base_url=BASE_URL, tz=PARIS) == 0
    dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    [digest] = inbox.to(f"marc@{org}.fr")
    assert digest["Subject"].startswith("Votre récapitulatif du")
    assert "Escalade" in digest.get_content()


def test_events_reach_signed_webhooks_and_the_people_called_on(
    db, clock, team, webhook_receiver, people
) -> None:
    org, logins, engagement_id = team
    with db.transaction() as session:
        session.add(
            WebhookRow(
                organisation_key=org,
                url=webhook_receiver.url,
                secret=webhook_receiver.secret,
                active=True,
                created_at=clock.now(),
            )
        )
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    notify_events(db, clock=clock)
    notify_events(db, clock=clock)  # a second run finds nothing new to tell
    report = dispatch(db, mailer=InMemoryMailer(), webhooks=HttpWebhookSender(), clock=clock, worker="test")
    topics = sorted(n.data["topic"] for n in _notifications(db, engagement_id) if n.kind == "event")
    assert {"engagement.launched", "engagement.activate", "step.make_ready", "step.start"} <= set(topics)
    assert len(topics) == len(set(topics))
    posted = [r for r in webhook_receiver.received]
    assert len(posted) >= 4
    assert all(r.valid for r in posted)
    assert not verify(webhook_receiver.secret, posted[0].body + b" ", posted[0].signature, tolerance=10**10)
    assert verify(webhook_receiver.secret, b"{}", sign(webhook_receiver.secret, b"{}"))
    [ready] = [n for n in _notifications(db, engagement_id) if n.data.get("topic") == "step.make_ready"]
    assert "Nouvelle étape à mener : « Un »" in ready.subject
    assert logins["claire"] in {d.recipient for d in _deliveries(db, ready.id)}
    assert report.failed == 0
