"""What the CLI, the API and the nightly flow ask of the chain: one engagement's report, every engagement's,
and the heads to publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, aliased

from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import ChainReport, verify, verify_all
from gouvernance.db.engine import Database
from gouvernance.engagements.lookup import engagement_or_not_found
from gouvernance.engagements.records import EngagementRow


@contextmanager
def snapshot(db: Database) -> Iterator[Session]:
    """A read-only session over one snapshot of the database: on PostgreSQL a repeatable read transaction, so
    that an append committed while a chain is read shows in none of its reads rather than as an event outside
    the chain (SQLite's read transaction is a snapshot already)."""
    with db.reading() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        yield session


def verify_engagement(db: Database, engagement_id: str) -> ChainReport:
    """One engagement's report, read from a snapshot of its own (see ``snapshot``)."""
    with snapshot(db) as session:
        engagement_or_not_found(session, engagement_id)
        return verify(session, engagement_id)


def verify_every(db: Database, *, in_database: bool = True) -> Iterator[ChainReport]:
    """Every engagement's report, all read from one snapshot of the database (see ``snapshot``);
    ``in_database``: see ``verify.verify``."""
    with snapshot(db) as session:
        yield from verify_all(session, in_database=in_database)


@dataclass(frozen=True)
class Head:
    """The last entry of an engagement's chain: what to publish, so that a rewrite of the past shows."""

    engagement_id: str
    territory: str
    seq: int
    hash: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "engagement_id": self.engagement_id,
            "territory": self.territory,
            "seq": self.seq,
            "hash": self.hash,
        }


def heads(session: Session, *, on: date | None = None, tz: tzinfo | None = None) -> list[Head]:
    """Each engagement's head now, or as it stood at the end of day ``on`` (local time ``tz``)."""
    if on is None:
        rows = session.execute(
            select(
                EngagementRow.id,
                EngagementRow.territory_name,
                EngagementRow.audit_seq,
                EngagementRow.audit_head,
            ).order_by(EngagementRow.id)
        )
        return [Head(*row) for row in rows]
    until = datetime.combine(on + timedelta(days=1), time(), tzinfo=tz)
    last = (
        select(AuditEntryRow.engagement_id, func.max(AuditEntryRow.seq).label("seq"))
        .where(AuditEntryRow.recorded_at < until)
        .group_by(AuditEntryRow.engagement_id)
        .subquery()
    )
    entry = aliased(AuditEntryRow)
    rows = session.execute(
        select(EngagementRow.id, EngagementRow.territory_name, last.c.seq, entry.hash)
        .outerjoin(last, last.c.engagement_id == EngagementRow.id)
        .outerjoin(entry, (entry.engagement_id == EngagementRow.id) & (entry.seq == last.c.seq))
        .order_by(EngagementRow.id)
    )
    return [Head(engagement_id, territory, seq or 0, hash_) for engagement_id, territory, seq, hash_ in rows]
