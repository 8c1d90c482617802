"""No secret in any log line: ``gouvernance serve`` masks calendar and API tokens in the access log (even
refused ones) and Authorization credentials anywhere."""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from gouvernance.api.logs import MASK, logging_config, redact
from tests.processes import eventually, finish, shown, stop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CALENDAR_TOKEN = "gc_Zk3xW9qLmN0pRsTuVy2A-b_4cDeFgHiJkLmNoPqRsT"
API_TOKEN = "gv_Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm-_12345"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f'127.0.0.1:5 - "GET /me/calendar.ics?jeton={CALENDAR_TOKEN} HTTP/1.1" 200', CALENDAR_TOKEN),
        ('"GET /me/calendar.ics?x=1&jeton=pas-un-gc-mais-secret HTTP/1.1" 401', "pas-un-gc-mais-secret"),
        (f'"GET /engagements/{API_TOKEN}/steps HTTP/1.1" 404', API_TOKEN),
        (f"headers: {{'authorization': 'Bearer {API_TOKEN}'}}", API_TOKEN),
        ("Authorization: Basic dXNlcjpzZWNyZXQ=", "dXNlcjpzZWNyZXQ="),
        ("retry with bearer abc.def-ghi", "abc.def-ghi"),
    ],
)
def test_secrets_are_masked(line: str, secret: str) -> None:
    masked = redact(line)
    assert secret not in masked
    assert MASK in masked


def test_every_handler_masks_and_the_access_line_keeps_its_shape() -> None:
    config = logging_config()
    assert all(handler["filters"] == ["redact_secrets"] for handler in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(config["filters"]["redact_secrets"]["()"]())
    handler.setFormatter(AccessFormatter(config["formatters"]["access"]["fmt"], use_colors=False))
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/me/calendar.ics?jeton={CALENDAR_TOKEN}", "1.1", 200),
        None,
    )
    handler.handle(record)
    line = stream.getvalue()
    assert line == f'INFO:     127.0.0.1:1 - "GET /me/calendar.ics?jeton={MASK} HTTP/1.1" 200 OK\n'


def test_the_served_api_writes_no_token_to_its_log(tmp_path: Path, database_url: str, db) -> None:
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DATA_DIR": str(tmp_path), "GOUVERNANCE_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "gouvernance", "serve", "--port", str(port)],  # access log on, the default
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{shown(*process.communicate())}")
        try:
            return httpx.get(f"{base}/healthz", timeout=60).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually(answering, what="the server answering", details=lambda: shown(*stop(process)))
        refused = httpx.get(f"{base}/me/calendar.ics", params={"jeton": CALENDAR_TOKEN}, timeout=60)
        assert refused.status_code == 401
        httpx.get(f"{base}/engagements/{API_TOKEN}", params={"jeton": API_TOKEN}, timeout=60)
        httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        log, _ = finish(process)
    assert f"/me/calendar.ics?jeton={MASK}" in log
    assert f"/engagements/gv_{MASK}?jeton={MASK}" in log
    assert "gc_Zk3" not in log
    assert "Q1w2E3" not in log
