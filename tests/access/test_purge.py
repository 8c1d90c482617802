"""Web sessions, failed sign-ins and e-mailed links go once they ended, expired or were used more than the set
number of days ago; what is still live, or only recently over, stays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gouvernance.access.purge import AccessPurge, purge_expired_access
from gouvernance.access.records import AccessLinkRow, LoginAttemptRow, WebSessionRow
from gouvernance.access.service import add_user
from gouvernance.clock import FrozenClock
from gouvernance.idempotency.records import IdempotencyRow

DAYS = 30
# Long before any other test's rows, so that the counts are this test's alone.
NOW = datetime(2001, 6, 1, 12, 0, tzinfo=UTC)
OVER = NOW - timedelta(days=DAYS, seconds=1)  # ended, expired or used just over DAYS days ago
RECENT = NOW - timedelta(days=DAYS - 1)


@pytest.fixture
def old_clock() -> FrozenClock:
    return FrozenClock(NOW)


def _session(login: str, *, expires: datetime, ended: datetime | None = None) -> WebSessionRow:
    token = uuid.uuid4().hex
    return WebSessionRow(
        login=login,
        token_sha256=token,
        created_at=expires - timedelta(hours=12),
        expires_at=expires,
        ended_at=ended,
    )


def _link(login: str, *, expires: datetime, used: datetime | None = None) -> AccessLinkRow:
    return AccessLinkRow(
        login=login,
        purpose="reset",
        token_sha256=uuid.uuid4().hex,
        created_at=expires - timedelta(hours=2),
        expires_at=expires,
        used_at=used,
    )


def _stored_response(login: str, created: datetime) -> IdempotencyRow:
    return IdempotencyRow(
        principal=login,
        key=uuid.uuid4().hex,
        method="POST",
        path="/engagements",
        request_sha256="0" * 64,
        status_code=201,
        headers={},
        body="{}",
        created_at=created,
    )


def test_what_is_over_for_longer_than_the_setting_goes_and_the_rest_stays(db, old_clock) -> None:
    login = f"purge.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=old_clock)
        gone = [
            _session(login, expires=OVER),
            _session(login, expires=NOW + timedelta(days=1), ended=OVER),  # signed out long ago
            LoginAttemptRow(login=login, address="192.0.2.1", attempted_at=OVER),
            _link(login, expires=OVER),
            _link(login, expires=NOW + timedelta(days=5), used=OVER),  # an invitation used long ago
        ]
        kept = [
            _session(login, expires=RECENT),
            _session(login, expires=NOW + timedelta(hours=3)),
            _session(login, expires=NOW + timedelta(hours=3), ended=RECENT),
            LoginAttemptRow(login=login, address="192.0.2.1", attempted_at=RECENT),
            _link(login, expires=RECENT),
            _link(login, expires=NOW + timedelta(days=5), used=RECENT),
            _link(login, expires=NOW + timedelta(hours=1)),
        ]
        gone.append(_stored_response(login, OVER))
        kept.append(_stored_response(login, RECENT))
        session.add_all(gone + kept)
        session.flush()
        gone_ids = {(type(row).__name__, row.id) for row in gone}
        kept_ids = {(type(row).__name__, row.id) for row in kept}

    report = purge_expired_access(db, clock=old_clock, days=DAYS)

    assert report == AccessPurge(web_sessions=2, login_attempts=1, access_links=2, stored_responses=1)
    with db.reading() as session:
        left = {
            (type(row).__name__, row.id)
            for table in (WebSessionRow, LoginAttemptRow, AccessLinkRow)
            for row in session.scalars(select(table).where(table.login == login))
        } | {
            (IdempotencyRow.__name__, row.id)
            for row in session.scalars(select(IdempotencyRow).where(IdempotencyRow.principal == login))
        }
    assert left == kept_ids
    assert not left & gone_ids
    assert purge_expired_access(db, clock=old_clock, days=DAYS) == AccessPurge(0, 0, 0)


def test_a_failed_sign_in_goes_once_it_is_older_than_the_setting(db, old_clock) -> None:
    login = f"purge.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=old_clock)
        attempt = LoginAttemptRow(login=login, address="192.0.2.2", attempted_at=RECENT)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id

    def still_there() -> bool:
        with db.reading() as session:
            return session.get(LoginAttemptRow, attempt_id) is not None

    purge_expired_access(db, clock=old_clock, days=DAYS)
    assert still_there()
    purge_expired_access(db, clock=FrozenClock(NOW + timedelta(days=2)), days=DAYS)
    assert not still_there()
