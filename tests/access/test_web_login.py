"""Web sign-in in the domain: the throttle per account and per address, sessions that expire or end, and the
form token tied to its session."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from gouvernance.access.service import add_user
from gouvernance.access.web_login import (
    Throttled,
    form_token,
    form_token_matches,
    session_principal,
    set_password,
    sign_in,
    sign_out,
)
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database

PASSWORD = "un mot de passe assez long"
HOUR = timedelta(hours=1)


def person(db: Database, clock: FrozenClock) -> str:
    login = f"web.{uuid.uuid4().hex[:10]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=clock)
        set_password(session, login, PASSWORD, now=clock.now())
    return login


def attempt(db: Database, clock: FrozenClock, login: str, password: str, address: str = "192.0.2.1"):
    with db.transaction() as session:
        return sign_in(session, login, password, address=address, now=clock.now(), lifetime=HOUR)


def test_five_failures_lock_the_account_for_a_while_even_with_the_right_password(db, clock) -> None:
    login = person(db, clock)
    for _ in range(5):
        assert attempt(db, clock, login, "faux") is None
    with pytest.raises(Throttled, match="pour ce compte"):
        attempt(db, clock, login, PASSWORD)
    clock.advance(timedelta(minutes=16))
    assert attempt(db, clock, login, PASSWORD) is not None


def test_twenty_failures_from_one_address_lock_that_address(db, clock) -> None:
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    for _ in range(20):
        assert attempt(db, clock, f"inconnu.{uuid.uuid4().hex[:6]}", "faux", address) is None
    with pytest.raises(Throttled, match="depuis votre adresse"):
        attempt(db, clock, person(db, clock), PASSWORD, address)
    assert attempt(db, clock, person(db, clock), PASSWORD, "203.0.113.9") is not None


def test_a_session_ends_at_sign_out_at_expiry_and_with_a_new_password(db, clock) -> None:
    login = person(db, clock)
    signed = [attempt(db, clock, login, PASSWORD) for _ in range(3)]
    tokens = [s.token for s in signed if s is not None]
    with db.transaction() as session:
        assert session_principal(session, tokens[0], now=clock.now()) is not None
        sign_out(session, tokens[0], now=clock.now())
        assert session_principal(session, tokens[0], now=clock.now()) is None
        assert session_principal(session, tokens[1], now=clock.now() + 2 * HOUR) is None
        set_password(session, login, "un autre mot de passe long", now=clock.now())
        assert session_principal(session, tokens[2], now=clock.now()) is None
    assert form_token_matches(tokens[1], form_token(tokens[1]))
    assert not form_token_matches(tokens[1], form_token(tokens[2]))
    assert not form_token_matches(tokens[1], None)
    assert not form_token_matches(tokens[1], "é" * 64)  # not ASCII: refused, not an error
