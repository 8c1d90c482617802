"""Reminders people can act on: each links to its step, and on a step that waits for stakeholders to be
consulted it names them. Runs on SQLite, and on PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, update

from gouvernance.access.service import grant
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow, ProcessModelRow
from gouvernance.notifications.channels import HttpWebhookSender, SmtpMailer
from gouvernance.notifications.dispatch import dispatch
from gouvernance.notifications.records import DeliveryRow, NotificationRow
from gouvernance.notifications.sweeping import run_sweep
from gouvernance.spec.validation import load_model_file
from tests.engagements.helpers import fire, step
from tests.stakeholders.conftest import MODELS, Register

PARIS = ZoneInfo("Europe/Paris")
CONSULTANT = ActorRef.of("claire", "consultant")
CHEF = ActorRef.of("julien", "chef_de_projet")


def _sweep(db, now, base_url="https://gouvernance.example.fr", batch_size=1000):
    return run_sweep(db, now=now, base_url=base_url, tz=PARIS, batch_size=batch_size)


def _reminders(db, engagement_id, step_key):
    with db.reading() as session:
        return session.scalars(
            select(NotificationRow)
            .where(
                NotificationRow.engagement_id == engagement_id,
                NotificationRow.kind.in_(["reminder", "overdue", "escalation"]),
                NotificationRow.data["step_key"].as_string() == step_key,
            )
            .order_by(NotificationRow.id)
        ).all()


def test_the_reminder_e_mail_and_its_data_link_to_the_step(db, clock, crew, smtp_server) -> None:
    inbox, port = smtp_server
    clock.advance(timedelta(days=2, hours=12))  # a1 is due in 2 days
    _sweep(db, clock.now(), base_url="https://gouvernance.example.fr/")  # a trailing slash is dropped
    dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(), clock=clock, worker="test")

    url = f"https://gouvernance.example.fr/engagements/{crew.engagement_id}/steps/a1"
    [reminder] = _reminders(db, crew.engagement_id, "a1")
    assert reminder.data["url"] == url
    [message] = inbox.to(crew.email("claire"))
    assert url in message.get_content().splitlines()  # on a line of its own, for mail readers to link it


def test_escalations_link_to_the_step_too(db, clock, crew) -> None:
    _sweep(db, clock.now() + timedelta(days=8), base_url="https://mairie.example.fr/gouvernance")
    url = f"https://mairie.example.fr/gouvernance/engagements/{crew.engagement_id}/steps/a1"
    notices = {n.kind: n for n in _reminders(db, crew.engagement_id, "a1")}
    assert set(notices) == {"overdue", "escalation"}
    assert all(n.data["url"] == url and url in n.body for n in notices.values())


@pytest.fixture(scope="module")
def parties_model():
    return load_model_file(MODELS / "parties.yaml")


def _at_synthese(db, clock, register: Register) -> Register:
    """Loads the register and walks to « Synthèse » (started), which may only be submitted once the key
    players (« gérer étroitement ») were consulted during the diagnostic."""
    register.load()
    for key, event_name, actor in (
        ("entretiens", "start", CONSULTANT),
        ("entretiens", "submit", CONSULTANT),
        ("entretiens", "approve", CHEF),
        ("synthese", "start", CONSULTANT),
    ):
        fire(db, clock, register.engagement_id, key, event_name, actor)
    return register


@pytest.fixture
def parties(db, clock, parties_model, launch_engagement) -> Register:
    """An engagement of the ``parties`` model with its register, at « Synthèse »."""
    return _at_synthese(db, clock, Register(db, clock, launch_engagement(parties_model)))


def test_the_reminder_names_the_key_players_still_to_consult(db, parties) -> None:
    due = step(db, parties.engagement_id, "synthese").due_at
    parties.consult("entretiens", "maire")
    _sweep(db, due - timedelta(days=2))
    parties.consult("synthese", "collectif")
    _sweep(db, due + timedelta(hours=1))

    reminder, overdue = _reminders(db, parties.engagement_id, "synthese")
    assert "Acteurs clés pas encore consultés : Collectif riverain, Promoteur." in reminder.body
    assert [p["key"] for p in reminder.data["still_to_consult"]] == ["collectif", "promoteur"]
    assert "Acteurs clés pas encore consultés : Promoteur." in overdue.body  # the residents were heard
    assert [p["key"] for p in overdue.data["still_to_consult"]] == ["promoteur"]


def test_consultations_of_another_stage_do_not_count(db, parties) -> None:
    due = step(db, parties.engagement_id, "synthese").due_at
    parties.consult("partenaires", "maire", "collectif", "promoteur")  # the mediation stage
    _sweep(db, due - timedelta(days=2))
    [reminder] = _reminders(db, parties.engagement_id, "synthese")
    assert "Acteurs clés pas encore consultés : Mairie, Collectif riverain, Promoteur." in reminder.body


def test_no_one_is_named_once_everyone_was_heard(db, parties) -> None:
    due = step(db, parties.engagement_id, "synthese").due_at
    parties.consult("entretiens", "maire", "collectif", "promoteur")
    _sweep(db, due - timedelta(days=2))
    [reminder] = _reminders(db, parties.engagement_id, "synthese")
    assert "Acteurs clés" not in reminder.body
    assert "still_to_consult" not in reminder.data


def test_who_is_missing_is_read_once_per_batch_not_once_per_step(
    db, clock, parties_model, launch_engagement
) -> None:
    registers = [
        _at_synthese(db, clock, Register(db, clock, launch_engagement(parties_model))) for _ in range(3)
    ]
    registers[0].consult("entretiens", "maire")
    due = step(db, registers[0].engagement_id, "synthese").due_at
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        outcome = _sweep(db, due - timedelta(days=1), batch_size=100_000)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    register_reads = [s for s in statements if "FROM stakeholders" in s or "consultation_participants" in s]
    assert outcome.candidates >= 3
    assert len(register_reads) == 2  # one batch: the registers, then who was heard
    named = [
        reminder.data["still_to_consult"]
        for register in registers
        for reminder in _reminders(db, register.engagement_id, "synthese")
    ]
    assert [[p["key"] for p in persons] for persons in named] == [
        ["collectif", "promoteur"],
        ["maire", "collectif", "promoteur"],
        ["maire", "collectif", "promoteur"],
    ]


def test_whoever_is_told_a_step_is_overdue_is_not_also_sent_its_escalation(db, clock, crew) -> None:
    # Claire is the consultant acting on a1 and also holds the élu role the step escalates to.
    with db.transaction() as session:
        grant(session, crew.logins["claire"], "elu", clock=clock)
    _sweep(db, clock.now() + timedelta(days=8))
    notices = {n.kind: n for n in _reminders(db, crew.engagement_id, "a1")}
    with db.reading() as session:
        to = {
            kind: {
                d.recipient
                for d in session.scalars(select(DeliveryRow).where(DeliveryRow.notification_id == n.id))
            }
            for kind, n in notices.items()
        }
    assert crew.logins["claire"] in to["overdue"]
    assert crew.logins["claire"] not in to["escalation"]
    assert crew.logins["sophie"] in to["escalation"]  # the other élus are still told


def test_an_engagement_whose_model_cannot_be_read_is_skipped_and_the_others_are_still_reminded(
    db, clock, crew, mini_model, launch_engagement
) -> None:
    # A model stored in a format this process does not know (written by a newer gouvernance, or naming a
    # guard rule a plug-in no longer provides): its engagement cannot be reminded, the others still are.
    unreadable_key = f"mini-illisible-{uuid.uuid4().hex[:6]}"
    unreadable = launch_engagement(mini_model.model_copy(update={"key": unreadable_key}))
    with db.transaction() as session:
        stored = session.get(ProcessModelRow, (unreadable_key, mini_model.version))
        session.add(
            ProcessModelRow(
                key=unreadable_key,
                version=mini_model.version + 1,
                sha256=stored.sha256,
                title=stored.title,
                document=stored.document,
                registered_at=stored.registered_at,
                format_version=99,
            )
        )
        session.flush()
        session.execute(
            update(EngagementRow)
            .where(EngagementRow.id == unreadable)
            .values(model_version=mini_model.version + 1)
        )
    try:
        outcome = _sweep(db, clock.now() + timedelta(days=10))
    finally:  # the test database is shared: leave no engagement other tests' consumers cannot read
        with db.transaction() as session:
            session.execute(
                update(EngagementRow)
                .where(EngagementRow.id == unreadable)
                .values(model_version=mini_model.version)
            )
    assert list(outcome.skipped) == [unreadable]
    assert "format inconnu" in outcome.skipped[unreadable]
    assert [n.kind for n in _reminders(db, crew.engagement_id, "a1")] == ["overdue", "escalation"]
    assert _reminders(db, unreadable, "a1") == []
