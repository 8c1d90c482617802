"""Real processes for the background-work tests: a `prefect server`, `gouvernance worker` and
`prefect worker start`, each a child process on loopback whose output is collected line by line."""

from __future__ import annotations

import itertools
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

from gouvernance.db.engine import Database, normalise_url
from tests.notifications.conftest import free_port

BIN = Path(sys.executable).parent
# Prefect's log lines: "12:00:01.234 | ERROR   | prefect.server - …"
SERVER_ERROR = re.compile(r"\|\s*(ERROR|CRITICAL)\s*\|")
LOG_RECORD = re.compile(r"^\d\d:\d\d:\d\d\.\d+ \|")
# The last line of a traceback: "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) …"
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")
T = TypeVar("T")


class Process:
    """A child process whose output lines are collected by a thread, so waiting for a line needs no sleep."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._all: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._all.append(line)
            self.lines.put(line)

    def wait_for(self, wanted: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no {wanted!r} within {timeout}s:\n{''.join(self.output()[-40:])}"
                ) from None
            self.seen.append(line)
            if wanted in line:
                return

    def output(self) -> list[str]:
        return list(self._all)

    def signal(self, signum: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)

    def stop(self, timeout: float = 120) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; ``stop_seconds`` says how long it took to stop.

        A served worker stopping cancels its flow runs one after the other, giving each up to 30 s to end
        (Prefect's grace before SIGKILL); on a loaded machine two runs under way take a minute."""
        started = time.monotonic()
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.stop_seconds = time.monotonic() - started

    def stopped_on_sigterm(self) -> bool:
        return self.proc.returncode != -signal.SIGKILL

    def tail(self, lines: int = 40) -> str:
        return "".join(self.output()[-lines:])


def errors_logged(process: Process, *, sqlite: bool) -> list[str]:
    """The records a Prefect process logged at ERROR or CRITICAL, each with the traceback that follows it.

    On SQLite, Prefect's server logs "database is locked" when two of its writers meet, and retries
    (PrefectHQ/prefect#17473, #10188: SQLite takes one writer at a time). Records whose exceptions are all
    that one are tolerated there, and only there; PostgreSQL, Prefect's production database, gets no
    allowance."""
    return errors_in(process.output(), sqlite=sqlite)


def errors_in(lines: list[str], *, sqlite: bool) -> list[str]:
    """``errors_logged`` for the lines of a log file."""
    starts = [i for i, line in enumerate(lines) if LOG_RECORD.match(line)] + [len(lines)]
    found = []
    for start, end in itertools.pairwise(starts):
        if not SERVER_ERROR.search(lines[start]):
            continue
        record = lines[start:end]
        if sqlite and _only_sqlite_lock(record):
            continue
        # The record's first lines, then the exception lines of its (possibly chained) traceback: what it was.
        exceptions = [line for line in record[5:] if EXCEPTION_LINE.match(line)]
        found.append("".join(record[:5] + (["…\n"] if len(record) > 5 else []) + exceptions))
    return found


def _only_sqlite_lock(record: list[str]) -> bool:
    exceptions = [line for line in record if EXCEPTION_LINE.match(line)]
    return bool(exceptions) and all("database is locked" in line for line in exceptions)


@contextmanager
def prefect_database(tmp_path: Path, gouvernance_test_url: str | None) -> Iterator[str]:
    """Where Prefect's server keeps its own tables: a SQLite file, or a PostgreSQL database of its own when
    the suite runs on PostgreSQL (its migrations have their own alembic_version table)."""
    if not gouvernance_test_url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'prefect.db'}"
        return
    name = f"prefect_{uuid.uuid4().hex[:10]}"
    admin = Database(gouvernance_test_url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(gouvernance_test_url)).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def prefect_server(tmp_path: Path, database: str) -> Iterator[tuple[str, Process]]:
    """A real `prefect server start`. On the way out, any ERROR it logged fails the test: the scheduler
    failing every minute went unnoticed because nothing read this log."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-server"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "INFO",
        "PREFECT_API_DATABASE_CONNECTION_URL": database,
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    env.pop("PREFECT_API_URL", None)
    server = Process(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], env
    )
    try:
        server.wait_for("Uvicorn running", timeout=180)
        yield f"http://127.0.0.1:{port}/api", server
    finally:
        server.stop()
    errors = errors_logged(server, sqlite=database.startswith("sqlite"))
    assert not errors, "Prefect's server logged errors:\n" + "\n".join(errors[:3])


def eventually(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    every: float = 0.5,
    what: str = "",
    watching: Process | None = None,
) -> T:
    """Polls ``probe`` until it returns something truthy; the schedules under test are what make it so. On
    failure, the end of ``watching``'s output says what the process was doing."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = "".join(watching.output()[-60:]) if watching else ""
            raise AssertionError(f"not within {timeout}s: {what}\n{tail}")
        time.sleep(every)
