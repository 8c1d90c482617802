"""The composition root: the CLI, the API and the flows start from the same runtime, built from the settings,
so the configured timezone reaches the domain and the outside systems are built in one place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gouvernance.cli import context
from gouvernance.cli.app import app
from gouvernance.composition import build_runtime
from gouvernance.db.engine import Database
from gouvernance.engagements.records import StepRow
from gouvernance.guards.registry import guard_rules
from gouvernance.notifications.channels import InMemoryMailer, SmtpMailer
from gouvernance.notifications.sweeping import digests_due
from gouvernance.settings import Settings, get_settings


@pytest.fixture
def cayenne(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A French Guiana set-up (UTC−3) on a database of its own."""
    monkeypatch.setenv("GOUVERNANCE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GOUVERNANCE_DATABASE_URL", raising=False)
    monkeypatch.setenv("GOUVERNANCE_TIMEZONE", "America/Cayenne")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_work_starts_at_nine_in_the_configured_timezone(cayenne: Path) -> None:
    added = CliRunner().invoke(app, ["users", "add", "agent.cayenne", "--org", "cayenne", "--operateur"])
    assert added.exit_code == 0, added.output
    launched = CliRunner().invoke(
        app,
        [
            "launch",
            "gouvernance-partagee",
            "--territory",
            "Cayenne",
            "--start",
            "2099-01-05",
            "--operateur",
            "--org",
            "cayenne",
        ],
    )
    assert launched.exit_code == 0, launched.output
    with Database(f"sqlite:///{cayenne / 'gouvernance.db'}").reading() as session:
        ready = set(session.scalars(select(StepRow.ready_at).where(StepRow.state == "ready")))
    nine_in_cayenne = datetime(2099, 1, 5, 9, 0, tzinfo=ZoneInfo("America/Cayenne"))
    assert ready == {nine_in_cayenne.astimezone(UTC)}  # 12:00 UTC, not 9:00 Paris time


def test_the_cli_runtime_follows_the_settings(cayenne: Path) -> None:
    runtime = context.runtime()
    assert context.runtime() is runtime  # built once: one database, one mailer, one catalogue per process
    assert runtime.tz == ZoneInfo("America/Cayenne")
    assert context.clock().tz == ZoneInfo("America/Cayenne")
    get_settings.cache_clear()
    assert context.runtime() is not runtime


def test_one_mailer_from_the_smtp_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, smtp_host="smtp.mairie.example", smtp_port=2525, smtp_starttls=True
    )
    mailer = build_runtime(settings).mailer
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.starttls) == ("smtp.mairie.example", 2525, True)
    recording = InMemoryMailer()
    assert build_runtime(settings, mailer=recording).mailer is recording


def test_the_plugins_are_registered_by_the_runtime(tmp_path: Path) -> None:
    build_runtime(Settings(data_dir=tmp_path))
    assert {"evidence_attached", "approved_by", "stakeholders_consulted", "conflicts_mediated"} <= set(
        guard_rules()
    )


def test_a_moment_without_offset_is_local_time_for_the_cli_and_the_flows(tmp_path: Path) -> None:
    runtime = build_runtime(Settings(data_dir=tmp_path, timezone="America/Cayenne"))
    early, seven = runtime.clock_at(datetime(2026, 7, 1, 6, 30)), runtime.clock_at(datetime(2026, 7, 1, 7, 0))
    assert early.now() == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert (digests_due(early.now(), runtime.tz), digests_due(seven.now(), runtime.tz)) == (False, True)
    assert early.tz == runtime.tz
    aware = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)
    assert runtime.clock_at(aware).now() == aware
    assert runtime.clock_at(None) is runtime.clock
