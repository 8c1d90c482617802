"""nginx in front of two `gouvernance serve` processes, as operators run it: Debian's nginx in the foreground
with the documented configuration (deploy/nginx.conf, only its ports changed), traffic sent through it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Person
from tests.api.test_server import STARTED, ServerLog, free_port, serve
from tests.processes import START_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = ROOT / "deploy" / "nginx.conf"

# The documented configuration goes in nginx's http block; this is the rest of a main configuration, with
# every path nginx writes in the test's directory.
MAIN = """\
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/gouvernance.conf;
}}
"""

SERVED = re.compile(r'"GET /(?:healthz|me/tasks) HTTP/1\.1" 200')


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("nginx is not installed, and installing it needs root (bin/setup: apt-get install nginx)")
    pytest.fail("nginx is not installed: run bin/setup, which installs Debian's nginx when run as root")


def site(backends: tuple[int, int], port: int) -> str:
    """deploy/nginx.conf with the test's ports in place of 8001, 8002 and 80."""
    text = DOCUMENTED.read_text(encoding="utf-8")
    for documented, used in (
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{backends[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{backends[1]} "),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
    ):
        assert text.count(documented) == 1, f"deploy/nginx.conf no longer says {documented!r}: update here"
        text = text.replace(documented, used)
    return text


def wait_until_listening(port: int, process: subprocess.Popen[str], errors: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"nginx stopped:\n{process.communicate()[1]}\n{errors.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, (
                f"nginx did not listen within {START_TIMEOUT:.0f} s:\n{errors.read_text(errors='replace')}"
            )
            time.sleep(0.05)


@pytest.fixture
def backends(tmp_path: Path, database_url: str, db) -> Iterator[tuple[list[ServerLog], tuple[int, int]]]:
    if database_url.startswith("sqlite"):
        pytest.skip("two API processes need PostgreSQL (the PostgreSQL suite runs this test)")
    ports = (free_port(), free_port())
    logs = [
        ServerLog(serve(tmp_path / f"api-{port}", database_url, "--port", str(port), access_log=True))
        for port in ports
    ]
    try:
        for log in logs:
            log.wait_for(STARTED)
        yield logs, ports
    finally:
        for log in logs:
            if log.process.poll() is None:
                log.process.kill()
            log.process.communicate(timeout=30)


@pytest.fixture
def proxy(tmp_path: Path, backends: tuple[list[ServerLog], tuple[int, int]]) -> Iterator[str]:
    binary, port, work = nginx_binary(), free_port(), tmp_path / "nginx"
    work.mkdir()
    (work / "gouvernance.conf").write_text(site(backends[1], port), encoding="utf-8")
    # As root, nginx would run its worker as nobody, who cannot enter the test's private directory.
    user = "user root;" if os.geteuid() == 0 else ""
    main = work / "nginx.conf"
    main.write_text(MAIN.format(tmp=work, user=user), encoding="utf-8")
    command = [binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(main)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_listening(port, process, work / "error.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful shutdown
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def directives(text: str) -> list[str]:
    """The configuration's lines without comments, blank lines or indentation."""
    return [line for raw in text.splitlines() if (line := raw.split("#", 1)[0].strip())]


def test_the_readmes_nginx_lines_are_those_of_the_tested_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks, "the README shows the nginx configuration"
    tested = set(directives(DOCUMENTED.read_text(encoding="utf-8")))
    assert [line for block in blocks for line in directives(block) if line not in tested] == []


@pytest.mark.slow
def test_nginx_spreads_the_requests_over_both_api_processes(
    proxy: str, backends: tuple[list[ServerLog], tuple[int, int]], consultant: Person
) -> None:
    requests = [("/healthz", {}), ("/me/tasks", consultant.headers)] * 25
    with httpx.Client(base_url=proxy, timeout=60) as client, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda request: client.get(request[0], headers=request[1]), requests))
    assert [answer.status_code for answer in answers] == [200] * 50
    assert all(isinstance(answer.json(), list) for answer in answers[1::2])  # my tasks, as JSON

    # Each process's access log (uvicorn writes it on stdout): every request was served once, and both
    # processes served some.
    served = []
    for log in backends[0]:
        log.stop()
        assert log.process.stdout is not None
        served.append(len(SERVED.findall(log.process.stdout.read())))
    assert sum(served) == 50, served
    assert min(served) > 0, served


@pytest.mark.slow
def test_nginx_compresses_the_pages_and_the_stylesheet(proxy: str) -> None:
    """Debian's nginx.conf compresses text/html only; the site's lines add the stylesheet, JSON and SVG."""
    with httpx.Client(base_url=proxy, timeout=60, headers={"Accept-Encoding": "gzip"}) as client:
        stylesheet = client.get("/statique/gouvernance.css")
        openapi = client.get("/openapi.json")
    for answer in (stylesheet, openapi):
        assert answer.status_code == 200
        assert answer.headers.get("content-encoding") == "gzip", answer.url
    assert "body" in stylesheet.text  # httpx decompressed it: it is the stylesheet
