"""One periodic pass for the worker and the command line: the sweep, then the daily digests from 7 o'clock,
Paris time, whatever the offset from UTC. Each digest item links to what it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from gouvernance.notifications.records import NotificationRow
from gouvernance.notifications.sweeping import digests_due, run_sweep

PARIS = ZoneInfo("Europe/Paris")
BASE_URL = "https://gouvernance.example.fr"


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (datetime(2026, 7, 1, 4, 59, tzinfo=UTC), False),  # 06:59 in Paris (summer time, UTC+2)
        (datetime(2026, 7, 1, 5, 0, tzinfo=UTC), True),  # 07:00 in Paris, still 05:00 UTC
        (datetime(2026, 1, 15, 5, 59, tzinfo=UTC), False),  # 06:59 in Paris (winter time, UTC+1)
        (datetime(2026, 1, 15, 6, 0, tzinfo=UTC), True),
        (datetime(2026, 1, 15, 22, 30, tzinfo=UTC), True),  # 23:30 in Paris
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), False),  # 00:30 the next day in Paris
    ],
)
def test_digests_are_due_from_seven_o_clock_local_time(utc: datetime, due: bool) -> None:
    assert digests_due(utc, PARIS) is due


def _digest(db, login: str, day: str) -> NotificationRow | None:
    with db.reading() as session:
        key = f"digest:{login}:{day}"
        return session.scalar(select(NotificationRow).where(NotificationRow.dedupe_key == key))


def test_a_summer_morning_sweep_builds_the_digests_with_links(db, crew) -> None:
    marc = crew.logins["marc"]
    early = run_sweep(db, now=datetime(2026, 7, 1, 4, 30, tzinfo=UTC), base_url=BASE_URL, tz=PARIS)
    assert early.created >= 2  # a1 overdue, and escalated to the élus
    assert _digest(db, marc, "2026-07-01") is None  # 06:30 in Paris: too early
    later = run_sweep(db, now=datetime(2026, 7, 1, 6, 0, tzinfo=UTC), base_url=BASE_URL, tz=PARIS)
    assert later.created == 0
    assert later.digests >= 1  # 08:00 in Paris, though only 06:00 UTC
    digest = _digest(db, marc, "2026-07-01")
    assert digest is not None
    url = f"{BASE_URL}/engagements/{crew.engagement_id}/steps/a1"
    assert f"  {url}" in digest.body.splitlines()
    assert url in [item["url"] for item in digest.data["items"]]


@pytest.fixture
def public_address(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set before the ``cli`` fixture reads the environment."""
    monkeypatch.setenv("GOUVERNANCE_BASE_URL", BASE_URL + "/")
    return BASE_URL


def test_the_command_line_sweep_builds_the_digests_as_the_worker_does(db, crew, public_address, cli) -> None:
    too_early = cli("reminders", "sweep", "--now", "2026-07-01T06:30").stdout  # Paris time
    assert "; 0 récapitulatif quotidien." in too_early
    morning = cli("reminders", "sweep", "--now", "2026-07-01T08:00").stdout
    assert "; 0 récapitulatif" not in morning
    digest = _digest(db, crew.logins["marc"], "2026-07-01")
    assert digest is not None
    assert digest.created_at == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert f"  {public_address}/engagements/{crew.engagement_id}/steps/a1" in digest.body.splitlines()


def test_reminders_give_the_due_date_where_the_people_live(db, crew) -> None:
    # a1 is due at 08:00 UTC on 7 March: still 6 March in the Marquesas (UTC−9:30).
    run_sweep(
        db, now=datetime(2026, 7, 1, 4, 30, tzinfo=UTC), base_url=BASE_URL, tz=ZoneInfo("Pacific/Marquesas")
    )
    with db.reading() as session:
        overdue = session.scalar(
            select(NotificationRow).where(
                NotificationRow.engagement_id == crew.engagement_id, NotificationRow.kind == "overdue"
            )
        )
    assert overdue is not None
    assert "devait être terminée le 6 mars 2026" in overdue.body


def test_the_command_line_sweep_says_to_whom_and_notifications_list_shows_each_delivery(
    db, crew, public_address, cli
) -> None:
    swept = cli("reminders", "sweep", "--now", "2026-07-01T06:30").stdout
    claire, sophie = crew.logins["claire"], crew.logins["sophie"]
    overdue = next(line for line in swept.splitlines() if "En retard : « Un »" in line and claire in line)
    assert overdue.endswith(f"— rôle consultant → {claire} (courriel, application)")
    escalation = next(line for line in swept.splitlines() if "Escalade : « Un »" in line and sophie in line)
    assert "— rôle elu → " in escalation

    assert "réservé aux opérateurs" in cli("notifications", "list", ok=False).stderr
    listed = cli("notifications", "list", "--engagement", crew.engagement_id[:8], "--operateur").stdout
    assert "En retard : « Un »" in listed
    assert claire in listed
    assert "en attente" in listed  # the e-mails wait for the dispatcher
