"""What one step event costs the API process, counted in instructions (not a timed test).

The latency figures of api_bench.py move with the shared host: its speed changed by 2-3x between sessions
and the hypervisor takes a varying share of the CPU (the "steal" column of vmstat). Instructions executed in
user space do not: perf counts the same total for the same work whatever else the machine does. This
script sends the benchmark's step events (submit, request_rework, and again, with If-Match) in one thread,
one at a time, and counts them two ways, each in a process of its own:

- door: the one door in-process (``transition`` in a write transaction), as api_bench.py's in-process side;
- http: the ASGI application called in-process as uvicorn calls it (no socket): routing, middleware,
  authentication, dependencies, validation, the door and the JSON response.

http minus door is what the HTTP layer costs per request. Usage:
    python bench/api_cost.py [--database-url postgresql://…] [--transitions N]
Without perf (Debian's linux-perf) it reports CPU time only. The table is also written to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_bench import CYCLE, STEP, prepare, send_through_door
from door_bench import scratch_database, synthetic_model

from gouvernance.clock import SystemClock
from gouvernance.db.engine import Database
from gouvernance.engagements.subject import load_subject

MODES = {
    "door": "door (in-process)",
    "http": "HTTP app in-process",
}
WARMUP = 200


class Counter:
    """perf's counting switched on and off from inside the measured process (``perf stat --control``)."""

    def __init__(self) -> None:
        self.control, self.ack = os.environ.get("API_COST_CTL"), os.environ.get("API_COST_ACK")

    def command(self, word: str) -> None:
        if self.control and self.ack:
            with open(self.control, "w", encoding="ascii") as control:
                control.write(word + "\n")
            with open(self.ack, encoding="ascii") as ack:
                ack.readline()


def asgi_request(app: Any, token: str, engagement_id: str) -> Callable[[int, int], Any]:
    """One POST …/events through the ASGI app, as uvicorn delivers it; returns the new version."""
    path = f"/engagements/{engagement_id}/steps/{STEP}/events"

    async def send(version: int, turn: int) -> int:
        event, comment = CYCLE[turn]
        body = json.dumps({"event": event, "comment": comment}).encode()
        headers = [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"if-match", f'"{version}"'.encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "headers": headers,
        }
        delivered = False
        answer: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client stays connected
            raise AssertionError("unreachable")

        async def reply(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer.update(status=message["status"], headers=dict(message["headers"]))

        await app(scope, receive, reply)
        if answer["status"] != 200:
            raise SystemExit(f"the API answered {answer['status']}")
        return int(answer["headers"][b"etag"].strip(b'"'))

    return send


def child(mode: str, url: str | None, transitions: int) -> None:
    """Runs in the measured process: prepares, warms up, then counts ``transitions`` events."""
    counter = Counter()
    db, drop = scratch_database(url)
    try:
        token, ids = prepare(db, synthetic_model("banc-cout", 1, 3), 1)
        with db.reading() as session:
            step = load_subject(session, ids[0], STEP).step
            assert step is not None
            version = step.version
        if mode == "door":
            clock = SystemClock()
            for turn in range(WARMUP):
                version = send_through_door(db, ids[0], version, turn % 2, clock)
            counter.command("enable")
            began = time.process_time()
            for turn in range(transitions):
                version = send_through_door(db, ids[0], version, turn % 2, clock)
            cpu = time.process_time() - began
            counter.command("disable")
        else:
            cpu = asyncio.run(_asgi_child(db, token, ids[0], version, transitions, counter))
    finally:
        drop()
    print(f"CPU {cpu / transitions * 1000:.4f}")


async def _asgi_child(
    db: Database, token: str, engagement_id: str, version: int, transitions: int, counter: Counter
) -> float:
    from gouvernance.api.app import create_app
    from gouvernance.settings import Settings

    settings = Settings(database_url=db.url, data_dir=Path(tempfile.mkdtemp(prefix="gouvernance-cout-")))
    app = create_app(settings, database=db)
    send = asgi_request(app, token, engagement_id)
    async with app.router.lifespan_context(app):
        for turn in range(WARMUP):
            version = await send(version, turn % 2)
        counter.command("enable")
        began = time.process_time()
        for turn in range(transitions):
            version = await send(version, turn % 2)
        cpu = time.process_time() - began
        counter.command("disable")
    return cpu


def measure(mode: str, url: str | None, transitions: int) -> tuple[float | None, float]:
    """(million instructions, CPU ms) per transition, from a child process."""
    command = [sys.executable, __file__, "--child", mode, "--transitions", str(transitions)]
    if url:
        command += ["--database-url", url]
    if shutil.which("perf") is None:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return None, _cpu(output)
    with tempfile.TemporaryDirectory(prefix="gouvernance-perf-") as directory:
        control, ack, counts = (os.path.join(directory, name) for name in ("ctl", "ack", "counts"))
        os.mkfifo(control)
        os.mkfifo(ack)
        perf = ["perf", "stat", "-D", "-1", "--control", f"fifo:{control},{ack}"]
        perf += ["-e", "instructions:u", "-x", ",", "-o", counts, "--"]
        env = {**os.environ, "API_COST_CTL": control, "API_COST_ACK": ack}
        output = subprocess.run(perf + command, capture_output=True, text=True, check=True, env=env).stdout
        lines = [line for line in Path(counts).read_text().splitlines() if "instructions" in line]
        value = lines[0].split(",")[0] if lines else ""
        if not value.isdigit():  # "<not supported>": no hardware counters on this machine
            return None, _cpu(output)
        return int(value) / transitions / 1e6, _cpu(output)


def _cpu(output: str) -> float:
    return float(next(line for line in output.splitlines() if line.startswith("CPU ")).split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GOUVERNANCE_BENCH_DATABASE_URL"))
    parser.add_argument("--transitions", type=int, default=2000)
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.database_url, options.transitions)
        return
    backend = "PostgreSQL" if options.database_url else "SQLite"
    results = {mode: measure(mode, options.database_url, options.transitions) for mode in MODES}
    door_instructions = results["door"][0]
    lines = [
        f"{backend}, {options.transitions} step events, one at a time",
        "",
        "| path | M instructions / event | CPU ms / event | instructions vs door |",
        "|---|---:|---:|---:|",
    ]
    for mode, (instructions, cpu) in results.items():
        shown = f"{instructions:.3f}" if instructions is not None else "n/a"
        ratio = f"{instructions / door_instructions:.2f}x" if instructions and door_instructions else "n/a"
        lines.append(f"| {MODES[mode]} | {shown} | {cpu:.3f} | {ratio} |")
    report = "\n".join(lines)
    print(report)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"api_cost_{backend.lower()}.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
