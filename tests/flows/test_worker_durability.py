"""A worker killed with SIGKILL in the middle of a batch loses nothing and sends nothing twice.

A real dispatch process sends e-mails to a real SMTP server (aiosmtpd). While the third message is being
transferred, the test kills the process; the server answers that message with a temporary failure, as an
MTA does when the client vanishes. A second run, once the dead worker's lease has expired, sends what is left.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from gouvernance.access.service import add_user
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import ContactRow
from gouvernance.notifications.store import Draft, create
from tests.notifications.conftest import Inbox, free_port
from tests.processes import RUN_TIMEOUT, finish, shown, stop

KILL_AT = 3


class KillingInbox(Inbox):
    """Accepts messages, except that the KILL_AT-th transfer waits until the test has killed the sender and
    is then refused: the message was never accepted, so it must be sent again."""

    def __init__(self, watched: set[str]) -> None:
        super().__init__()
        self.watched = watched  # other tests' leftovers may be sent too; only ours are counted
        self.transfers = 0
        self.sender_dead = threading.Event()
        self.reached = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not set(envelope.rcpt_tos) & self.watched:
            return await super().handle_DATA(server, session, envelope)
        self.transfers += 1
        if self.transfers == KILL_AT:
            self.reached.set()
            self.sender_dead.wait(timeout=60)
            return "451 4.3.0 Sender went away, message not accepted"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def pending_emails(db, clock):
    """Six e-mail deliveries waiting to be sent, each to its own address."""
    org = f"ville-{uuid.uuid4().hex[:8]}"
    addresses = []
    with db.transaction() as session:
        drafts = []
        for i in range(6):
            login = f"agent{i}@{org}"
            add_user(session, login, organisation=org, clock=clock)
            session.add(ContactRow(login=login, email=f"agent{i}@{org}.fr", daily_digest=False))
            addresses.append(f"agent{i}@{org}.fr")
            drafts.append(
                Draft(
                    dedupe_key=f"test:{org}:{i}",
                    kind="event",
                    subject=f"Message {i}",
                    body="Bonjour,\n\nUn message pour vous.\n",
                    recipients=[Recipient(login, f"agent{i}@{org}.fr", False)],
                )
            )
        session.flush()
        create(session, drafts, now=clock.now())
    return addresses


def _dispatch_process(database_url: str, port: int, now: str, data_dir: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "GOUVERNANCE_DATABASE_URL": database_url,
        "GOUVERNANCE_SMTP_PORT": str(port),
        "GOUVERNANCE_DATA_DIR": data_dir,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gouvernance",
            "notifications",
            "dispatch",
            "--now",
            now,
            "--batch-size",
            "100",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_worker_loses_nothing_and_sends_nothing_twice(
    db, clock, database_url, pending_emails, tmp_path
) -> None:
    inbox = KillingInbox(set(pending_emails))
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker = _dispatch_process(database_url, port, clock.now().isoformat(), str(tmp_path))
        if not inbox.reached.wait(timeout=RUN_TIMEOUT):
            pytest.fail(f"the worker sent too few messages:\n{shown(*stop(worker))}")
        worker.kill()  # SIGKILL, mid-batch
        worker.wait(timeout=30)
        inbox.sender_dead.set()
        assert worker.returncode == -9
        delivered_before = {m["To"] for m in inbox.messages} & set(pending_emails)
        assert len(delivered_before) == KILL_AT - 1

        # The dead worker's claim on the third message lapses after its lease; a new run picks everything up.
        later = (clock.now() + timedelta(minutes=10)).isoformat()
        rerun = _dispatch_process(database_url, port, later, str(tmp_path))
        out, err = finish(rerun, RUN_TIMEOUT)
        assert rerun.returncode == 0, shown(out, err)
    finally:
        controller.stop()
    received = [m["To"] for m in inbox.messages if m["To"] in pending_emails]
    assert sorted(received) == sorted(pending_emails)  # every message, each exactly once
    ids = [m["Message-ID"] for m in inbox.messages if m["To"] in pending_emails]
    assert len(set(ids)) == len(ids)
