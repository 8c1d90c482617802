"""Behind a trusted reverse proxy, the sign-in throttle counts the client's address (uvicorn's proxy headers,
GOUVERNANCE_FORWARDED_ALLOW_IPS), and a forwarded address from an untrusted peer is ignored."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from gouvernance.access.records import LoginAttemptRow
from gouvernance.api.server import ServeOptions, uvicorn_config
from gouvernance.db.engine import Database

CLIENT = "203.0.113.7"


@contextmanager
def served(app: FastAPI, trusted: str) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    config = uvicorn_config(ServeOptions(log_level="warning", forwarded_allow_ips=trusted), app)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def failed_sign_in(base: str, login: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as web:
        page = web.get("/connexion")
        token = re.search(r'name="jeton_formulaire" value="([^"]+)"', page.text)
        assert token
        answer = web.post(
            "/connexion",
            data={"identifiant": login, "mot_de_passe": "pas le bon", "jeton_formulaire": token.group(1)},
            headers={"X-Forwarded-For": CLIENT},
        )
        assert answer.status_code == 401


@pytest.mark.parametrize(("trusted", "seen"), [("127.0.0.1", CLIENT), ("192.0.2.1", "127.0.0.1")])
def test_the_throttle_counts_the_client_behind_a_trusted_proxy_only(
    app: FastAPI, db: Database, trusted: str, seen: str
) -> None:
    login = f"personne-{trusted.replace('.', '-')}"
    with served(app, trusted) as base:
        failed_sign_in(base, login)
    with db.reading() as session:
        addresses = session.scalars(
            select(LoginAttemptRow.address).where(LoginAttemptRow.login == login)
        ).all()
    assert addresses == [seen]
