"""Purging what signing in leaves behind once it serves nobody: browser sessions ended or expired, failed
sign-ins (the throttle counts only the last minutes), invitation and reset links used or expired, and the
responses stored for retried requests and forms (``Idempotency-Key``: a client retries within minutes, not
weeks). They go a set number of days after that, which leaves time to look into an incident. The scheduled
retention flow runs this after the engagements' retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, or_
from sqlalchemy.orm import Session

from gouvernance.access.records import AccessLinkRow, LoginAttemptRow, WebSessionRow
from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.idempotency.records import IdempotencyRow


@dataclass(frozen=True)
class AccessPurge:
    web_sessions: int
    login_attempts: int
    access_links: int
    stored_responses: int = 0


def purge_expired_access(db: Database, *, clock: Clock, days: int) -> AccessPurge:
    """Deletes, in one transaction, what ended, expired or was used more than ``days`` days ago."""
    with db.transaction() as session:
        return purge_before(session, clock.now() - timedelta(days=days))


def purge_before(session: Session, cutoff: datetime) -> AccessPurge:
    return AccessPurge(
        web_sessions=_count(
            session,
            delete(WebSessionRow).where(
                or_(WebSessionRow.expires_at < cutoff, WebSessionRow.ended_at < cutoff)
            ),
        ),
        login_attempts=_count(session, delete(LoginAttemptRow).where(LoginAttemptRow.attempted_at < cutoff)),
        access_links=_count(
            session,
            delete(AccessLinkRow).where(
                or_(AccessLinkRow.expires_at < cutoff, AccessLinkRow.used_at < cutoff)
            ),
        ),
        stored_responses=_count(session, delete(IdempotencyRow).where(IdempotencyRow.created_at < cutoff)),
    )


def _count(session: Session, statement: Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount
