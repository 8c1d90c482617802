"""A `prefect server` of the worker's own, for the embedded default.

Prefect's in-process ephemeral server runs no scheduler: deployments served against it are never scheduled,
so `gouvernance worker` without PREFECT_API_URL would never sweep or dispatch by itself. On one machine the
worker therefore starts Prefect's real server as a child process on loopback, its SQLite database in the
data directory, and stops it on the way out.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_SECONDS = 180  # the first start runs Prefect's migrations: tens of seconds on a busy machine


class ServerDidNotStart(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prefect_command() -> str:
    beside = Path(sys.executable).parent / "prefect"
    return str(beside) if beside.exists() else (shutil.which("prefect") or "prefect")


@contextmanager
def local_prefect_server(home: Path) -> Iterator[str]:
    """Starts `prefect server` on a free loopback port with its files under ``home``; yields its API URL.
    Its output goes to ``home/server.log``. Telemetry is off unless PREFECT_SERVER_ANALYTICS_ENABLED says
    otherwise, and so is the dashboard unless PREFECT_UI_ENABLED does."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_UI_ENABLED", "false")
    url = f"http://127.0.0.1:{port}/api"
    with (home / "server.log").open("ab") as log:
        server = subprocess.Popen(
            [_prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(server, url, home / "server.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_healthy(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise ServerDidNotStart(
                    f"le serveur Prefect s'est arrêté au démarrage (code {server.returncode}) ; voir {log}"
                )
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    server.terminate()
    raise ServerDidNotStart(f"le serveur Prefect n'a pas répondu en {STARTUP_SECONDS} s ; voir {log}")
