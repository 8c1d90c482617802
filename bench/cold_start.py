"""Cold start of the API: from spawning ``gouvernance serve`` to its first 200 on /readyz (not a timed test).

    python bench/cold_start.py --database-url postgresql://postgres@127.0.0.1:5432/test

(about two minutes on a quiet machine; without --database-url, SQLite only). ``gouvernance serve --port P``
is started as users run it (the venv's ``gouvernance`` command), and /readyz is polled every 10 ms over a
raw socket. Three cases: SQLite in a fresh data directory (the database is created and migrated at start),
SQLite in an existing one (migrated by an earlier start), and PostgreSQL on a schema migrated beforehand
(``serve`` migrates SQLite only). The same cases run for the revisions of ``--against`` (comma-separated;
HEAD and main by default), each checked out in a temporary git worktree with a venv of its own, alternating
with this tree's code round after round, after one uncounted start of each (a fresh venv compiles its .pyc
files on its first start); medians are reported. The servers run without PYTHONDONTWRITEBYTECODE, which the
development machine sets: with it, a venv made by uv (which compiles nothing at install) compiled every
module at every start, and a fresh checkout looked twice as slow as this tree's venv (made by pip, which
compiles at install) for the very same commit. The CPU time the server used until its first 200 is reported
beside the wall time: on a loaded machine (a load average several times the CPU count), the wall time mostly
measures the waiting for a CPU, the CPU time much less so. The worktrees and scratch schemas go after.
Target: under 1.5 s.
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
import time
import uuid
from pathlib import Path

from open_loop import checkout, drop_schema, free_port, scoped_url
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]


def ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far: unlike the wall time, it barely depends on what the
    neighbours on a shared machine are doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_start(command: str, data_dir: Path, database_url: str | None) -> tuple[float, float]:
    """Seconds from spawn to the first 200 on /readyz, and the CPU seconds the server used until then; the
    server is stopped after."""
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(data_dir)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's machine keeps the .pyc files of the first start
    env.pop("GOUVERNANCE_DATABASE_URL", None)
    if database_url:
        env["GOUVERNANCE_DATABASE_URL"] = database_url
    log = data_dir.parent / f"serve-{port}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = started + 120
        while not ready(port):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit(f"serve did not become ready:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.01)
        return time.perf_counter() - started, cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_schema(url: str, schema: str) -> str:
    from gouvernance.db.engine import Database

    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return scoped_url(url, schema)


def one_round(
    command: str, work: Path, url: str | None, schemas: list[str]
) -> dict[str, tuple[float, float]]:
    """The cases once for one code base: SQLite fresh, then existing (the same directory again); PostgreSQL
    on a schema migrated by ``gouvernance db upgrade`` beforehand (serve refuses an unmigrated PostgreSQL)."""
    times = {}
    data = Path(tempfile.mkdtemp(prefix="data-", dir=work))
    times["SQLite, fresh data dir"] = cold_start(command, data, None)
    times["SQLite, existing data dir"] = cold_start(command, data, None)
    if url:
        schemas.append(f"cold_start_{uuid.uuid4().hex[:8]}")
        scoped = create_schema(url, schemas[-1])
        env = {**os.environ, "GOUVERNANCE_DATABASE_URL": scoped, "GOUVERNANCE_DATA_DIR": str(data)}
        env["GOUVERNANCE_OPERATOR"] = "1"  # newer revisions reserve db upgrade to operators
        upgraded = subprocess.run([command, "db", "upgrade"], env=env, capture_output=True, text=True)
        if upgraded.returncode != 0:
            raise SystemExit(f"{command} db upgrade failed:\n{upgraded.stdout}\n{upgraded.stderr}")
        times["PostgreSQL, migrated schema"] = cold_start(command, data, scoped)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GOUVERNANCE_BENCH_DATABASE_URL"))
    parser.add_argument("--against", default="HEAD,main", help="revisions to compare with, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind: the worktree and schemas go too
    work = Path(tempfile.mkdtemp(prefix="gouvernance-cold-start-"))
    others = {revision: work / f"wt-against-{i}" for i, revision in enumerate(options.against.split(","))}
    schemas: list[str] = []
    print(f"load average at start: {os.getloadavg()}", flush=True)
    try:
        commands = {"this tree": str(Path(sys.executable).with_name("gouvernance"))}
        for revision, path in others.items():
            commands[revision] = str(Path(checkout(path, revision)).with_name("gouvernance"))
        results: dict[str, dict[str, list[tuple[float, float]]]] = {label: {} for label in commands}
        for command in commands.values():  # not counted: compiles the .pyc files a fresh venv lacks
            cold_start(command, Path(tempfile.mkdtemp(prefix="data-", dir=work)), None)
        for _ in range(options.rounds):
            for label, command in commands.items():
                for case, (seconds, cpu) in one_round(command, work, options.database_url, schemas).items():
                    results[label].setdefault(case, []).append((seconds, cpu))
                    print(f"{label:>10} | {case:<28} | {seconds:.2f} s ({cpu:.2f} s CPU)", flush=True)
    finally:
        for path in others.values():
            if path.exists():
                subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
        for schema in schemas:
            drop_schema(options.database_url, schema)
        shutil.rmtree(work, ignore_errors=True)
    labels = list(results)
    lines = [
        f"Spawn to first 200 on /readyz, median of {options.rounds} alternating rounds: wall time (CPU time "
        f"of the server until then) (load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "CPUs)",
        "",
        f"| case | {' | '.join(labels)} |",
        "|---|" + "---:|" * len(labels),
    ]
    for case in results[labels[0]]:
        cells = " | ".join(
            f"{statistics.median(s for s, _ in results[label][case]):.2f} s "
            f"({statistics.median(c for _, c in results[label][case]):.2f} s)"
            for label in labels
        )
        lines.append(f"| {case} | {cells} |")
    report = "\n".join(lines)
    print()
    print(report)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cold_start.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
