"""Open-loop load test of the HTTP API on PostgreSQL (not a timed test).

    python bench/open_loop.py --database-url postgresql://postgres@127.0.0.1:5432/test

(about 5 minutes; ``GOUVERNANCE_BENCH_DATABASE_URL`` works in place of --database-url). Requests arrive at a
fixed rate, scheduled by the clock whatever the server does: a slow answer does not delay the next request
(open loop), and each latency runs from the request's *scheduled* time, so the time a request waited for the
generator or for a connection counts too (no coordinated omission). The mix: 70 % reads (my tasks, the step
listing of an engagement, an engagement), 30 % step events (submit, then request_rework, and again, with
If-Match on the version the generator last saw; a 409 is counted apart and its current version taken up).

The generator is plain asyncio with a small HTTP/1.1 client (keep-alive connections, a new one whenever all
are busy): it spends about a tenth of httpx's CPU per request, on the two cores the server uses too.

What it reports, each part run in the same invocation, one after the other:
1. p50/p95/p99, achieved rate, errors and 409s at 50, 100 and 200 requests/s, with one ``gouvernance serve``
   and with two behind nginx (deploy/nginx.conf, least_conn, only its ports changed);
2. saturation: rising rates until p99 passes --saturation-p99 ms or the achieved rate falls below 95 % of the
   offered one; the last rate that held, against the in-process door rate (bench/door_bench.py's door loop
   on the same database, measured in between): target >= 0.4;
3. the code before ``dependency_plans`` was removed (03c5cdc^), checked out in a temporary worktree with a
   venv of its own, served the same way on a schema of its own, alternating with the current code at
   100 requests/s: p99 and the server's cost per request (perf's instructions:u when the machine has the
   counters, else CPU time from /proc/<pid>/stat). The worktree goes after.
Before each run, the servers are left to finish what an earlier, overloaded run gave up on (they stay busy
with abandoned requests), so that no run is charged for another's backlog. Scratch schemas are dropped at
the end. The machine's load average, how busy it was and the share of CPU the hypervisor stole are printed
with each run: on a shared host, compare figures of the same run. The tables go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
STEP = "s0_t0"
CYCLE = (("submit", None), ("request_rework", "À reprendre"))
OLD_REVISION = "03c5cdc^"
UV_PYTHON = shutil.which("python3") or "python3"  # the interpreter that has uv, as in the README
ENGAGEMENTS = 128
NGINX_MAIN = """\
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/gouvernance.conf;
}}
"""


# --- seeding (run in a child process with the python of the code under test) ---------------------------


def scoped_url(url: str, schema: str) -> str:
    from gouvernance.db.engine import normalise_url

    scoped = make_url(normalise_url(url)).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def seed(url: str, schema: str) -> None:
    """Creates ``schema``, migrates it with this interpreter's gouvernance, adds the bench user, its token
    and engagements whose first step is in progress; prints them as JSON."""
    from api_bench import prepare
    from door_bench import synthetic_model

    from gouvernance.db.engine import Database
    from gouvernance.db.migrate import upgrade

    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    db = Database(scoped_url(url, schema))
    upgrade(db)
    token, ids = prepare(db, synthetic_model("banc-ouvert", 1, 3), ENGAGEMENTS)
    db.dispose()
    print(json.dumps({"url": scoped_url(url, schema), "token": token, "ids": ids}))


@dataclass
class Scratch:
    url: str
    token: str
    ids: list[str]


def seeded(python: str, url: str, schema: str, cwd: Path) -> Scratch:
    result = subprocess.run(
        [python, str(Path(__file__).resolve()), "--seed", schema, "--database-url", url],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"seeding failed:\n{result.stdout}\n{result.stderr}")
    return Scratch(**json.loads(result.stdout.strip().splitlines()[-1]))


def drop_schema(url: str, schema: str) -> None:
    from gouvernance.db.engine import Database

    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


# --- processes: API servers, nginx -----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path, path: str = "/readyz") -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a process stopped:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            status = asyncio.run(probe(port, path))
        except OSError:
            status = 0
        if status == 200:
            return
        time.sleep(0.05)
    raise SystemExit(f"not ready within 120 s:\n{log.read_text(errors='replace')[-4000:]}")


async def probe(port: int, path: str) -> int:
    connection = await Connection.open("127.0.0.1", port)
    try:
        status, _, _ = await connection.request("GET", path, {})
        return status
    finally:
        connection.close()


def serve(python: str, cwd: Path, url: str, work: Path) -> Process:
    """``gouvernance serve`` as an operator runs it, without the access log."""
    port = free_port()
    data = work / f"data-{port}"
    data.mkdir()
    log = work / f"serve-{port}.log"
    env = {**os.environ, "GOUVERNANCE_DATABASE_URL": url, "GOUVERNANCE_DATA_DIR": str(data)}
    command = [python, "-m", "gouvernance", "serve", "--port", str(port), "--no-access-log"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    wait_ready(port, process, log)
    return Process(process, port, log)


def nginx(backends: list[int], work: Path) -> Process:
    """Debian's nginx in the foreground with deploy/nginx.conf, its ports replaced (as
    tests/api/test_reverse_proxy.py runs it)."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if binary is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    port, directory = free_port(), work / "nginx"
    directory.mkdir()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for documented, used in (
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{backends[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{backends[1]} "),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
    ):
        if site.count(documented) != 1:
            raise SystemExit(f"deploy/nginx.conf no longer says {documented!r}")
        site = site.replace(documented, used)
    (directory / "gouvernance.conf").write_text(site, encoding="utf-8")
    main = directory / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(NGINX_MAIN.format(tmp=directory, user=user), encoding="utf-8")
    log = directory / "error.log"
    command = [binary, "-p", str(directory), "-e", str(log), "-c", str(main), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, process, log, "/healthz")
    return Process(process, port, log)


# --- a small HTTP/1.1 client ---------------------------------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        answer: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            answer[name.strip().lower()] = value.strip()
        if answer.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            content = await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection", "").lower() == "close":
            self.close()
        return status, answer, content

    @property
    def usable(self) -> bool:
        return not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle keep-alive connections; a request that finds none opens one (an open loop never waits for a
    connection to come back)."""

    def __init__(self, port: int) -> None:
        self.port, self.idle, self.opened = port, [], 0

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        connection = None
        while self.idle and connection is None:
            candidate = self.idle.pop()
            connection = candidate if candidate.usable else None
        if connection is None:
            connection = await Connection.open("127.0.0.1", self.port)
            self.opened += 1
        try:
            answer = await connection.request(method, path, headers, body)
        except BaseException:
            connection.close()
            raise
        if connection.usable:
            self.idle.append(connection)
        return answer

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


# --- the open-loop run ------------------------------------------------------------------------------------


@dataclass
class Walker:
    """What the generator knows of each engagement's benchmarked step: its version and which event of
    CYCLE comes next. One event in flight per engagement; a busy engagement is skipped."""

    ids: list[str]
    versions: dict[str, int] = field(default_factory=dict)
    turns: dict[str, int] = field(default_factory=dict)
    busy: set[str] = field(default_factory=set)
    cursor: int = 0

    def next_free(self) -> str:
        for _ in range(len(self.ids)):
            self.cursor = (self.cursor + 1) % len(self.ids)
            if self.ids[self.cursor] not in self.busy:
                return self.ids[self.cursor]
        return self.ids[self.cursor]  # all busy: this one will probably answer 409, counted as such

    def learn(self, engagement_id: str, version: int, state: str) -> None:
        self.versions[engagement_id] = version
        self.turns[engagement_id] = 0 if state == "in_progress" else 1


@dataclass
class Run:
    offered: float
    seconds: float
    latencies: list[float]  # ms, successful answers (2xx) only
    conflicts: int
    errors: int  # other statuses, timeouts and connection errors
    sent: int
    achieved: float
    cost: float | None = None  # server CPU ms or M instructions per request
    cost_unit: str = ""
    load: str = ""

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    @property
    def held(self) -> bool:
        return self.errors == 0 and self.achieved >= 0.95 * self.offered


async def refresh(pool: Pool, token: str, walker: Walker) -> None:
    """The benchmarked step of each engagement, read before a run: the previous run moved versions on."""
    headers = {"Authorization": f"Bearer {token}"}
    for engagement_id in walker.ids:
        path = f"/engagements/{engagement_id}/steps/{STEP}"
        status, _, body = await pool.request("GET", path, headers)
        if status != 200:
            raise SystemExit(f"reading a step answered {status}: {body[:300]!r}")
        step = json.loads(body)
        walker.learn(engagement_id, step["version"], step["state"])


READS = ("/me/tasks", "/engagements/{id}/steps", "/engagements/{id}")


async def send_event(pool: Pool, walker: Walker, auth: dict[str, str]) -> int:
    """The next event of a free engagement's step, with If-Match; learns the version from the answer (the
    new one, or the current one a 409 reports)."""
    engagement_id = walker.next_free()
    walker.busy.add(engagement_id)
    try:
        event, comment = CYCLE[walker.turns[engagement_id]]
        headers = {
            **auth,
            "Content-Type": "application/json",
            "If-Match": f'"{walker.versions[engagement_id]}"',
        }
        body = json.dumps({"event": event, "comment": comment}).encode()
        path = f"/engagements/{engagement_id}/steps/{STEP}/events"
        status, _, content = await pool.request("POST", path, headers, body)
        if status == 200:
            walker.versions[engagement_id] = json.loads(content)["version"]
            walker.turns[engagement_id] = 1 - walker.turns[engagement_id]
        elif status == 409:
            problem = json.loads(content)
            walker.learn(engagement_id, problem["current_version"], problem["current_state"])
        return status
    finally:
        walker.busy.discard(engagement_id)


async def open_loop(
    port: int, token: str, ids: list[str], rate: float, seconds: float, warmup: float, seed: int = 1
) -> Run:
    """Sends ``rate`` requests a second for warmup + seconds; only requests scheduled after the warm-up
    count. Waits for the stragglers (10 s at most each) before returning."""
    pool, walker, chooser = Pool(port), Walker(list(ids)), random.Random(seed)
    auth = {"Authorization": f"Bearer {token}"}
    await refresh(pool, token, walker)
    latencies: list[float] = []
    counts = {"conflicts": 0, "errors": 0, "sent": 0, "done_at": 0.0}
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    counted_from = start + warmup

    async def one(scheduled: float, kind: float, target: str) -> None:
        try:
            if kind < 0.3:
                status = await asyncio.wait_for(send_event(pool, walker, auth), 10)
            else:
                path = READS[min(2, int((kind - 0.3) / 0.7 * 3))].format(id=target)
                status = (await asyncio.wait_for(pool.request("GET", path, auth), 10))[0]
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            status = 0
        done = loop.time()
        if scheduled < counted_from:
            return
        counts["done_at"] = max(counts["done_at"], done)
        if 200 <= status < 300:
            latencies.append((done - scheduled) * 1000)
        else:
            counts["conflicts" if status == 409 else "errors"] += 1

    tasks = []
    for i in range(int(rate * (warmup + seconds))):
        scheduled = start + i / rate
        if (delay := scheduled - loop.time()) > 0:
            await asyncio.sleep(delay)
        target = ids[chooser.randrange(len(ids))]
        tasks.append(asyncio.create_task(one(scheduled, chooser.random(), target)))
        counts["sent"] += scheduled >= counted_from
    await asyncio.gather(*tasks)
    pool.close()
    answered = len(latencies) + counts["conflicts"]
    elapsed = max(counts["done_at"] - counted_from, seconds)
    return Run(
        rate,
        seconds,
        latencies,
        counts["conflicts"],
        counts["errors"],
        int(counts["sent"]),
        answered / elapsed,
    )


# --- what the server spent, and what the machine was doing ------------------------------------------------


def server_pids(process: Process) -> list[int]:
    children = subprocess.run(
        ["pgrep", "-P", str(process.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [process.process.pid, *map(int, children)]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) CPU ticks of the whole machine so far (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle - ticks[7], ticks[7], sum(ticks)


def perf_counts_instructions() -> bool:
    if shutil.which("perf") is None:
        return False
    probe_run = subprocess.run(
        ["perf", "stat", "-e", "instructions:u", "-x", ",", "--", "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    value = next((line for line in probe_run.stderr.splitlines() if "instructions" in line), "")
    return value.split(",")[0].isdigit()


@contextmanager
def measured(pids: list[int], use_perf: bool) -> Iterator[dict[str, float | str | None]]:
    """Yields a dict filled on exit: the server's instructions (perf attached to ``pids``) or CPU seconds,
    the generator's own CPU seconds, and the machine's load meanwhile."""
    out: dict[str, float | str | None] = {}
    counts = Path(tempfile.mkstemp(prefix="gouvernance-perf-")[1])
    perf = None
    if use_perf:
        perf = subprocess.Popen(
            [
                "perf",
                "stat",
                "-e",
                "instructions:u",
                "-x",
                ",",
                "-o",
                str(counts),
                "-p",
                ",".join(map(str, pids)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.2)
    cpu, own, machine = cpu_seconds(pids), time.process_time(), machine_ticks()
    try:
        yield out
    finally:
        busy, steal, total = (after - before for after, before in zip(machine_ticks(), machine, strict=True))
        out["server_cpu"] = cpu_seconds(pids) - cpu
        out["client_cpu"] = time.process_time() - own
        out["load"] = (
            f"load avg {os.getloadavg()[0]:.1f}, machine {busy / max(1, total):.0%} busy, "
            f"{steal / max(1, total):.0%} stolen"
        )
        out["instructions"] = None
        if perf is not None:
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=30)
            line = next((x for x in counts.read_text().splitlines() if "instructions" in x), "")
            out["instructions"] = float(line.split(",")[0]) if line.split(",")[0].isdigit() else None
        counts.unlink(missing_ok=True)


def settle(pids: list[int], timeout: float = 120.0) -> None:
    """Waits until the servers are idle (under a tenth of a core for half a second): requests a previous
    overloaded run gave up on are still being served, and would be charged to the next run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(0.5)
        if cpu_seconds(pids) - before < 0.05:
            return


def run_at(
    target: Process,
    servers: list[Process],
    scratch: Scratch,
    rate: float,
    seconds: float,
    warmup: float,
    use_perf: bool,
) -> Run:
    pids = [pid for server in servers for pid in server_pids(server)]
    settle(pids)
    with measured(pids, use_perf) as spent:
        run = asyncio.run(open_loop(target.port, scratch.token, scratch.ids, rate, seconds, warmup))
    requests = run.sent + int(rate * warmup)  # the server's CPU covers the warm-up too
    if spent["instructions"] is not None:
        run.cost, run.cost_unit = float(spent["instructions"]) / requests / 1e6, "M instructions"
    else:
        run.cost, run.cost_unit = float(spent["server_cpu"]) / requests * 1000, "CPU ms"
    run.load = f"{spent['load']}; generator {float(spent['client_cpu']) / requests * 1000:.2f} CPU ms/request"
    return run


def door_rate(url: str, rounds: int = 3, transitions: int = 400) -> float:
    """Transitions per second through the one door in this process, one at a time (door_bench's loop), on
    the current code's scratch schema."""
    from door_bench import door_loop, prepare_in_progress, synthetic_model

    import gouvernance.access.service  # noqa: F401  (maps the organisations table engagements refer to)
    from gouvernance.clock import FrozenClock
    from gouvernance.db.engine import Database

    db = Database(url)
    try:
        clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
        target = prepare_in_progress(db, synthetic_model("banc-porte", 2, 3), clock)
        door_loop(db, *target, 100, clock)  # warm-up
        return statistics.median(
            transitions / door_loop(db, *target, transitions, clock) for _ in range(rounds)
        )
    finally:
        db.dispose()


# --- the report -------------------------------------------------------------------------------------------


def row(label: str, run: Run) -> str:
    return (
        f"| {label} | {run.offered:.0f} | {run.achieved:.0f} | {run.percentile(50):.1f} | "
        f"{run.percentile(95):.1f} | {run.percentile(99):.1f} | {run.errors} | {run.conflicts} | "
        f"{run.cost:.3f} {run.cost_unit} | {run.load} |"
    )


HEADER = [
    "| set-up | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors | 409 | server cost "
    "/ request | machine during the run |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def saturate(
    target: Process,
    servers: list[Process],
    scratch: Scratch,
    options: argparse.Namespace,
    use_perf: bool,
    label: str,
    lines: list[str],
) -> tuple[float, float]:
    """Rising rates until one does not hold; returns the last that held and the highest achieved rate."""
    held, achieved = 0.0, 0.0
    for rate in (int(n) for n in options.saturation_rates.split(",")):
        run = run_at(target, servers, scratch, rate, options.saturation_seconds, 1.0, use_perf)
        lines.append(row(f"{label}, saturation", run))
        print(lines[-1], flush=True)
        achieved = max(achieved, run.achieved)
        if not (run.held and run.percentile(99) <= options.saturation_p99):
            break
        held = rate
    return held, achieved


def checkout(path: Path, revision: str = OLD_REVISION) -> str:
    """``revision`` checked out at ``path`` (a temporary git worktree) with a venv made as the README says;
    returns its python."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), revision],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    python = path / ".venv" / "bin" / "python"
    for command in (
        [UV_PYTHON, "-m", "uv", "venv", "-q", str(path / ".venv"), "--python", "python3.11"],
        [
            UV_PYTHON,
            "-m",
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            "-r",
            str(path / "requirements.lock"),
        ],
        [
            UV_PYTHON,
            "-m",
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            "--no-deps",
            "-e",
            str(path),
        ],
    ):
        subprocess.run(command, cwd=path, check=True, capture_output=True)
    return str(python)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GOUVERNANCE_BENCH_DATABASE_URL"))
    parser.add_argument("--rates", default="50,100,200")
    parser.add_argument("--seconds", type=float, default=10.0, help="counted seconds per rate")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--saturation-rates", default="25,50,75,100,125,150,200,250,300,400,500,650,800")
    parser.add_argument("--saturation-seconds", type=float, default=5.0)
    parser.add_argument(
        "--saturation-p99", type=float, default=250.0, help="ms; above, the rate did not hold"
    )
    parser.add_argument("--comparison-rounds", type=int, default=2)
    parser.add_argument("--comparison-rate", type=float, default=100.0, help="req/s")
    parser.add_argument("--skip-old", action="store_true", help="no comparison with 03c5cdc^")
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if not options.database_url or not options.database_url.startswith("postgresql"):
        raise SystemExit("--database-url postgresql://… is needed (or GOUVERNANCE_BENCH_DATABASE_URL)")
    if options.seed:
        seed(options.database_url, options.seed)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind: servers, worktree and schemas go too
    use_perf = perf_counts_instructions()
    print(f"cost per request: {'perf instructions:u' if use_perf else 'CPU time (no hardware counters)'}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()} at start", flush=True)
    work = Path(tempfile.mkdtemp(prefix="gouvernance-open-loop-"))
    url, schemas, processes = options.database_url, [], []
    old_path = Path("/tmp/wt-plans") if not Path("/tmp/wt-plans").exists() else work / "wt-plans"
    lines = list(HEADER)
    summary = []
    try:
        schemas.append(f"open_loop_{uuid.uuid4().hex[:8]}")
        current = seeded(sys.executable, url, schemas[-1], ROOT)
        one = serve(sys.executable, ROOT, current.url, work)
        processes.append(one)
        rates = [float(n) for n in options.rates.split(",")]
        for rate in rates:
            lines.append(
                row("1 process", run_at(one, [one], current, rate, options.seconds, options.warmup, use_perf))
            )
            print(lines[-1], flush=True)
        saturation_one = saturate(one, [one], current, options, use_perf, "1 process", lines)
        door = door_rate(current.url)
        print(f"door in-process: {door:.0f} transitions/s", flush=True)

        two = serve(sys.executable, ROOT, current.url, work)
        proxy = nginx([one.port, two.port], work)
        processes += [two, proxy]
        for rate in rates:
            lines.append(
                row(
                    "2 processes + nginx",
                    run_at(proxy, [one, two], current, rate, options.seconds, options.warmup, use_perf),
                )
            )
            print(lines[-1], flush=True)
        saturation_two = saturate(proxy, [one, two], current, options, use_perf, "2 processes + nginx", lines)
        proxy.stop(signal.SIGQUIT)
        two.stop()
        summary += [
            "",
            f"In-process door (one thread, door_bench's loop): {door:.0f} transitions/s.",
            f"Saturation, 1 process: {saturation_one[0]:.0f} req/s held, ratio to the door "
            f"{saturation_one[0] / door:.2f} (target >= 0.4); highest achieved {saturation_one[1]:.0f} req/s "
            f"({saturation_one[1] / door:.2f}).",
            f"Saturation, 2 processes + nginx: {saturation_two[0]:.0f} req/s held, ratio to the door "
            f"{saturation_two[0] / door:.2f}; highest achieved {saturation_two[1]:.0f} req/s "
            f"({saturation_two[1] / door:.2f}).",
            "The door rate counts step events only; the HTTP rates count the 70/30 mix of reads and events.",
            f"A rate holds when nothing failed, the achieved rate is >= 95 % of the offered one and p99 <= "
            f"{options.saturation_p99:.0f} ms.",
        ]
        if not options.skip_old:
            print(f"checking out {OLD_REVISION} in {old_path}…", flush=True)
            old_python = checkout(old_path)
            schemas.append(f"open_loop_old_{uuid.uuid4().hex[:8]}")
            before = seeded(old_python, url, schemas[-1], old_path)
            old = serve(old_python, old_path, before.url, work)
            processes.append(old)
            compared: dict[str, list[Run]] = {"current": [], OLD_REVISION: []}
            contenders = [("current", one, current), (OLD_REVISION, old, before)]
            for turn in range(options.comparison_rounds):
                for label, server, scratch in contenders[:: 1 if turn % 2 == 0 else -1]:
                    run = run_at(
                        server,
                        [server],
                        scratch,
                        options.comparison_rate,
                        options.seconds,
                        options.warmup,
                        use_perf,
                    )
                    compared[label].append(run)
                    lines.append(row(f"{label}, 1 process (comparison)", run))
                    print(lines[-1], flush=True)
            summary.append("")
            rate, rounds = options.comparison_rate, options.comparison_rounds
            summary.append(f"At {rate:.0f} req/s, 1 process, {rounds} alternating rounds (medians):")
            for label, runs in compared.items():
                summary.append(
                    f"- {label}: p99 {statistics.median(r.percentile(99) for r in runs):.1f} ms, "
                    f"{statistics.median(r.cost or 0.0 for r in runs):.3f} {runs[0].cost_unit} per request"
                )
    finally:
        for process in reversed(processes):
            process.stop()
        if (old_path / ".git").exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(old_path)], cwd=ROOT, check=False)
        for schema in schemas:
            drop_schema(url, schema)
        shutil.rmtree(work, ignore_errors=True)
    report = "\n".join(lines + summary)
    print()
    print(report)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "open_loop.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
