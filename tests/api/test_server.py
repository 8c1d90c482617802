"""`gouvernance serve` as operators run it: real processes on a real port."""

from __future__ import annotations

import os
import re
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

from tests.processes import START_TIMEOUT, finish, output_of, run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return sorted(map(int, found.split()))


class ServerLog:
    """Reads a server's log (stderr) as it is written, so that a test waits for what the server says it did
    (a worker started, a worker restarted) instead of polling on a timer."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self.process, self.descriptor, self.text = process, process.stderr.fileno(), ""

    def wait_for(self, text: str, count: int = 1, timeout: float = START_TIMEOUT) -> None:
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
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the server did not stop within 60 s of SIGTERM:\n{self.text}") from None
        while chunk := os.read(self.descriptor, 65536):
            self.text += chunk.decode("utf-8", errors="replace")
        return self.text


STARTED = "Application startup complete"


def serve(tmp_path: Path, database_url: str, *args: str, access_log: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(tmp_path), "GOUVERNANCE_DATABASE_URL": database_url}
    log_option = "--access-log" if access_log else "--no-access-log"
    return subprocess.Popen(
        [sys.executable, "-m", "gouvernance", "serve", log_option, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def worker_pids(log: ServerLog) -> list[int]:
    """The worker processes uvicorn started so far, in order, from their own start-up lines."""
    return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.text)]


def test_several_workers_are_refused_on_sqlite_with_the_reason(tmp_path: Path) -> None:
    process = serve(
        tmp_path, f"sqlite:///{tmp_path / 'api.db'}", "--workers", "2", "--port", str(free_port())
    )
    stdout, stderr = finish(process, START_TIMEOUT)
    output = f"stdout:\n{stdout}\nstderr:\n{stderr}"
    assert process.returncode == 1, output
    assert "(serve.workers_sqlite)" in stderr, output
    assert "PostgreSQL" in stderr, output
    assert "Traceback" not in stderr, output


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


def test_the_workers_answer_and_a_dead_one_is_replaced(two_workers: tuple[ServerLog, int]) -> None:
    log, port = two_workers
    base = f"http://127.0.0.1:{port}"
    workers = worker_pids(log)
    assert len(workers) == 2
    assert set(workers) <= set(children(log.process.pid))

    clients = [httpx.Client(base_url=base, timeout=60) for _ in range(32)]
    try:
        assert {client.get("/healthz").status_code for client in clients} == {200}
    finally:
        for client in clients:
            client.close()

    os.kill(workers[0], signal.SIGKILL)
    log.wait_for(f"Child process [{workers[0]}] died")
    log.wait_for(STARTED, count=3)  # the replacement started up
    replacement = worker_pids(log)[2]
    assert replacement not in workers
    assert {workers[1], replacement} <= set(children(log.process.pid))
    assert httpx.get(f"{base}/readyz", timeout=60).status_code == 200
    log.stop()


def test_sigterm_stops_every_worker(two_workers: tuple[ServerLog, int]) -> None:
    log, _ = two_workers
    workers = worker_pids(log)
    log.stop()
    assert log.process.returncode == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


FAILING_WORKERS = """
import socket
from gouvernance.api.server import ServeOptions, serve
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
serve(ServeOptions(port=port, workers=2))
"""


def test_a_worker_that_cannot_start_stops_the_server_instead_of_restarting_for_ever(tmp_path: Path) -> None:
    # The parent reads no settings; each worker does, and this one is not a number.
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(tmp_path), "GOUVERNANCE_API_THREADS": "beaucoup"}
    result = run([sys.executable, "-c", FAILING_WORKERS], check=False, env=env)
    assert "L'API n'a pas pu démarrer" in result.stderr, output_of(result)
    assert "failed to start, stopping the parent process" in result.stderr, output_of(result)
    assert " died" not in result.stderr, output_of(result)  # never restarted


def _embedded(tmp_path: Path) -> dict[str, str]:
    """The environment of `gouvernance serve --demo` on the embedded default (a SQLite file in tmp_path)."""
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(tmp_path)}
    env.pop("GOUVERNANCE_DATABASE_URL", None)
    return env


def _read_until(process: subprocess.Popen[str], pattern: str, timeout: float = START_TIMEOUT) -> str:
    """What the process printed on stdout until ``pattern`` shows (unbuffered: PYTHONUNBUFFERED)."""
    assert process.stdout is not None
    descriptor, text = process.stdout.fileno(), ""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(descriptor, selectors.EVENT_READ)
        while not re.search(pattern, text):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"the server did not print {pattern!r}:\n{text}"
            if selector.select(remaining):
                chunk = os.read(descriptor, 65536)
                assert chunk, f"the server stopped before printing {pattern!r}:\n{text}"
                text += chunk.decode("utf-8", errors="replace")
    return text


def test_serve_demo_prints_tokens_that_open_the_demo_engagement(tmp_path: Path) -> None:
    port = free_port()
    env = {**_embedded(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gouvernance", "serve", "--demo", "--no-access-log", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = ServerLog(process)
    try:
        printed = _read_until(process, rf"127\.0\.0\.1:{port}/docs")
        log.wait_for(STARTED)
        tokens = re.findall(r"gv_[A-Za-z0-9_\-]{40,}", printed)
        assert len(set(tokens)) >= 6, printed
        engagement_id = re.search(r"Accompagnement : ([0-9a-f-]{36})", printed)[1]  # type: ignore[index]
        steps = httpx.get(
            f"http://127.0.0.1:{port}/engagements/{engagement_id}/steps",
            headers={"Authorization": f"Bearer {tokens[0]}"},
            timeout=60,
        )
        assert steps.status_code == 200, steps.text
        assert {s["state"] for s in steps.json()} >= {"ready", "pending"}  # launched, not walked
        _signs_in_with_printed_password(printed, port, engagement_id)
    finally:
        if process.poll() is None:
            log.stop()


def _signs_in_with_printed_password(printed: str, port: int, engagement_id: str) -> None:
    """The web interface's address and a login and password per role are printed, and they open it."""
    assert f"Interface web : http://127.0.0.1:{port}/connexion" in printed, printed
    logins = re.findall(r"^\s+(\w+)\s+(\S+)\s+(?!gv_)(\S{12,})$", printed, re.MULTILINE)
    assert {role for role, _, _ in logins} >= {"consultant", "chef_de_projet", "observateur"}, printed
    _, login, password = logins[0]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as web:
        form = re.search(r'name="jeton_formulaire" value="([^"]+)"', web.get("/connexion").text)
        assert form
        data = {"identifiant": login, "mot_de_passe": password, "jeton_formulaire": form[1]}
        assert web.post("/connexion", data=data).status_code == 303
        page = web.get(f"/accompagnements/{engagement_id}")
        assert page.status_code == 200
        assert "Démarrer" in page.text


def test_a_busy_port_is_said_in_french_before_any_token_is_printed(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            [sys.executable, "-m", "gouvernance", "serve", "--demo", "--port", str(port)],
            check=False,
            env=_embedded(tmp_path),
        )
    output = output_of(result)
    assert result.returncode == 1, output
    assert f"Le port {port} est déjà utilisé sur 127.0.0.1" in result.stderr, output
    assert f"gouvernance serve --port {port + 1}" in result.stderr, output
    assert "(serve.port_busy)" in result.stderr, output
    assert "gv_" not in result.stdout, output  # no demo prepared, no token printed
    assert "Traceback" not in result.stderr, output
    assert "Errno" not in result.stderr, output
