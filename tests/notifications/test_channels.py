"""The channels behind the dispatcher: webhooks over httpx (here on httpx.MockTransport), and the in-memory
mailer and webhook sender the tests use instead of a server."""

from __future__ import annotations

import httpx
import pytest

from gouvernance.notifications.channels import (
    HttpWebhookSender,
    InMemoryMailer,
    InMemoryWebhookSender,
    Unreachable,
    email_message,
)


def test_a_webhook_is_posted_with_its_body_and_headers() -> None:
    seen: list[httpx.Request] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = HttpWebhookSender(transport=httpx.MockTransport(endpoint))
    sender.post("https://mairie.example/hooks", b'{"topic":"step.start"}', {"X-Gouvernance-Delivery": "7"})
    [request] = seen
    assert (request.method, str(request.url)) == ("POST", "https://mairie.example/hooks")
    assert request.content == b'{"topic":"step.start"}'
    assert request.headers["X-Gouvernance-Delivery"] == "7"


@pytest.mark.parametrize("status", [302, 404, 500])
def test_anything_but_a_2xx_answer_is_a_failure(status: int) -> None:
    sender = HttpWebhookSender(transport=httpx.MockTransport(lambda _: httpx.Response(status)))
    with pytest.raises(httpx.HTTPStatusError):
        sender.post("https://mairie.example/hooks", b"{}", {})


def test_the_in_memory_mailer_keeps_what_was_sent_with_our_sender() -> None:
    mailer = InMemoryMailer()
    mailer.send(
        email_message(to="a@mairie.example", subject="Rappel", body="…", message_id="<1@x>", sent_at=0)
    )
    [sent] = mailer.to("a@mairie.example")
    assert sent["Subject"] == "Rappel"
    assert sent["From"] == mailer.sender
    assert mailer.to("b@mairie.example") == []


def test_failing_in_memory_channels_raise_and_keep_nothing() -> None:
    mailer, webhooks = InMemoryMailer(failing=True), InMemoryWebhookSender(failing=True)
    with pytest.raises(Unreachable):
        mailer.send(email_message(to="a@x", subject="s", body="b", message_id="<1@x>", sent_at=0))
    with pytest.raises(Unreachable):
        webhooks.post("https://mairie.example/hooks", b"{}", {})
    assert (mailer.sent, webhooks.posted) == ([], [])
