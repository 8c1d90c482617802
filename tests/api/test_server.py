"""`gouvernance serve` as operators run it: real processes on a real port."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return sorted(map(int, found.split()))


def established_on(pid: int, port: int) -> int:
    """How many established TCP connections to ``port`` the process ``pid`` holds (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                count += 1
    return count


class ServerLog:
    """Reads a server's log (stderr) as it is written, so that a test waits for what the server says it did
    (a worker started, a worker restarted) instead of polling on a timer."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self.process, self.descriptor, self.text = process, process.stderr.fileno(), ""

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        # Raw reads, not readline(): a buffered reader could hold the awaited line while select() waits.
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.descriptor, selectors.EVENT_READ)
            while self.text.count(text) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"the server did not log {text!r} {count} time(s):\n{self.text}"
                if selector.select(remaining):
                    chunk = os.read(self.descriptor, 65536)
                    assert chunk, f"the server stopped before logging {text!r}:\n{self.text}"
                    self.text += chunk.decode("utf-8", errors="replace")

    def stop(self) -> str:
        """SIGTERM, as a service manager sends it; returns everything the server logged."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        while chunk := os.read(self.descriptor, 65536):
            self.text += chunk.decode("utf-8", errors="replace")
        return self.text


STARTED = "Application startup complete"


def serve(tmp_path: Path, database_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(tmp_path), "GOUVERNANCE_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "gouvernance", "serve", "--no-access-log", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_several_workers_are_refused_on_sqlite_with_the_reason(tmp_path: Path) -> None:
    process = serve(
        tmp_path, f"sqlite:///{tmp_path / 'api.db'}", "--workers", "2", "--port", str(free_port())
    )
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "(serve.workers_sqlite)" in stderr
    assert "PostgreSQL" in stderr
    assert "Traceback" not in stderr


@pytest.fixture
def two_workers(tmp_path: Path, database_url: str, db) -> Iterator[tuple[ServerLog, int]]:
    if database_url.startswith("sqlite"):
        pytest.skip("several API processes need PostgreSQL (the PostgreSQL suite runs this test)")
    port = free_port()
    process = serve(tmp_path, database_url, "--workers", "2", "--port", str(port))
    log = ServerLog(process)
    try:
        log.wait_for(STARTED, count=2)
        yield log, port
    finally:
        if process.poll() is None:
            process.kill()
            for pid in children(process.pid):
                os.kill(pid, signal.SIGKILL)
        process.communicate(timeout=30)


def test_workers_each_take_connections_and_a_dead_one_is_replaced(
    two_workers: tuple[ServerLog, int],
) -> None:
    log, port = two_workers
    process = log.process
    base = f"http://127.0.0.1:{port}"
    workers = children(process.pid)
    assert len(workers) == 2

    # 32 keep-alive clients: every one is answered, and the supervisor hands their connections to the two
    # workers in turn, so that each serves half of them.
    clients = [httpx.Client(base_url=base, timeout=5) for _ in range(32)]
    try:
        assert {client.get("/healthz").status_code for client in clients} == {200}
        assert [established_on(pid, port) for pid in workers] == [16, 16]
    finally:
        for client in clients:
            client.close()

    os.kill(workers[0], signal.SIGKILL)
    log.wait_for("redémarrage")
    log.wait_for(STARTED, count=3)  # the replacement started up
    replaced = children(process.pid)
    assert len(replaced) == 2
    assert workers[0] not in replaced
    assert workers[1] in replaced
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    log.stop()


def test_sigterm_stops_every_worker(two_workers: tuple[ServerLog, int]) -> None:
    log, _ = two_workers
    workers = children(log.process.pid)
    log.stop()
    assert log.process.returncode == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


FAILING_WORKERS = """
import logging, socket, sys
from gouvernance.api.server import ServeOptions, Supervisor
logging.basicConfig(level=logging.INFO)
def factory():
    raise RuntimeError("configuration impossible")
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
Supervisor(factory, ServeOptions(port=port, workers=2)).run()
"""


def test_a_worker_that_cannot_start_stops_the_server_instead_of_restarting_for_ever() -> None:
    result = subprocess.run(
        [sys.executable, "-c", FAILING_WORKERS], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert "s'est arrêté au démarrage" in result.stderr
    assert "redémarrage" not in result.stderr
