"""The few steps the database tests of the stakeholder register share: count rows, import a spreadsheet,
export it, read the timeline events."""

from __future__ import annotations

from sqlalchemy import func, select

from gouvernance.engagements.actors import ActorRef
from gouvernance.history.records import EventRow
from gouvernance.stakeholders import importing, reports

CHEF = ActorRef.of("julien", "chef_de_projet")


def count_rows(db, table, engagement_id: str) -> int:
    with db.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(table).where(table.engagement_id == engagement_id)
            )
            or 0
        )


def import_text(db, clock, engagement_id: str, content: str | bytes):
    with db.transaction() as session:
        return importing.import_csv(
            session,
            engagement_id=engagement_id,
            content=content.encode() if isinstance(content, str) else content,
            actor=CHEF,
            clock=clock,
        )


def events_of(db, engagement_id: str) -> list[EventRow]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(EventRow).where(EventRow.engagement_id == engagement_id).order_by(EventRow.id)
            )
        )


def export_register(db, clock, engagement_id: str, fmt: str, include_contacts: bool = False):
    with db.transaction() as session:
        return reports.export(
            session,
            engagement_id=engagement_id,
            fmt=fmt,
            include_contacts=include_contacts,
            actor=CHEF,
            clock=clock,
        )
