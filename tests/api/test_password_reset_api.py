"""« Mot de passe oublié » through the API: the same answer for a known and an unknown address, the link in
the e-mail sets the new password once, and too many requests are refused like too many failed sign-ins."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gouvernance.access.service import add_user
from gouvernance.access.web_login import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_LOGIN, try_password
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow

PASSWORD = "une phrase de passe assez longue"
_days = itertools.count()


@pytest.fixture
def clock() -> FrozenClock:
    """A moment of this test's own: the throttle counts per client address over a few minutes, and every
    test client has the same address."""
    return FrozenClock(datetime(2031, 1, 1, 8, tzinfo=UTC) + timedelta(days=next(_days)))


@pytest.fixture
def person(db: Database, clock: FrozenClock) -> tuple[str, str]:
    login = f"claire.{uuid.uuid4().hex[:8]}"
    email = f"{login}@exemple.fr"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=clock)
        session.add(ContactRow(login=login, email=email))
    return login, email


def _links_sent_to(db: Database, email: str) -> list[str]:
    with db.reading() as session:
        bodies = session.scalars(
            select(NotificationRow.body)
            .join(DeliveryRow, DeliveryRow.notification_id == NotificationRow.id)
            .where(DeliveryRow.address == email)
            .order_by(DeliveryRow.id)
        ).all()
    return [match for body in bodies for match in re.findall(r"/invitation/(\S+)", body)]


def _password_matches(db: Database, login: str, password: str, clock: FrozenClock) -> bool:
    with db.reading() as session:
        return try_password(session, login, password, address="test", now=clock.now()).matches


def test_a_reset_link_asked_for_through_the_api_sets_the_password_once(
    client: TestClient, db: Database, clock: FrozenClock, person: tuple[str, str]
) -> None:
    login, email = person
    unknown = f"personne.{uuid.uuid4().hex[:8]}@exemple.fr"
    known_answer = client.post("/password-resets", json={"email": email.upper()})
    unknown_answer = client.post("/password-resets", json={"email": unknown})
    assert known_answer.status_code == 202
    assert "2\u00a0heures" in known_answer.json()["detail"]
    assert (unknown_answer.status_code, unknown_answer.content) == (202, known_answer.content)
    assert _links_sent_to(db, unknown) == []
    [token] = _links_sent_to(db, email)

    chosen = client.post("/password-resets/password", json={"token": token, "password": PASSWORD})
    assert chosen.status_code == 204, chosen.text
    assert _password_matches(db, login, PASSWORD, clock)

    again = client.post("/password-resets/password", json={"token": token, "password": PASSWORD + "!"})
    assert again.status_code == 422
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "access_link.invalid"
    assert _password_matches(db, login, PASSWORD, clock)


def test_a_password_too_short_is_refused_and_the_link_still_works(
    client: TestClient, db: Database, clock: FrozenClock, person: tuple[str, str]
) -> None:
    login, email = person
    assert client.post("/password-resets", json={"email": email}).status_code == 202
    [token] = _links_sent_to(db, email)
    short = client.post("/password-resets/password", json={"token": token, "password": "court"})
    assert short.status_code == 422
    problem = short.json()
    assert problem["code"] == "web.password_too_short"
    assert "12 caractères" in problem["detail"]
    assert (
        client.post("/password-resets/password", json={"token": token, "password": PASSWORD}).status_code
        == 204
    )
    assert _password_matches(db, login, PASSWORD, clock)


def test_an_unknown_token_is_refused(client: TestClient) -> None:
    refused = client.post("/password-resets/password", json={"token": "pas-un-jeton", "password": PASSWORD})
    assert (refused.status_code, refused.json()["code"]) == (422, "access_link.invalid")


def test_too_many_requests_are_refused_like_failed_sign_ins_known_address_or_not(
    client: TestClient, db: Database, clock: FrozenClock, person: tuple[str, str]
) -> None:
    login, email = person

    def ask(address: str) -> int:
        return client.post("/password-resets", json={"email": address}).status_code

    def refusal(address: str) -> str:
        refused = client.post("/password-resets", json={"email": address})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.headers["retry-after"] == "900"
        return refused.json()["code"]

    unknown = [f"personne.{uuid.uuid4().hex[:8]}@exemple.fr" for _ in range(3)]
    for address in (email, unknown[0]):
        assert [ask(address) for _ in range(MAX_FAILURES_PER_LOGIN)] == [202] * MAX_FAILURES_PER_LOGIN
        assert refusal(address) == "web.throttled_login"
    assert len(_links_sent_to(db, email)) == MAX_FAILURES_PER_LOGIN
    # From one client, at most MAX_FAILURES_PER_ADDRESS requests whatever the addresses asked for.
    per_client = MAX_FAILURES_PER_ADDRESS - 2 * MAX_FAILURES_PER_LOGIN
    asked = [ask(unknown[1 + n // MAX_FAILURES_PER_LOGIN]) for n in range(per_client)]
    assert asked == [202] * per_client
    assert refusal(f"encore.{uuid.uuid4().hex[:8]}@exemple.fr") == "web.throttled_address"
    with db.reading() as session:  # asking for links locks nobody out of signing in from there
        assert not try_password(session, login, "faux", address="testclient", now=clock.now()).matches
    clock.advance(timedelta(minutes=16))
    assert ask(email) == 202


def test_the_reset_routes_are_public_and_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, status in (("/password-resets", "202"), ("/password-resets/password", "204")):
        operation = document["paths"][path]["post"]
        assert operation["x-permission"]["scope"] == "public"
        assert {status, "422"} <= set(operation["responses"])
    assert "429" in document["paths"]["/password-resets"]["post"]["responses"]
