"""The flows through a real `prefect server` process and a `gouvernance worker` process on loopback: the
worker registers its deployments with the server, and a run requested from here executes in the worker."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gouvernance.engagements.records import LaunchKeyRow
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.slow


class Process:
    """A child process whose output lines are collected by a thread, so waiting for a line needs no sleep."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> None:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout}s:\n{''.join(self.seen[-40:])}") from None
            self.seen.append(line)
            if text in line:
                return

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "INFO",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path / 'prefect.db'}",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    env.pop("PREFECT_API_URL", None)
    server = Process(
        [
            str(Path(sys.executable).parent / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env,
    )
    try:
        server.wait_for("Uvicorn running", timeout=180)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        server.stop()


def test_a_run_requested_from_the_server_executes_in_the_worker(
    prefect_server: str, database_url: str, db, tmp_path: Path
) -> None:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "GOUVERNANCE_DATABASE_URL": database_url,
        "GOUVERNANCE_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_HOME": str(tmp_path / "worker-home"),
    }
    worker = Process([sys.executable, "-m", "gouvernance", "worker"], env)
    key = f"real-server-{uuid.uuid4().hex[:8]}"
    try:
        worker.wait_for("being served", timeout=180)
        with temporary_settings({PREFECT_API_URL: prefect_server}):
            run = run_deployment(
                "launch-engagements/gouvernance",
                timeout=240,
                parameters={
                    "model_key": "gouvernance-partagee",
                    "start_date": date(2026, 9, 7).isoformat(),
                    "idempotency_key": key,
                    "territories": [
                        {"name": "Ardon", "kind": "commune"},
                        {"name": "Olivet", "kind": "commune"},
                    ],
                },
            )
        assert run.state is not None
        assert run.state.is_completed(), run.state
    finally:
        worker.stop()
    with db.reading() as session:
        launched = session.scalar(
            select(func.count()).select_from(LaunchKeyRow).where(LaunchKeyRow.key.startswith(key))
        )
    assert launched == 2
