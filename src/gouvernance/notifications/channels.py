"""The outside systems notifications go through: an SMTP server and webhook endpoints. Small interfaces, so
the dispatcher does not care how a message travels; in-memory versions record what was sent, for tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx

    from gouvernance.settings import Settings


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Raises on anything but a 2xx answer."""
        ...


@dataclass
class SmtpMailer:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "gouvernance <ne-pas-repondre@gouvernance.local>"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        """The outgoing mail server of the GOUVERNANCE_SMTP_* settings."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    def send(self, message: EmailMessage) -> None:
        if "From" not in message:
            message["From"] = self.sender
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class HttpWebhookSender:
    """``transport``: httpx's default network transport unless given (tests: ``httpx.MockTransport``).

    The client is made on the first delivery: every process builds a sender at start-up, few send webhooks,
    and httpx (with the command-line tools it loads) is a noticeable part of the API's cold start."""

    def __init__(self, timeout: float = 10.0, *, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout, self.transport = timeout, transport
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx  # deferred: see the class's docstring

            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False, transport=self.transport
            )
        return self._client

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        response = self.client.post(url, content=body, headers=headers)
        response.raise_for_status()


class Unreachable(ConnectionError):
    """What an in-memory channel raises when told to fail, as an unreachable server would."""


@dataclass
class InMemoryMailer:
    """Keeps the messages instead of sending them; ``failing`` makes every send fail as a dead server does."""

    sender: str = "gouvernance <ne-pas-repondre@gouvernance.local>"
    failing: bool = False
    sent: list[EmailMessage] = field(default_factory=list)

    def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise Unreachable("mail server unreachable (InMemoryMailer.failing)")
        if "From" not in message:
            message["From"] = self.sender
        self.sent.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.sent if message["To"] == address]


@dataclass(frozen=True)
class PostedWebhook:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class InMemoryWebhookSender:
    """Keeps the posts instead of sending them; ``failing`` makes every post fail."""

    failing: bool = False
    posted: list[PostedWebhook] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        if self.failing:
            raise Unreachable(f"webhook endpoint unreachable: {url} (InMemoryWebhookSender.failing)")
        self.posted.append(PostedWebhook(url, body, dict(headers)))


SIGNATURE_HEADER = "X-Gouvernance-Signature"
DELIVERY_HEADER = "X-Gouvernance-Delivery"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``: the timestamp is signed too, so a receiver
    can refuse replays older than a few minutes."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, now: int | None = None, tolerance: int = 300) -> bool:
    """What a receiver does with the signature header (used by our tests, documented for integrators)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        stamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    expected = sign(secret, body, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def email_message(*, to: str, subject: str, body: str, message_id: str, sent_at: float) -> EmailMessage:
    """A plain-text French e-mail. The Message-ID is derived from the delivery, so a retried delivery carries
    the same identity as the first attempt."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = formatdate(sent_at, localtime=False)
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = "fr"  # after set_content, which resets the Content-* headers
    return message


def webhook_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def delivery_message_id(delivery_id: int, domain: str = "gouvernance.local") -> str:
    return f"<delivery-{delivery_id}@{domain}>"


__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "HttpWebhookSender",
    "InMemoryMailer",
    "InMemoryWebhookSender",
    "Mailer",
    "PostedWebhook",
    "SmtpMailer",
    "Unreachable",
    "WebhookSender",
    "delivery_message_id",
    "email_message",
    "make_msgid",
    "sign",
    "verify",
    "webhook_body",
]
