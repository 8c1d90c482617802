"""Benchmark (not a timed test): dispatch throughput with two worker processes against one.

Each round queues N e-mail deliveries (10k by default) in a scratch PostgreSQL schema, then starts one or two
dispatch processes at the same instant; each claims batches with SELECT … FOR UPDATE SKIP LOCKED and sends to
a real SMTP server (aiosmtpd, in this process). Throughput is N divided by the time from the start signal to
the last process finishing. Rounds alternate 1, 2, 1, 2… so that the machine's noise falls on both.
Target: two workers >= 1.6x one.

Usage: python bench/dispatch_bench.py --database-url postgresql://… [--count 10000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from door_bench import scratch_database

from gouvernance.access.service import add_user
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import DeliveryRow
from gouvernance.notifications.store import Draft, create

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
CHILD = """
import json, sys, time
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.notifications.channels import HttpWebhookSender, SmtpMailer
from gouvernance.notifications.dispatch import dispatch
from datetime import datetime
url, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = Database(url)
db.engine.connect().close()
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
report = dispatch(db, mailer=SmtpMailer(port=port), webhooks=HttpWebhookSender(),
                  clock=FrozenClock(datetime.fromisoformat(sys.argv[4])), worker=name, batch_size=100)
print(json.dumps({"sent": report.sent, "seconds": time.perf_counter() - started}), flush=True)
"""


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def queue(db: Database, count: int) -> None:
    org = f"banc-{uuid.uuid4().hex[:8]}"
    clock = FrozenClock(NOW)
    with db.transaction() as session:
        add_user(session, f"agent@{org}", organisation=org, clock=clock)
    for start in range(0, count, 2000):
        with db.transaction() as session:
            create(
                session,
                [
                    Draft(
                        dedupe_key=f"bench:{org}:{i}",
                        kind="event",
                        subject=f"Message {i}",
                        body="Bonjour,\n\nUn message du banc d'essai.\n",
                        recipients=[Recipient(f"agent@{org}", f"agent{i}@{org}.fr", False)],
                    )
                    for i in range(start, min(count, start + 2000))
                ],
                now=NOW,
            )


def one_round(db: Database, url: str, port: int, workers: int, count: int) -> tuple[float, list[int]]:
    queue(db, count)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(port), f"w{i}", NOW.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [json.loads(child.communicate(timeout=3600)[0]) for child in children]
    elapsed = time.perf_counter() - started
    with db.reading() as session:
        left = session.scalar(select(func.count()).where(DeliveryRow.status != "sent"))
    assert left == 0, f"{left} deliveries not sent"
    return elapsed, [r["sent"] for r in results]


def main() -> None:
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import free_port

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="PostgreSQL (SKIP LOCKED)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    rates: dict[int, list[float]] = {1: [], 2: []}
    try:
        for r in range(args.rounds):
            for workers in (1, 2):
                db, drop = scratch_database(args.database_url)
                try:
                    url = db.engine.url.render_as_string(hide_password=False)
                    elapsed, shares = one_round(db, url, port, workers, args.count)
                finally:
                    drop()
                rates[workers].append(args.count / elapsed)
                print(
                    f"round {r + 1}, {workers} worker(s): {args.count / elapsed:7.1f} e-mails/s "
                    f"({elapsed:.1f} s; shares {shares})",
                    flush=True,
                )
    finally:
        controller.stop()
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"median: 1 worker {one:.1f}/s, 2 workers {two:.1f}/s, ratio {two / one:.2f} (target >= 1.6)")


if __name__ == "__main__":
    main()
