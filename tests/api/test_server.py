"""`gouvernance serve` as operators run it: real processes on a real port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Polls ``condition``: a real process starts (or restarts) at its own pace."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    def ready() -> bool:
        assert process.poll() is None, process.communicate()[1]
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(ready, "/readyz")


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
def two_workers(tmp_path: Path, database_url: str, db) -> Iterator[tuple[subprocess.Popen[str], int]]:
    if database_url.startswith("sqlite"):
        pytest.skip("several API processes need PostgreSQL (the PostgreSQL suite runs this test)")
    port = free_port()
    process = serve(tmp_path, database_url, "--workers", "2", "--port", str(port))
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            for pid in children(process.pid):
                os.kill(pid, signal.SIGKILL)
        process.communicate(timeout=30)


def test_workers_each_take_connections_and_a_dead_one_is_replaced(
    two_workers: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = two_workers
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
    wait_until(lambda: len(now := children(process.pid)) == 2 and workers[0] not in now, "a new worker")
    assert workers[1] in children(process.pid)
    wait_ready(base, process)
    assert "redémarrage" in _stop(process)


def test_sigterm_stops_every_worker(two_workers: tuple[subprocess.Popen[str], int]) -> None:
    process, _ = two_workers
    workers = children(process.pid)
    _stop(process)
    assert process.returncode == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM, as a service manager sends it; returns what the server logged."""
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    return stderr


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
