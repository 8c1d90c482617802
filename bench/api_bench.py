"""Benchmark of the HTTP API (not a timed test).

A real uvicorn process serves the API on a loopback port; 1, 16 and 64 concurrent clients (httpx, one thread
and one keep-alive connection each, each on an engagement of its own) send step events with If-Match:
submit, then request_rework, and again. The same transitions go through the one door in-process, with the
same number of threads, on the same database, alternating with the HTTP runs round after round. For each
backend and concurrency: transitions per second over HTTP, p50/p95/p99 latency, the in-process rate and the
ratio of the two (medians of the rounds).

Usage:
    python bench/api_bench.py [--database-url postgresql://…] [--sqlite-only | --postgresql-only]
                              [--seconds S] [--rounds R] [--clients 1,16,64] [--workers N]
Without --database-url it runs SQLite only; with it, SQLite then PostgreSQL (a scratch schema, dropped after).
The table is also written to bench/results/api_bench.md.
Targets: HTTP >= 40 % of the in-process rate; p99 < 50 ms with 16 clients on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from door_bench import CONSULTANT, scratch_database, synthetic_model

from gouvernance.access.service import add_user, create_token, grant
from gouvernance.clock import FrozenClock, SystemClock
from gouvernance.db.engine import Database
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import transition
from gouvernance.spec.schema import ProcessModel

ORGANISATION = "banc-d-essai"
STEP = "s0_t0"
CYCLE = (("submit", None), ("request_rework", "À reprendre"))


@dataclass
class Run:
    transitions: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    round_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """The median of the rounds' rates (robust to a noisy neighbour during one round)."""
        if self.round_rates:
            return statistics.median(self.round_rates)
        return self.transitions / self.seconds if self.seconds else 0.0

    def add(self, other: Run) -> None:
        self.transitions += other.transitions
        self.errors += other.errors
        self.latencies.extend(other.latencies)
        self.seconds += other.seconds
        self.round_rates.append(other.transitions / other.seconds)

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def prepare(db: Database, model: ProcessModel, engagements: int) -> tuple[str, list[str]]:
    """A user with both lead roles organisation-wide, its token, and engagements whose first step is in
    progress (so that submit / request_rework can go round for ever)."""
    clock = FrozenClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    with db.transaction() as session:
        add_user(session, "banc", organisation=ORGANISATION, clock=clock, exist_ok=True)
        for role in ("consultant", "chef_de_projet"):
            grant(session, "banc", role, clock=clock)
        token = create_token(session, "banc", clock=clock)
    ids = []
    for _ in range(engagements):
        with db.transaction() as session:
            request = LaunchRequest(
                model, Territory("Banc", "commune"), date(2026, 1, 5), organisation_id=ORGANISATION
            )
            engagement_id = launch(session, request, actor=CONSULTANT, clock=clock).engagement_id
            transition(
                session,
                engagement_id=engagement_id,
                step_key=STEP,
                event="start",
                actor=CONSULTANT,
                clock=clock,
            )
        ids.append(engagement_id)
    return token, ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, data_dir: str, workers: int = 1) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DATABASE_URL": url, "GOUVERNANCE_DATA_DIR": data_dir}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gouvernance.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base, time.perf_counter() - started
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit("the API server did not start")
        time.sleep(0.02)


Worker = Callable[[int, threading.Event, "Run"], None]


def drive(clients: int, seconds: float, warmup: float, worker: Worker) -> Run:
    """``clients`` threads run ``worker`` for warmup + seconds; only the last ``seconds`` are counted."""
    runs = [Run() for _ in range(clients)]
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(i, stop, runs[i]), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(warmup)
        for run in runs:
            run.transitions, run.errors, run.latencies = 0, 0, []
        began = time.perf_counter()
        time.sleep(seconds)
    finally:
        stop.set()  # also when interrupted: no client keeps going
    elapsed = time.perf_counter() - began
    for thread in threads:
        thread.join()
    total = Run(seconds=elapsed)
    for run in runs:
        total.transitions += run.transitions
        total.errors += run.errors
        total.latencies.extend(run.latencies)
    return total


def measure(
    clients: int, rounds: int, seconds: float, warmup: float, http: Worker, door: Worker
) -> tuple[Run, Run]:
    """HTTP and in-process alternate, round after round, so that both see the same machine."""
    over_http, in_process = Run(), Run()
    for _ in range(rounds):
        over_http.add(drive(clients, seconds, warmup, http))
        in_process.add(drive(clients, seconds, warmup, door))
    return over_http, in_process


