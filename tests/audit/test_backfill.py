"""Migration 0014 chains what was there before it: an engagement recorded without a chain verifies after the
upgrade, with one entry per event, decision and consultation."""

from __future__ import annotations

from sqlalchemy import func, select, text

from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.db.migrate import upgrade
from gouvernance.decisions.records import DecisionRow
from gouvernance.history.records import EventRow
from gouvernance.stakeholders.tables import ConsultationRow
from tests.audit.conftest import tamper


def _count(session, row, engagement_id):
    return session.scalar(select(func.count()).select_from(row).where(row.engagement_id == engagement_id))


def test_the_upgrade_chains_existing_rows(tampered_db, journey) -> None:
    from alembic import command

    from gouvernance.db.migrate import alembic_config

    db = tampered_db
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    with db.engine.connect() as connection:
        tables = set(db.engine.dialect.get_table_names(connection))
    assert "audit_entries" not in tables
    upgrade(db)
    with db.reading() as session:
        report = verify(session, journey)
        counts = [_count(session, row, journey) for row in (EventRow, DecisionRow, ConsultationRow)]
        entries = _count(session, AuditEntryRow, journey)
    assert report.ok, report.anomalies
    assert entries == sum(counts)
    assert report.head_seq == entries
    tamper(db, "UPDATE events SET actor = 'x' WHERE engagement_id = :e AND event = 'launched'", e=journey)
    with db.reading() as session:
        assert [a.code for a in verify(session, journey).anomalies] == ["altered"]
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() >= entries
