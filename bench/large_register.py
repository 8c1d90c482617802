"""A large stakeholder register on SQLite, over HTTP (not a timed test).

    .venv/bin/python bench/large_register.py                       # 200,000 stakeholders, this tree and main
    .venv/bin/python bench/large_register.py --stakeholders 50000 --against ""   # this tree only

For each code base (this tree, and the revisions of ``--against`` checked out in temporary git worktrees with
venvs of their own, as bench/cold_start.py does), a real ``gouvernance serve`` runs on SQLite in a fresh data
directory, seeded with this tree's code (a user with the lead roles, its token, one engagement whose first
step is in progress). Then, one after the other:

1. the import of a CSV of ``--stakeholders`` rows (French headers, as exported), timed; half a second after
   it starts, a step event and a /healthz are sent and their latencies measured;
2. ``--relations`` relations are written straight into the database (seeding, not measured);
3. one GraphML export: its time, its size, the time to its first byte, and the latencies of a step event and
   a /healthz sent half a second after it starts;
4. two GraphML exports at once, with a step event and a /healthz sent meanwhile: the statuses and times.

``--lock-hold`` measures instead, in process, how long the import's write transaction lasts (on SQLite,
every writer waits for it) when the file is checked before it, against the whole import inside it.

The code bases alternate for ``--rounds`` rounds; the figures of one run sit side by side (the machine is
shared: compare columns of the same run, not runs). The table goes to bench/results/large_register.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from api_bench import prepare
from door_bench import synthetic_model
from open_loop import checkout, free_port
from sqlalchemy import insert, select
from stakeholders_bench import synthetic_map

from gouvernance.clock import SystemClock
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.engagements.actors import ActorRef
from gouvernance.stakeholders import importing
from gouvernance.stakeholders.tables import StakeholderRelationRow, StakeholderRow

ROOT = Path(__file__).resolve().parents[1]
STEP = "s0_t0"
DELAY = 0.5  # seconds between the start of the long request and the short ones sent meanwhile


@dataclass
class Timed:
    status: int | str
    seconds: float
    size: int = 0
    first_byte: float | None = None


def register_csv(count: int) -> bytes:
    """The synthetic register as a short spreadsheet (the columns a territory fills in), about 60 bytes a
    row: 200,000 rows make some 12 MiB, under the 20 MiB upload limit."""
    stakeholders, _, _ = synthetic_map(count, 0)
    lines = ["Identifiant;Nom;Type;Catégorie;Pouvoir;Intérêt"]
    lines += [
        f"{s.id};{s.name};{s.kind.label('fr')};{s.category.label('fr')};{s.power};{s.interest}"
        for s in stakeholders
    ]
    return ("\n".join(lines) + "\n").encode()


def timed(call: Callable[[], httpx.Response]) -> Timed:
    started = time.perf_counter()
    try:
        response = call()
    except httpx.HTTPError as error:
        return Timed(type(error).__name__, time.perf_counter() - started)
    return Timed(response.status_code, time.perf_counter() - started, len(response.content))


def streamed(http: httpx.Client, url: str) -> Timed:
    """A GET read as a stream: the time to the first byte of the body and to the last."""
    started = time.perf_counter()
    first = None
    size = 0
    try:
        with http.stream("GET", url) as response:
            for chunk in response.iter_bytes():
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
            status: int | str = response.status_code
    except httpx.HTTPError as error:
        status = type(error).__name__
    return Timed(status, time.perf_counter() - started, size, first)


def in_thread(call: Callable[[], Timed]) -> Callable[[], Timed]:
    out: list[Timed] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    return lambda: (thread.join(), out[0])[1]


class Server:
    def __init__(self, command: str, data_dir: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(data_dir)}
        env.pop("GOUVERNANCE_DATABASE_URL", None)
        self.log = data_dir / "serve.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [command, "serve", "--port", str(self.port), "--no-access-log"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 s (uvicorn waits for the exports in flight), or if interrupted."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def seed(data_dir: Path) -> tuple[str, str]:
    """The token of a lead and an engagement whose first step is in progress."""
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    upgrade(db)
    token, ids = prepare(db, synthetic_model("banc-registre", 1, 3), 1)
    db.dispose()
    return token, ids[0]


def stored_ends(directed: bool, source: int, target: int) -> tuple[int, int]:
    """As the relations service stores them: a symmetric relation from its lower row id."""
    return (source, target) if directed else (min(source, target), max(source, target))


def add_relations(data_dir: Path, engagement_id: str, stakeholders: int, relations: int) -> None:
    _, records, _ = synthetic_map(stakeholders, relations)
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with db.transaction() as session:
        ids = {key: row_id for key, row_id in session.execute(select(StakeholderRow.key, StakeholderRow.id))}
        session.execute(
            insert(StakeholderRelationRow),
            [
                {
                    "engagement_id": engagement_id,
                    "source_id": ends[0],
                    "target_id": ends[1],
                    "type": r.type.value,
                    "weight": r.weight,
                    "start_date": r.start,
                    "created_at": now,
                }
                for r in records
                for ends in [stored_ends(r.type.directed, ids[r.source], ids[r.target])]
            ],
        )
    db.dispose()


class Stepper:
    """Sends the next event of the benchmarked step (submit, then request_rework, and again)."""

    def __init__(self, http: httpx.Client, engagement_id: str) -> None:
        self.http, self.path = http, f"/engagements/{engagement_id}/steps/{STEP}"
        step = http.get(self.path)
        self.etag = step.headers["etag"]
        self.turn = 0 if step.json()["state"] == "in_progress" else 1

    def send(self) -> Timed:
        body: dict[str, Any] = (
            {"event": "submit"} if self.turn == 0 else {"event": "request_rework", "comment": "À reprendre"}
        )
        responses: list[httpx.Response] = []

        def post() -> httpx.Response:
            responses.append(
                self.http.post(f"{self.path}/events", json=body, headers={"If-Match": self.etag})
            )
            return responses[0]

        result = timed(post)
        if result.status == 200:
            self.turn, self.etag = 1 - self.turn, responses[0].headers["etag"]
        return result


def one_round(command: str, work: Path, csv: bytes, options: argparse.Namespace) -> dict[str, str]:
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=work))
    token, engagement_id = seed(data_dir)
    server = Server(command, data_dir)
    figures: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with (
            httpx.Client(base_url=server.base, headers=headers, timeout=300) as http,
            httpx.Client(base_url=server.base, headers=headers, timeout=300) as other,
            httpx.Client(base_url=server.base, headers=headers, timeout=300) as short,
        ):
            stepper = Stepper(short, engagement_id)
            files = {"file": ("registre.csv", csv, "text/csv")}
            imported = in_thread(
                lambda: timed(
                    lambda: http.post(f"/engagements/{engagement_id}/stakeholders/import", files=files)
                )
            )
            time.sleep(DELAY)
            step = stepper.send()
            health = timed(lambda: short.get("/healthz"))
            done = imported()
            figures["import: status, time"] = f"{done.status}, {done.seconds:.2f} s"
            figures["step event during the import"] = f"{step.status}, {step.seconds:.2f} s"
            figures["/healthz during the import"] = f"{health.status}, {health.seconds:.2f} s"

            add_relations(data_dir, engagement_id, options.stakeholders, options.relations)
            url = f"/engagements/{engagement_id}/stakeholders/export?format=graphml"
            exported = in_thread(lambda: streamed(http, url))
            time.sleep(DELAY)
            step = stepper.send()
            health = timed(lambda: short.get("/healthz"))
            done = exported()
            figures["export: status, time, size"] = (
                f"{done.status}, {done.seconds:.2f} s, {done.size / 1e6:.1f} MB"
            )
            first = "-" if done.first_byte is None else f"{done.first_byte:.2f} s"
            figures["export: first byte"] = first
            figures["step event during the export"] = f"{step.status}, {step.seconds:.2f} s"
            figures["/healthz during the export"] = f"{health.status}, {health.seconds:.2f} s"

            first_export = in_thread(lambda: streamed(http, url))
            second_export = in_thread(lambda: streamed(other, url))
            time.sleep(DELAY)
            step = stepper.send()
            health = timed(lambda: short.get("/healthz"))
            one, two = first_export(), second_export()
            figures["two exports: statuses, times"] = (
                f"{one.status} {one.seconds:.1f} s, {two.status} {two.seconds:.1f} s"
            )
            figures["step event during two exports"] = f"{step.status}, {step.seconds:.2f} s"
            figures["/healthz during two exports"] = f"{health.status}, {health.seconds:.2f} s"
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def lock_hold(count: int) -> None:
    """In process, this tree's code: how long the import's write transaction lasts when the file is checked
    before it (as the API does now), against the whole import in the transaction (as before), side by side."""
    csv = register_csv(count)
    actor = ActorRef.of("banc", "chef_de_projet")
    rows = []
    for label in ("checked first", "all in the transaction", "checked first", "all in the transaction"):
        data_dir = Path(tempfile.mkdtemp(prefix="gouvernance-lock-"))
        _, engagement_id = seed(data_dir)
        db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
        checked = importing.check_csv(csv) if label == "checked first" else None
        wall, cpu = time.perf_counter(), time.process_time()
        with db.transaction() as session:
            if checked is not None:
                importing.import_parsed(
                    session, engagement_id=engagement_id, parsed=checked, actor=actor, clock=SystemClock()
                )
            else:
                importing.import_csv(
                    session, engagement_id=engagement_id, content=csv, actor=actor, clock=SystemClock()
                )
        rows.append(f"| {label} | {time.perf_counter() - wall:.2f} s | {time.process_time() - cpu:.2f} s |")
        db.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\nWrite transaction of an import of {count:,} rows (SQLite, in process)\n")
    print("| import | wall | CPU |\n|---|---:|---:|\n" + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stakeholders", type=int, default=200_000)
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--against", default="main", help="revisions to compare with, comma-separated")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--lock-hold", action="store_true", help="only the import's write transaction, in process"
    )
    options = parser.parse_args()
    if options.lock_hold:
        lock_hold(options.stakeholders)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind: the worktrees go too
    work = Path(tempfile.mkdtemp(prefix="gouvernance-large-register-"))
    others = {
        revision: work / f"wt-against-{i}"
        for i, revision in enumerate(filter(None, options.against.split(",")))
    }
    csv = register_csv(options.stakeholders)
    print(f"CSV: {options.stakeholders:,} rows, {len(csv) / 2**20:.1f} MiB", flush=True)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    results: dict[str, dict[str, list[str]]] = {}
    try:
        commands = {"this tree": str(Path(sys.executable).with_name("gouvernance"))}
        for revision, path in others.items():
            commands[revision] = str(Path(checkout(path, revision)).with_name("gouvernance"))
        for _ in range(options.rounds):
            for label, command in commands.items():
                for name, value in one_round(command, work, csv, options).items():
                    results.setdefault(label, {}).setdefault(name, []).append(value)
                    print(f"{label:>10} | {name:<32} | {value}", flush=True)
    finally:
        for path in others.values():
            if path.exists():
                subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)
    labels = list(results)
    lines = [
        f"{options.stakeholders:,} stakeholders ({len(csv) / 2**20:.1f} MiB of CSV), {options.relations:,} "
        f"relations, SQLite, {options.rounds} round(s) (load average at the end {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs)",
        "",
        f"| measure | {' | '.join(labels)} |",
        "|---|" + "---|" * len(labels),
    ]
    for name in results[labels[0]]:
        lines.append(f"| {name} | {' | '.join(' / '.join(results[label][name]) for label in labels)} |")
    report = "\n".join(lines)
    print()
    print(report)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "large_register.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
