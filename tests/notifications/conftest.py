"""A real SMTP server (aiosmtpd) and a real HTTP webhook receiver on loopback, and a team of users on an
engagement of the small test model, for the notification tests."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from gouvernance.access.service import add_user, grant
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.notifications.channels import DELIVERY_HEADER, SIGNATURE_HEADER, verify
from gouvernance.notifications.records import ContactRow


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Received:
    body: bytes
    signature: str
    delivery: str
    valid: bool


class WebhookReceiver:
    secret = "s3cr3t-partage"

    def __init__(self) -> None:
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = self.headers.get(SIGNATURE_HEADER, "")
                receiver.received.append(
                    Received(
                        body,
                        signature,
                        self.headers.get(DELIVERY_HEADER, ""),
                        verify(receiver.secret, body, signature, tolerance=10**10),
                    )
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/gouvernance"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@dataclass(frozen=True)
class Team:
    organisation: str
    logins: dict[str, str]  # claire (consultant), sophie and marc (élus; marc reads a daily digest)
    engagement_id: str

    def email(self, name: str) -> str:
        return f"{name}@{self.organisation}.fr"


@pytest.fixture
def crew(db, clock, mini_model, people) -> Team:
    """An organisation with a consultant and two élus (one wants a daily digest), and an engagement of the
    small test model (step a1 due on 7 March 2026, escalated to the élus two days later)."""
    org = f"ville-{uuid.uuid4().hex[:8]}"
    team = Team(org, {name: f"{name}.{org}" for name in ("claire", "sophie", "marc")}, "")
    with db.transaction() as session:
        for name, role in (("claire", "consultant"), ("sophie", "elu"), ("marc", "elu")):
            add_user(session, team.logins[name], organisation=org, clock=clock)
            grant(session, team.logins[name], role, clock=clock)
            session.add(
                ContactRow(login=team.logins[name], email=team.email(name), daily_digest=(name == "marc"))
            )
        engagement_id = launch(
            session,
            LaunchRequest(
                mini_model, Territory("Ville-sur-Loire", "commune"), date(2026, 3, 2), organisation_id=org
            ),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    return Team(org, team.logins, engagement_id)
