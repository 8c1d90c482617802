"""Benchmark (not a timed test): from a step falling due to its overdue notice reaching the SMTP server.

Everything is real and nobody triggers anything: a `prefect server`, a `gouvernance worker` with its
intervals (the defaults unless given), an SMTP server (aiosmtpd, in this process). N steps fall due at
instants spread evenly over a window that starts a minute after the worker is up; the delay of each is the
moment the SMTP server accepted its « En retard » e-mail minus its due instant.

Target: p95 under one sweep interval plus 60 s. With the defaults (sweep every 15 min, dispatch every
minute) a run lasts about window + 17 min.

Usage: python bench/due_to_email_bench.py [--database-url URL] [--steps 30] [--window 900]
                                         [--sweep-interval 900] [--dispatch-interval 60]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from door_bench import scratch_database

from gouvernance.access.service import add_user, grant
from gouvernance.clock import FrozenClock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.notifications.records import ContactRow
from gouvernance.settings import Settings
from gouvernance.spec.validation import load_model_file
from tests.flows.processes import Process, prefect_server

MODEL = Path(__file__).parents[1] / "tests" / "fixtures" / "models" / "mini.yaml"
STEP_DURATION = timedelta(days=5)  # the small model's first step


class Recorder:
    def __init__(self) -> None:
        self.accepted: dict[str, datetime] = {}

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if str(message["Subject"]).startswith("En retard"):
            for address in envelope.rcpt_tos:
                self.accepted.setdefault(address, datetime.now(UTC))
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import free_port

    defaults = Settings.model_construct()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--window", type=int, default=900, help="seconds over which the steps fall due")
    parser.add_argument("--sweep-interval", type=int, default=defaults.sweep_interval_seconds)
    parser.add_argument("--dispatch-interval", type=int, default=defaults.dispatch_interval_seconds)
    args = parser.parse_args()

    db, drop = scratch_database(args.database_url)
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="gouvernance-due-bench-"))
    model = load_model_file(MODEL)
    try:
        with prefect_server(workdir, f"sqlite+aiosqlite:///{workdir / 'prefect.db'}") as (api, _):
            env = {
                **os.environ,
                "PREFECT_API_URL": api,
                "PREFECT_HOME": str(workdir / "worker-home"),
                "GOUVERNANCE_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
                "GOUVERNANCE_DATA_DIR": str(workdir / "data"),
                "GOUVERNANCE_SMTP_PORT": str(port),
                "GOUVERNANCE_SWEEP_INTERVAL_SECONDS": str(args.sweep_interval),
                "GOUVERNANCE_DISPATCH_INTERVAL_SECONDS": str(args.dispatch_interval),
            }
            worker = Process([sys.executable, "-m", "gouvernance", "worker"], env)
            try:
                worker.wait_for("being served", timeout=300)
                first = datetime.now(UTC) + timedelta(seconds=60)
                due = {}
                org = f"banc-{uuid.uuid4().hex[:6]}"
                with db.transaction() as session:
                    for n in range(args.steps):
                        at = first + timedelta(seconds=args.window * n / max(1, args.steps - 1))
                        clock = FrozenClock(at - STEP_DURATION)
                        login, address = f"c{n}.{org}", f"c{n}@{org}.fr"
                        add_user(session, login, organisation=org, clock=clock)
                        session.add(ContactRow(login=login, email=address))
                        session.flush()
                        engagement = launch(
                            session,
                            LaunchRequest(model, Territory(f"Commune {n}", "commune"), clock.now().date()),
                            actor=ActorRef.of("banc", "consultant"),
                            clock=clock,
                        ).engagement_id
                        grant(session, login, "consultant", clock=clock, engagement_id=engagement)
                        due[address] = at
                longest = 60 + args.window + args.sweep_interval + args.dispatch_interval + 300
                deadline = time.monotonic() + longest
                while len(recorder.accepted) < len(due) and time.monotonic() < deadline:
                    time.sleep(5)
            finally:
                worker.stop()
    finally:
        controller.stop()
        drop()
    delays = sorted((recorder.accepted[a] - due[a]).total_seconds() for a in due if a in recorder.accepted)
    missing = len(due) - len(delays)
    target = args.sweep_interval + 60
    p95 = delays[max(0, round(0.95 * len(delays)) - 1)] if delays else float("nan")
    print(
        f"sweep every {args.sweep_interval} s, dispatch every {args.dispatch_interval} s, "
        f"{len(due)} steps due over {args.window} s"
    )
    if delays:
        print(
            f"delay due → e-mail: p50 {statistics.median(delays):.0f} s, p95 {p95:.0f} s, "
            f"max {delays[-1]:.0f} s; missing {missing}"
        )
    print(f"target p95 < {target} s: {'met' if delays and p95 < target and not missing else 'NOT met'}")


if __name__ == "__main__":
    main()