def http_worker(base: str, token: str, ids: list[str]) -> Callable[[int, threading.Event, Run], None]:
    def work(index: int, stop: threading.Event, run: Run) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        path = f"/engagements/{ids[index]}/steps/{STEP}"
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            step = http.get(path)
            etag, state = step.headers["etag"], step.json()["state"]
            turn = 0 if state == "in_progress" else 1
            while not stop.is_set():
                event, comment = CYCLE[turn]
                began = time.perf_counter()
                response = http.post(
                    f"{path}/events", json={"event": event, "comment": comment}, headers={"If-Match": etag}
                )
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    run.errors += 1
                    step = http.get(path)
                    etag, turn = step.headers["etag"], 0 if step.json()["state"] == "in_progress" else 1
                    continue
                etag, turn = response.headers["etag"], 1 - turn
                run.transitions += 1
                run.latencies.append(elapsed)

    return work


def door_worker(db: Database, ids: list[str]) -> Callable[[int, threading.Event, Run], None]:
    clock = SystemClock()

    def work(index: int, stop: threading.Event, run: Run) -> None:
        with db.reading() as session:
            from gouvernance.engagements.transitions import load_subject

            row = load_subject(session, ids[index], STEP).step
            assert row is not None
            version, turn = row.version, 0 if row.state == "in_progress" else 1
        while not stop.is_set():
            event, comment = CYCLE[turn]
            began = time.perf_counter()
            with db.transaction() as session:
                result = transition(
                    session,
                    engagement_id=ids[index],
                    step_key=STEP,
                    event=event,
                    actor=CONSULTANT,
                    clock=clock,
                    expected_version=version,
                    comment=comment,
                )
            run.latencies.append(time.perf_counter() - began)
            version, turn = result.version, 1 - turn
            run.transitions += 1

    return work


def bench_backend(
    name: str,
    url: str | None,
    levels: list[int],
    seconds: float,
    warmup: float,
    rounds: int,
    workers: int = 1,
) -> list[dict]:
    db, drop = scratch_database(url)
    rows = []
    try:
        model = synthetic_model("banc-api", 1, 3)
        token, ids = prepare(db, model, max(levels))
        data_dir = tempfile.mkdtemp(prefix="gouvernance-api-bench-")
        process, base, startup = start_server(db.url, data_dir, workers)
        print(f"[{name}] server ready in {startup:.2f} s (process start to /readyz)", flush=True)
        try:
            for clients in levels:
                over_http, in_process = measure(
                    clients, rounds, seconds, warmup, http_worker(base, token, ids), door_worker(db, ids)
                )
                rows.append(
                    {
                        "backend": name,
                        "clients": clients,
                        "http": over_http,
                        "door": in_process,
                        "startup": startup,
                    }
                )
                print(
                    f"[{name}] {clients:>2} clients: {over_http.rate:7.1f}/s over HTTP, "
                    f"{in_process.rate:7.1f}/s in-process",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        drop()
    return rows


def _ratio(rate: float, baseline: float | None) -> str:
    return f"{rate / baseline:.0%}" if baseline else "—"


def report(rows: list[dict]) -> str:
    door_single = {row["backend"]: row["door"].rate for row in rows if row["clients"] == 1}
    lines = [
        "| backend | clients | HTTP tr/s | p50 ms | p95 ms | p99 ms | errors | door tr/s (same threads) "
        "| HTTP / door | HTTP / door (1 thread) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        http, door = row["http"], row["door"]
        lines.append(
            f"| {row['backend']} | {row['clients']} | {http.rate:.0f} | {http.percentile(50):.1f} | "
            f"{http.percentile(95):.1f} | {http.percentile(99):.1f} | {http.errors} | {door.rate:.0f} | "
            f"{http.rate / door.rate:.0%} | {_ratio(http.rate, door_single.get(row['backend']))} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GOUVERNANCE_BENCH_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--seconds", type=float, default=3.0, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    options = parser.parse_args()
    # Stopped from outside (timeout, Ctrl-C): unwind so the server process and the scratch schema go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    levels = [int(n) for n in options.clients.split(",")]
    rows = []
    if not options.postgresql_only:
        rows += bench_backend(
            "SQLite", None, levels, options.seconds, options.warmup, options.rounds, options.workers
        )
    if options.database_url and not options.sqlite_only:
        rows += bench_backend(
            "PostgreSQL",
            options.database_url,
            levels,
            options.seconds,
            options.warmup,
            options.rounds,
            options.workers,
        )
    print()
    print(report(rows))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "api_bench.md").write_text(report(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
