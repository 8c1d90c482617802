"""Transport, against a real server: a stalled request body is cut off, an idle keep-alive connection is
closed, and responses carry the headers that keep browsers from sniffing, leaking or running what they
should not."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from gouvernance.api.app import create_app
from gouvernance.settings import Settings
from tests.api.conftest import serving
from tests.api.test_server import ServerLog, free_port, serve

BODY_TIMEOUT = 1.0


@pytest.fixture
def impatient_url(db, clock, blob_store, api_catalog, tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path, body_timeout_seconds=BODY_TIMEOUT)
    app = create_app(settings, database=db, clock=clock, blob_store=blob_store, catalog=api_catalog)
    with serving(app) as url:
        yield url


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _post_head(consultant, length: int) -> bytes:
    return (
        f"POST /engagements HTTP/1.1\r\nHost: test\r\n"
        f"Authorization: {consultant.headers['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def test_a_stalled_request_body_is_answered_408_and_its_connection_closed(impatient_url, consultant) -> None:
    with _connect(impatient_url) as connection:
        connection.sendall(_post_head(consultant, 100) + b'{"model_key": ')
        started = time.monotonic()
        answer = _read_until_closed(connection)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in answer
    assert b"request.timeout" in answer
    assert BODY_TIMEOUT * 0.9 <= waited < BODY_TIMEOUT + 5


def test_a_slow_body_that_keeps_coming_is_read(impatient_url, consultant) -> None:
    body = b'{"model_key": "mini", "territory": {"name": "Olivet"}, "start_date": "2026-03-02"}'
    with _connect(impatient_url) as connection:
        connection.sendall(_post_head(consultant, len(body)))
        for start in range(0, len(body), len(body) // 3 + 1):
            time.sleep(BODY_TIMEOUT * 0.6)
            connection.sendall(body[start : start + len(body) // 3 + 1])
        status_line = connection.recv(65536).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 201 Created"


def test_an_idle_keep_alive_connection_is_closed_by_gouvernance_serve(
    tmp_path: Path, database_url: str, db, monkeypatch
) -> None:
    monkeypatch.setenv("GOUVERNANCE_KEEP_ALIVE_SECONDS", "1")
    port = free_port()
    log = ServerLog(serve(tmp_path, database_url, "--port", str(port)))
    try:
        log.wait_for("Application startup complete")
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            response = b""
            while not response.endswith(b'{"status":"ok"}'):
                response += connection.recv(65536)
            assert response.startswith(b"HTTP/1.1 200 ")
            started = time.monotonic()
            assert _read_until_closed(connection) == b""
            assert time.monotonic() - started < 4
    finally:
        log.stop()


def test_a_client_that_connects_while_the_server_starts_waits_and_is_served(
    tmp_path: Path, database_url: str, db
) -> None:
    """The port listens from the moment it is bound (before the application's start-up): a health probe or a
    reverse proxy connecting meanwhile waits in the queue and gets its answer, rather than « connection
    refused »."""
    port = free_port()
    log = ServerLog(serve(tmp_path, database_url, "--port", str(port)))
    try:
        log.wait_for(f"écoute sur http://127.0.0.1:{port}")  # said before the application starts up
        with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            response = _read_until_closed(connection)
        assert response.startswith(b"HTTP/1.1 200 ")
    finally:
        log.stop()


def test_responses_carry_the_security_headers(live_url) -> None:
    health = httpx.get(f"{live_url}/healthz")
    missing = httpx.get(f"{live_url}/engagements")  # a problem, without a token
    for response in (health, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "content-security-policy" not in response.headers


def test_the_docs_page_runs_its_own_script_and_nothing_else(live_url) -> None:
    page = httpx.get(f"{live_url}/docs")
    policy = page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in policy
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'", policy)
    assert "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert httpx.get(f"{live_url}/docs/assets/swagger-ui-bundle.js").status_code == 200
