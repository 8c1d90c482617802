"""Signing people in to the web interface: passwords (Argon2id), browser sessions and the throttle on
failed sign-ins. API tokens stay for machines.

A session's cookie holds a random token; the database keeps its SHA-256 only. The form token (against
cross-site requests) is derived from the session token, so it is tied to the session and needs no column.
Failed sign-ins are rows, counted per login and per address over a window, so that several processes agree.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from gouvernance.access.records import LoginAttemptRow, PasswordRow, WebSessionRow
from gouvernance.access.service import Principal, principal_of, require_user, token_digest
from gouvernance.errors import InvalidInput, Message

MIN_PASSWORD_LENGTH = 12
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the login is unknown, so that a wrong login costs as long as a wrong password. Made at
    the first sign-in rather than at import: hashing costs about 0.3 s, which every start-up paid."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    token: str  # for the cookie; shown nowhere else
    expires_at: datetime


class Throttled(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.fr)
        self.message = message


BAD_CREDENTIALS = Message(
    "web.bad_credentials",
    "Identifiant ou mot de passe incorrect.",
    "Wrong login or password.",
    "password",
)


def set_password(session: Session, login: str, password: str, *, now: datetime) -> None:
    require_user(session, login)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            Message(
                "web.password_too_short",
                f"Mot de passe trop court : au moins {MIN_PASSWORD_LENGTH} caractères.",
                f"Password too short: at least {MIN_PASSWORD_LENGTH} characters.",
                "password",
            )
        )
    row = session.get(PasswordRow, login)
    hashed = _hasher.hash(password)
    if row is None:
        session.add(PasswordRow(login=login, password_hash=hashed, set_at=now))
    else:
        row.password_hash, row.set_at = hashed, now
    # A new password ends every open session of that person.
    for open_session in session.scalars(
        select(WebSessionRow).where(WebSessionRow.login == login, WebSessionRow.ended_at.is_(None))
    ):
        open_session.ended_at = now
    session.flush()


def _failures(session: Session, where: ColumnElement[bool], since: datetime) -> int:
    query = (
        select(func.count()).select_from(LoginAttemptRow).where(where, LoginAttemptRow.attempted_at >= since)
    )
    return int(session.scalar(query) or 0)


def check_throttle(session: Session, login: str, address: str, *, now: datetime) -> None:
    since = now - THROTTLE_WINDOW
    minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
    if _failures(session, LoginAttemptRow.login == login, since) >= MAX_FAILURES_PER_LOGIN:
        raise Throttled(
            Message(
                "web.throttled_login",
                f"Trop de tentatives de connexion pour ce compte. Réessayez dans {minutes}\u00a0minutes, "
                "ou demandez à l'administrateur de redéfinir votre mot de passe.",
                f"Too many sign-in attempts for this account. Retry in {minutes} minutes.",
                "login",
            )
        )
    if _failures(session, LoginAttemptRow.address == address, since) >= MAX_FAILURES_PER_ADDRESS:
        raise Throttled(
            Message(
                "web.throttled_address",
                "Trop de tentatives de connexion depuis votre adresse. "
                f"Réessayez dans {minutes}\u00a0minutes.",
                f"Too many sign-in attempts from your address. Retry in {minutes} minutes.",
                "login",
            )
        )


@dataclass(frozen=True)
class Attempt:
    """A sign-in read and checked, before anything is written: Argon2's deliberate slowness happens here,
    outside the write transaction (on SQLite, the one writer's lock)."""

    login: str
    address: str
    matches: bool
    rehash: str | None = None  # a new hash when the stored one's parameters are out of date


def normal_login(login: str) -> str:
    return login.strip().lower()[:120]


def try_password(session: Session, login: str, password: str, *, address: str, now: datetime) -> Attempt:
    """Raises Throttled when too many attempts failed lately, before looking at the password. Read-only."""
    login, address = normal_login(login), address[:64]
    check_throttle(session, login, address, now=now)
    row = session.get(PasswordRow, login)
    try:
        matches = _hasher.verify(row.password_hash if row else _dummy_hash(), password) and row is not None
    except (VerificationError, InvalidHashError):
        matches = False
    rehash = None
    if matches and row is not None and _hasher.check_needs_rehash(row.password_hash):
        rehash = _hasher.hash(password)
    return Attempt(login, address, matches, rehash)


def conclude(session: Session, attempt: Attempt, *, now: datetime, lifetime: timedelta) -> SignIn | None:
    """A new session when the password matched; otherwise the failure is counted and None returned."""
    if not attempt.matches:
        session.add(LoginAttemptRow(login=attempt.login, address=attempt.address, attempted_at=now))
        session.flush()
        return None
    login = attempt.login
    if attempt.rehash is not None:
        row = session.get(PasswordRow, login)
        if row is not None:
            row.password_hash = attempt.rehash
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.login == login))
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    session.add(
        WebSessionRow(login=login, token_sha256=token_digest(token), created_at=now, expires_at=expires)
    )
    session.flush()
    return SignIn(principal_of(session, login), token, expires)


def sign_in(
    session: Session, login: str, password: str, *, address: str, now: datetime, lifetime: timedelta
) -> SignIn | None:
    """``try_password`` then ``conclude`` in one session (the web interface runs them in two)."""
    attempt = try_password(session, login, password, address=address, now=now)
    return conclude(session, attempt, now=now, lifetime=lifetime)


def session_principal(session: Session, token: str, *, now: datetime) -> Principal | None:
    """The person a session cookie belongs to, or None (unknown, ended or expired)."""
    login = session.scalar(
        select(WebSessionRow.login).where(
            WebSessionRow.token_sha256 == token_digest(token),
            WebSessionRow.ended_at.is_(None),
            WebSessionRow.expires_at > now,
        )
    )
    return principal_of(session, login) if login else None


def sign_out(session: Session, token: str, *, now: datetime) -> None:
    row = session.scalar(select(WebSessionRow).where(WebSessionRow.token_sha256 == token_digest(token)))
    if row is not None and row.ended_at is None:
        row.ended_at = now
        session.flush()


def form_token(session_token: str) -> str:
    """The token every form of a session carries (against cross-site request forgery)."""
    return hashlib.sha256(b"formulaire|" + session_token.encode()).hexdigest()


def form_token_matches(session_token: str, submitted: str | None) -> bool:
    expected = form_token(session_token).encode()
    return submitted is not None and hmac.compare_digest(expected, submitted.encode())
