"""The background flows, run by Prefect (session-scoped test harness) against the test database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gouvernance.access.service import add_user, ensure_organisation, grant
from gouvernance.engagements.records import EngagementRow
from gouvernance.notifications.records import ContactRow
from gouvernance.settings import get_settings
from gouvernance.stakeholders.register_service import register_size
from tests.notifications.conftest import Inbox, free_port

pytestmark = pytest.mark.usefixtures("prefect_harness", "flow_settings")


def test_launching_for_many_territories_is_idempotent(db) -> None:
    from gouvernance.flows.background import launch_engagements

    key = f"epci-{uuid.uuid4().hex[:8]}"
    communes = [{"name": f"Commune {i}", "kind": "commune"} for i in range(5)]
    register = "\n".join(
        [
            "Nom;Type;Catégorie;Pouvoir;Intérêt",
            "Mairie;organisation;Élu;5;5",
            "Amicale;organisation;Association;2;4",
        ]
    )
    first = launch_engagements(
        "gouvernance-partagee", communes, date(2026, 9, 7), key, stakeholders_csv=register
    )
    retried = launch_engagements(
        "gouvernance-partagee", communes, date(2026, 9, 7), key, stakeholders_csv=register
    )
    assert [r["created"] for r in first] == [True] * 5
    assert [r["created"] for r in retried] == [False] * 5
    assert [r["engagement_id"] for r in first] == [r["engagement_id"] for r in retried]
    with db.reading() as session:
        count = session.scalar(
            select(func.count())
            .select_from(EngagementRow)
            .where(EngagementRow.id.in_([r["engagement_id"] for r in first]))
        )
    assert count == 5
    with db.reading() as session:
        registers = {register_size(session, r["engagement_id"]) for r in first}
    assert registers == {2}  # imported once into each, not again on the retry


def test_sweep_then_dispatch_sends_the_reminders(db, monkeypatch, clock) -> None:
    from aiosmtpd.controller import Controller

    from gouvernance.flows.background import dispatch_notifications, launch_engagements, sweep_reminders

    org = f"epci-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        ensure_organisation(session, org, clock=clock)
    [launched] = launch_engagements(
        "gouvernance-partagee",
        [{"name": "Val Fleuri", "kind": "epci"}],
        date(2026, 9, 7),
        org,
        organisation=org,
    )
    with db.transaction() as session:
        add_user(session, f"claire@{org}", organisation=org, clock=clock)
        grant(session, f"claire@{org}", "consultant", clock=clock)
        session.add(ContactRow(login=f"claire@{org}", email=f"claire@{org}.fr", daily_digest=False))
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("GOUVERNANCE_SMTP_PORT", str(port))
    get_settings.cache_clear()
    from gouvernance.flows.runtime import runtime

    runtime.cache_clear()
    try:
        late = datetime.now(UTC) + timedelta(days=60)  # the flows launched with the system clock
        swept = sweep_reminders(now=late)
        assert swept["created"] >= 1
        assert sweep_reminders(now=late)["created"] == 0
        sent = dispatch_notifications(now=late)
        assert sent["sent"] >= 1, sent
    finally:
        controller.stop()
    mine = inbox.to(f"claire@{org}.fr")
    assert mine
    assert all(m["Content-Language"] == "fr" for m in mine)
    assert any("En retard" in m["Subject"] or "Nouvelle étape" in m["Subject"] for m in mine)
    assert launched["engagement_id"]


def test_produce_deliverables_flow_renders_done_steps(
    db, clock, people, launch_engagement, mini_model
) -> None:
    from gouvernance.flows.background import produce_deliverables
    from tests.engagements.helpers import finish_a1_a2

    engagement_id = launch_engagement(mini_model)
    finish_a1_a2(db, clock, engagement_id, people)
    produced = produce_deliverables(limit=500)
    assert {"html", "pdf", "docx"} <= {p["format"] for p in produced if p["key"] == "note"}


def test_the_retention_flow_purges_expired_sign_in_traces_and_counts_them(db) -> None:
    from gouvernance.access.records import AccessLinkRow, LoginAttemptRow, WebSessionRow
    from gouvernance.clock import FrozenClock
    from gouvernance.flows.background import apply_retention_flow

    # Long before any other test's rows, so that the counts are this test's alone.
    now = datetime(1990, 6, 1, tzinfo=UTC)
    long_ago = now - timedelta(days=get_settings().access_purge_days + 1)
    login = f"purge.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=FrozenClock(long_ago))
        session.add_all(
            [
                WebSessionRow(
                    login=login,
                    token_sha256=uuid.uuid4().hex,
                    created_at=long_ago,
                    expires_at=long_ago,
                ),
                LoginAttemptRow(login=login, address="192.0.2.9", attempted_at=long_ago),
                AccessLinkRow(
                    login=login,
                    purpose="invitation",
                    token_sha256=uuid.uuid4().hex,
                    created_at=long_ago,
                    expires_at=long_ago,
                ),
            ]
        )
    result = apply_retention_flow(now=now)
    assert (result["web_sessions"], result["login_attempts"], result["access_links"]) == (1, 1, 1)
    with db.reading() as session:
        for table in (WebSessionRow, LoginAttemptRow, AccessLinkRow):
            assert session.scalars(select(table).where(table.login == login)).all() == []
