"""Background work that runs on its own: a real `prefect server`, a real `gouvernance worker` in another
process, a real SMTP server, and nobody triggering anything. The schedules must fire by themselves.

The intervals come from the worker's settings (GOUVERNANCE_*_INTERVAL_SECONDS), shortened to a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from gouvernance.access.service import add_user, grant
from gouvernance.clock import FrozenClock
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.history.records import OutboxReceiptRow, OutboxRow
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
from gouvernance.notifications.store import Draft, create
from tests.conftest import TEST_DATABASE_URL
from tests.engagements.helpers import finish_a1_a2
from tests.flows.processes import BIN, Process, errors_in, eventually
from tests.processes import run

pytestmark = pytest.mark.slow

INTERVAL = 5  # seconds, for every periodic flow
# Flow runs under way at once. Stopping, the worker cancels them one after the other, each with up to 30 s to
# end (Prefect's grace): with three flows every 5 s on a loaded machine, six runs were starting when the stop
# came, and the stop took over two minutes. Bounded, as `--limit` bounds it in production.
RUNS_AT_ONCE = 2
# From a step falling due to its e-mail: Prefect's scheduler loop (5 s) and the worker's polling (10 s), a
# sweep run, then a dispatch run, each a new process of a few seconds on a busy machine.
WITHIN = 240


def _late_engagement(db, mini_model, people, org: str) -> tuple[str, str]:
    """An engagement whose first step fell due two weeks ago (in real time), and a consultant of its
    organisation with an e-mail address."""
    launched_at = FrozenClock(datetime.now(UTC) - timedelta(days=20))
    consultant = f"claire.{org}"
    with db.transaction() as session:
        add_user(session, consultant, organisation=org, clock=launched_at)
        grant(session, consultant, "consultant", clock=launched_at)
        session.add(ContactRow(login=consultant, email=f"claire@{org}.fr"))
        engagement_id = launch(
            session,
            LaunchRequest(
                mini_model,
                Territory("Ville-en-Retard", "commune"),
                launched_at.now().date(),
                organisation_id=org,
            ),
            actor=people.consultant,
            clock=launched_at,
        ).engagement_id
    return engagement_id, f"claire@{org}.fr"


def test_an_overdue_step_is_reminded_and_a_completed_step_rendered_without_anyone_triggering_it(
    db, mini_model, people, smtp_server, worker_env
) -> None:
    inbox, smtp_port = smtp_server
    org = f"ville-{uuid.uuid4().hex[:8]}"
    engagement_id, address = _late_engagement(db, mini_model, people, org)
    worker = Process(
        [sys.executable, "-m", "gouvernance", "worker", "--limit", str(RUNS_AT_ONCE)],
        worker_env(
            sweep_interval_seconds=INTERVAL,
            dispatch_interval_seconds=INTERVAL,
            deliverables_interval_seconds=INTERVAL,
            smtp_port=smtp_port,
        ),
    )
    try:
        worker.wait_for("being served", timeout=180)

        def overdue_notice() -> list:
            return [m for m in inbox.to(address) if m["Subject"].startswith("En retard")]

        received = eventually(
            overdue_notice, timeout=WITHIN, what=f"an overdue notice to {address}", watching=worker
        )
        with db.reading() as session:
            overdue = session.scalars(
                select(NotificationRow).where(
                    NotificationRow.engagement_id == engagement_id, NotificationRow.kind == "overdue"
                )
            ).one()
        assert [m["Subject"] for m in received] == [overdue.subject]
        assert "« Un »" in overdue.subject
        assert "Ville-en-Retard" in overdue.subject

        # Completing the step that produces the « note » is all it takes for the file to appear.
        finish_a1_a2(db, FrozenClock(datetime.now(UTC)), engagement_id, people)

        def rendered() -> list[str]:
            with db.reading() as session:
                return list(
                    session.scalars(
                        select(DeliverableRow.format).where(
                            DeliverableRow.engagement_id == engagement_id, DeliverableRow.key == "note"
                        )
                    )
                )

        formats = eventually(rendered, timeout=WITHIN, what="the « note » deliverable", watching=worker)
        assert {"html", "pdf", "docx"} <= set(formats)
    finally:
        worker.stop()
    assert worker.stopped_on_sigterm(), f"killed after {worker.stop_seconds:.0f} s:\n{worker.tail()}"


def test_the_embedded_default_fires_its_schedules_too(
    db, database_url, mini_model, people, smtp_server, tmp_path
) -> None:
    """Without PREFECT_API_URL, `gouvernance worker` runs a `prefect server` of its own: Prefect's in-process
    ephemeral server has no scheduler, so nothing would ever fire."""
    inbox, smtp_port = smtp_server
    org = f"ville-{uuid.uuid4().hex[:8]}"
    _, address = _late_engagement(db, mini_model, people, org)
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "worker-home"),
        "GOUVERNANCE_DATABASE_URL": database_url,
        "GOUVERNANCE_DATA_DIR": str(tmp_path / "data"),
        "GOUVERNANCE_SWEEP_INTERVAL_SECONDS": str(INTERVAL),
        "GOUVERNANCE_DISPATCH_INTERVAL_SECONDS": str(INTERVAL),
        "GOUVERNANCE_SMTP_PORT": str(smtp_port),
    }
    env.pop("PREFECT_API_URL", None)
    worker = Process([sys.executable, "-m", "gouvernance", "worker", "--limit", str(RUNS_AT_ONCE)], env)
    try:
        worker.wait_for("being served", timeout=300)
        eventually(
            lambda: [m for m in inbox.to(address) if m["Subject"].startswith("En retard")],
            timeout=WITHIN,
            what=f"an overdue notice to {address}",
            watching=worker,
        )
    finally:
        worker.stop()
    assert worker.stopped_on_sigterm(), f"killed after {worker.stop_seconds:.0f} s:\n{worker.tail()}"
    log = tmp_path / "data" / "prefect" / "server.log"
    errors = errors_in(log.read_text(encoding="utf-8").splitlines(keepends=True), sqlite=True)
    assert not errors, "Prefect's server logged errors:\n" + "\n".join(errors[:3])


class SlowInbox:
    """An SMTP server that takes its time over each message, so that a dispatch is still under way when
    the worker is told to stop."""

    def __init__(self, inner, delay: float = 0.4) -> None:
        self.inner = inner
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await self.inner.handle_DATA(server, session, envelope)


def test_sigterm_stops_the_worker_within_10_s_and_hands_back_its_claims_though_the_server_is_gone(
    db, clock, prefect_api, worker_env
) -> None:
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import Inbox, free_port

    org = f"ville-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, f"agent@{org}", organisation=org, clock=clock)
        create(
            session,
            [
                Draft(
                    dedupe_key=f"test:{org}:{i}",
                    kind="event",
                    subject=f"Message {i}",
                    body="Bonjour,\n",
                    recipients=[Recipient(f"agent@{org}", f"agent{i}@{org}.fr", False)],
                )
                for i in range(60)
            ],
            now=clock.now(),
        )
    inbox = Inbox()
    port = free_port()
    controller = Controller(SlowInbox(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    name = f"w-{org}"
    worker = Process(
        # One flow run at a time, so that one message at most is on the wire when the signal comes.
        [sys.executable, "-m", "gouvernance", "worker", "--limit", "1"],
        worker_env(
            dispatch_interval_seconds=INTERVAL, smtp_port=port, worker_name=name, dispatch_batch_size=20
        ),
    )
    try:
        worker.wait_for("being served", timeout=180)
        eventually(lambda: len([m for m in inbox.messages if org in m["To"]]) >= 2, timeout=WITHIN)
        prefect_api[1].stop()  # the server goes first, as when a whole host shuts down

        started = time.monotonic()
        worker.signal(signal.SIGTERM)
        worker.proc.wait(timeout=30)
        stopped_after = time.monotonic() - started
    finally:
        worker.stop()
        controller.stop()
    assert stopped_after < 10, f"the worker took {stopped_after:.1f}s to stop"

    with db.reading() as session:
        by_status = dict(
            session.execute(
                select(DeliveryRow.status, func.count())
                .join(NotificationRow, NotificationRow.id == DeliveryRow.notification_id)
                .where(NotificationRow.dedupe_key.startswith(f"test:{org}:"), DeliveryRow.channel == "email")
                .group_by(DeliveryRow.status)
            ).all()
        )
    received = len([m for m in inbox.messages if org in m["To"]])
    tail = "".join(worker.output()[-40:])
    assert by_status.get("claimed", 0) == 0, (by_status, tail)  # nothing kept that was not started
    # At most the message on the wire when the signal came keeps its lease: it may have been accepted.
    assert by_status.get("sending", 0) <= 1, (by_status, tail)
    assert by_status.get("sent", 0) >= 2
    assert by_status.get("sent", 0) + by_status.get("sending", 0) >= received
    assert sum(by_status.values()) == 60


PROJECT = Path(__file__).resolve().parents[2]


def _pool_project(directory: Path) -> Path:
    """The project's prefect.yaml, with the intervals an operator in a hurry would set: sweep and dispatch
    every few seconds, deliverables out of the way."""
    document = yaml.safe_load((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))
    every = {"sweep_reminders": INTERVAL, "dispatch_notifications": INTERVAL, "produce_deliverables": 3600}
    for deployment in document["deployments"]:
        function = deployment["entrypoint"].rsplit(":", 1)[1]
        if function in every:
            deployment["schedules"] = [{"interval": every[function]}]
    directory.mkdir()
    (directory / "prefect.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return directory


def _run(args: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    run(args, env=env, cwd=cwd)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="workers share the queue with SKIP LOCKED: PostgreSQL")
def test_two_pool_workers_share_200_engagements_reminders_and_send_each_exactly_once(
    db, mini_model, people, worker_env, tmp_path
) -> None:
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import Inbox, free_port

    org = f"epci-{uuid.uuid4().hex[:8]}"
    launched_at = FrozenClock(datetime.now(UTC) - timedelta(days=20))
    with db.transaction() as session:
        for i in range(4):
            add_user(session, f"consultant{i}.{org}", organisation=org, clock=launched_at)
            grant(session, f"consultant{i}.{org}", "consultant", clock=launched_at)
            session.add(ContactRow(login=f"consultant{i}.{org}", email=f"consultant{i}@{org}.fr"))
        engagements = [
            launch(
                session,
                LaunchRequest(
                    mini_model,
                    Territory(f"Commune {n}", "commune"),
                    launched_at.now().date(),
                    organisation_id=org,
                ),
                actor=people.consultant,
                clock=launched_at,
            ).engagement_id
            for n in range(200)
        ]
    inbox = Inbox()
    port = free_port()
    controller = Controller(SlowInbox(inbox, delay=0.01), hostname="127.0.0.1", port=port)
    controller.start()
    env = worker_env("deployer")
    project = _pool_project(tmp_path / "project")
    _run([str(BIN / "prefect"), "work-pool", "create", "gouvernance", "--type", "process"], env)
    _run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env, cwd=project)
    workers = [
        Process(
            [str(BIN / "prefect"), "worker", "start", "--pool", "gouvernance", "--name", name],
            {
                **worker_env(name, smtp_port=port, worker_name=name, dispatch_batch_size=10),
                "PREFECT_WORKER_QUERY_SECONDS": "2",
            },
            cwd=project,
        )
        for name in ("w1", "w2")
    ]

    def deliveries() -> list[tuple[int, str, str | None]]:
        with db.reading() as session:
            return list(
                session.execute(
                    select(DeliveryRow.id, DeliveryRow.status, DeliveryRow.claimed_by)
                    .join(NotificationRow, NotificationRow.id == DeliveryRow.notification_id)
                    .where(NotificationRow.engagement_id.in_(engagements), DeliveryRow.channel == "email")
                ).all()
            )

    def settled() -> bool:
        """Every overdue step noticed, every event of these engagements turned into notifications, and every
        e-mail they call for sent."""
        with db.reading() as session:
            overdue = session.scalar(
                select(func.count())
                .select_from(NotificationRow)
                .where(NotificationRow.engagement_id.in_(engagements), NotificationRow.kind == "overdue")
            )
            unread_events = session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(
                    OutboxRow.engagement_id.in_(engagements),
                    ~select(OutboxReceiptRow.outbox_id)
                    .where(
                        OutboxReceiptRow.outbox_id == OutboxRow.id,
                        OutboxReceiptRow.consumer == "notifications",
                    )
                    .exists(),
                )
            )
        owed = deliveries()
        return overdue == 200 and unread_events == 0 and all(status == "sent" for _, status, _ in owed)

    try:
        for worker in workers:
            worker.wait_for("started", timeout=180)
        eventually(settled, timeout=WITHIN * 2, what="every e-mail sent", watching=workers[1])
    finally:
        for worker in workers:
            worker.stop()
        controller.stop()

    owed = deliveries()
    ours = [m for m in inbox.messages if m["To"].endswith(f"@{org}.fr")]
    # 200 overdue notices and the launch events, each to the 4 consultants: nothing lost, nothing twice.
    assert len(owed) >= 800
    assert all(status == "sent" for _, status, _ in owed)
    assert len(ours) == len(owed)
    assert len({m["Message-ID"] for m in ours}) == len(owed)
    assert {claimed_by for _, _, claimed_by in owed} == {"w1", "w2"}  # both did part of the work
