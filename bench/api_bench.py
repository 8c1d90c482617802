"""Benchmark of the HTTP API (not a timed test).

``gouvernance serve`` runs on a loopback port, as an operator starts it (without the access log). The load
comes from wrk, a load generator written in C: 1, 16 and 64 keep-alive connections, each on an engagement
of its own, send step events with If-Match (submit, then request_rework, and again), each request carrying
the ETag of the previous response (bench/api_bench.lua). The client costs about 0.05 ms of CPU per request;
a Python client costs ten times as much and takes its share of the same two cores.

The same transitions go through the one door in-process (threads, one per client), on the same database,
alternating with the HTTP runs round after round. For each backend, number of API processes and number of
clients: transitions per second over HTTP, p50/p95/p99 latency (medians of the rounds, and the worst p99),
the in-process rate and the ratio of the two, the CPU the server processes spent per transition, and the
share of the machine's CPU time the hypervisor took for other guests while the HTTP rounds ran ("steal").
On a shared host the latencies move with that share; bench/api_cost.py counts instructions, which do not.

Usage:
    python bench/api_bench.py [--database-url postgresql://…] [--sqlite-only | --postgresql-only]
                              [--seconds S] [--rounds R] [--clients 1,16,64] [--workers 1,2]
Without --database-url it runs SQLite only; with it, SQLite then PostgreSQL (a scratch schema, dropped after).
SQLite is served by one process (several need PostgreSQL); PostgreSQL by each of --workers.
wrk comes from Debian's package (apt-get install wrk). The table is also written to bench/results/.
Targets: HTTP >= 40 % of the in-process rate; p99 < 50 ms with 16 clients on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
from gouvernance.clock import Clock, FrozenClock, SystemClock
from gouvernance.db.engine import Database
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.subject import load_subject
from gouvernance.engagements.transitions import transition
from gouvernance.errors import Conflict
from gouvernance.spec.schema import ProcessModel

ORGANISATION = "banc-d-essai"
STEP = "s0_t0"
CYCLE = (("submit", None), ("request_rework", "À reprendre"))
WRK_SCRIPT = Path(__file__).with_name("api_bench.lua")


@dataclass
class Round:
    transitions: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int = 0
    cpu_ms: float | None = None  # server CPU per transition
    steal: float | None = None  # share of the machine's CPU time the hypervisor took during the round

    @property
    def rate(self) -> float:
        return self.transitions / self.seconds


@dataclass
class Series:
    """Rounds of one kind (HTTP or in-process); each figure is the median of the rounds, robust to a noisy
    neighbour during one of them."""

    rounds: list[Round] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        values = [getattr(r, attribute) for r in self.rounds if getattr(r, attribute) is not None]
        return statistics.median(values) if values else float("nan")

    @property
    def worst_p99(self) -> float:
        return max(r.p99 for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


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


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    startup: float

    def pids(self) -> list[int]:
        """The serve process and its workers."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [self.process.pid, *map(int, children)]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def start_server(url: str, data_dir: str, workers: int = 1) -> Server:
    """``gouvernance serve``, as an operator runs it, without the access log (one line per request)."""
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DATABASE_URL": url, "GOUVERNANCE_DATA_DIR": data_dir}
    started = time.perf_counter()
    command = [sys.executable, "-m", "gouvernance", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return Server(process, base, time.perf_counter() - started)
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit("the API server did not start")
        time.sleep(0.02)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def cpu_times() -> tuple[int, int]:
    """(steal, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return ticks[7], sum(ticks)


def step_states(base: str, token: str, ids: list[str]) -> list[tuple[str, str, int]]:
    """(engagement, ETag, turn) for each client, read over HTTP before a run: the runs in between (HTTP or
    in-process) moved the versions on."""
    states = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for engagement_id in ids:
            step = http.get(f"/engagements/{engagement_id}/steps/{STEP}")
            step.raise_for_status()
            states.append(
                (engagement_id, step.headers["etag"], 0 if step.json()["state"] == "in_progress" else 1)
            )
    return states


def wrk_run(server: Server, token: str, ids: list[str], clients: int, seconds: float) -> Round:
    """One wrk run: one thread and one connection per client, so that each connection walks its own
    engagement in order. Returns what wrk's done() hook printed."""
    with tempfile.TemporaryDirectory(prefix="gouvernance-wrk-") as directory:
        states = Path(directory) / "states.txt"
        lines = [
            f"{engagement_id} {tag} {turn}"
            for engagement_id, tag, turn in step_states(server.base, token, ids[:clients])
        ]
        states.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "BENCH_STATES": str(states), "BENCH_TOKEN": token, "BENCH_STEP": STEP}
        cpu_before, (steal_before, total_before) = cpu_seconds(server.pids()), cpu_times()
        command = [
            "wrk",
            "-t",
            str(clients),
            "-c",
            str(clients),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
        ]
        output = subprocess.run(
            [*command, "-s", str(WRK_SCRIPT), server.base],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cpu = cpu_seconds(server.pids()) - cpu_before
        steal_after, total_after = cpu_times()
    result = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, microseconds, bad_status, socket_errors, p50, p95, p99 = result.split()[1:]
    transitions = int(requests) - int(bad_status) - int(socket_errors)
    return Round(
        transitions=transitions,
        seconds=int(microseconds) / 1e6,
        p50=float(p50) / 1000,
        p95=float(p95) / 1000,
        p99=float(p99) / 1000,
        errors=int(bad_status) + int(socket_errors),
        cpu_ms=cpu / transitions * 1000 if transitions else None,
        steal=(steal_after - steal_before) / max(1, total_after - total_before),
    )


def door_round(db: Database, ids: list[str], clients: int, seconds: float, warmup: float) -> Round:
    """``clients`` threads send the same transitions through the door for warmup + seconds; only the last
    ``seconds`` are counted."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop, counting = threading.Event(), threading.Event()
    work = door_worker(db, ids)
    threads = [
        threading.Thread(target=work, args=(i, stop, counting, latencies[i]), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(warmup)
        counting.set()
        began = time.perf_counter()
        time.sleep(seconds)
    finally:
        stop.set()  # also when interrupted: no thread keeps going
    elapsed = time.perf_counter() - began
    for thread in threads:
        thread.join()
    every = [latency for own in latencies for latency in own]
    return Round(len(every), elapsed, *percentiles(every))


def read_step(db: Database, engagement_id: str) -> tuple[int, int]:
    """(version, turn) of the benchmarked step."""
    with db.reading() as session:
        row = load_subject(session, engagement_id, STEP).step
        assert row is not None
        return row.version, 0 if row.state == "in_progress" else 1


def send_through_door(db: Database, engagement_id: str, version: int, turn: int, clock: Clock) -> int:
    """The benchmark's event for ``turn`` (CYCLE) through the one door, in a transaction of its own, with
    ``version`` as the expected version. Returns the new version."""
    event, comment = CYCLE[turn]
    with db.transaction() as session:
        return transition(
            session,
            engagement_id=engagement_id,
            step_key=STEP,
            event=event,
            actor=CONSULTANT,
            clock=clock,
            expected_version=version,
            comment=comment,
        ).version


def door_worker(db: Database, ids: list[str]) -> Callable[..., None]:
    clock = SystemClock()

    def work(index: int, stop: threading.Event, counting: threading.Event, latencies: list[float]) -> None:
        version, turn = read_step(db, ids[index])
        while not stop.is_set():
            began = time.perf_counter()
            try:
                new_version = send_through_door(db, ids[index], version, turn, clock)
            except Conflict:  # a request of the HTTP run before was still in flight when it ended
                version, turn = read_step(db, ids[index])
                continue
            if counting.is_set():
                latencies.append(time.perf_counter() - began)
            version, turn = new_version, 1 - turn

    return work


@dataclass
class Row:
    backend: str
    workers: int
    clients: int
    http: Series
    door: Series
    startup: float


def bench_backend(
    name: str, url: str | None, workers: list[int], levels: list[int], options: argparse.Namespace
) -> list[Row]:
    db, drop = scratch_database(url)
    rows = []
    try:
        model = synthetic_model("banc-api", 1, 3)
        token, ids = prepare(db, model, max(levels))
        for count in workers:
            server = start_server(db.url, tempfile.mkdtemp(prefix="gouvernance-api-bench-"), count)
            print(f"[{name}, {count} process(es)] server ready in {server.startup:.2f} s", flush=True)
            try:
                for clients in levels:
                    over_http, in_process = Series(), Series()
                    wrk_run(server, token, ids, clients, options.warmup)  # warm-up, not counted
                    for _ in range(options.rounds):
                        over_http.rounds.append(wrk_run(server, token, ids, clients, options.seconds))
                        in_process.rounds.append(
                            door_round(db, ids, clients, options.seconds, options.warmup)
                        )
                    rows.append(Row(name, count, clients, over_http, in_process, server.startup))
                    print(
                        f"[{name}, {count} process(es)] {clients:>2} clients: "
                        f"{over_http.median('rate'):7.1f}/s over HTTP "
                        f"(p99 {over_http.median('p99'):.1f} ms), "
                        f"{in_process.median('rate'):7.1f}/s in-process",
                        flush=True,
                    )
            finally:
                server.stop()
    finally:
        drop()
    return rows


def report(rows: list[Row]) -> str:
    lines = [
        "| backend | API processes | clients | HTTP tr/s | p50 ms | p95 ms | p99 ms | worst p99 ms | errors "
        "| door tr/s (same threads) | HTTP / door | server CPU ms/tr | CPU stolen by the host |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        http, door = row.http, row.door
        lines.append(
            f"| {row.backend} | {row.workers} | {row.clients} | {http.median('rate'):.0f} | "
            f"{http.median('p50'):.1f} | {http.median('p95'):.1f} | {http.median('p99'):.1f} | "
            f"{http.worst_p99:.1f} | {http.errors} | {door.median('rate'):.0f} | "
            f"{http.median('rate') / door.median('rate'):.0%} | {http.median('cpu_ms'):.2f} | "
            f"{http.median('steal'):.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GOUVERNANCE_BENCH_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--seconds", type=float, default=4.0, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--workers", default="1,2", help="API processes on PostgreSQL")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    # Stopped from outside (timeout, Ctrl-C): unwind so the server process and the scratch schema go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    levels = [int(n) for n in options.clients.split(",")]
    rows = []
    if not options.postgresql_only:
        rows += bench_backend("SQLite", None, [1], levels, options)
    if options.database_url and not options.sqlite_only:
        workers = [int(n) for n in options.workers.split(",")]
        rows += bench_backend("PostgreSQL", options.database_url, workers, levels, options)
    print()
    print(report(rows))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "api_bench.md").write_text(report(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
