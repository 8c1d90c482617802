"""Appending an event's entry while the transaction holds the engagement's head: on PostgreSQL the entry is
rendered around the event's id and stored, hashed by the database, by the statement that writes the event, so
that the chain costs no round trip; what the database stores must be exactly what Python would have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from gouvernance.audit import chain
from gouvernance.audit.canonical import digest, event_canonical, event_canonical_around_id, new_salts
from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.engagements.records import EngagementRow
from tests.audit.test_confirm import ODD_EVENTS, append_odd_events


@pytest.mark.parametrize("odd", ODD_EVENTS)
@pytest.mark.parametrize("event_id", [1, 42, 9_007_199_254_740_993])
def test_the_text_around_an_events_id_is_its_canonical_form_once_it_has_one(odd, event_id) -> None:
    at = datetime(2026, 3, 2, 9, 30, 1, 250, tzinfo=UTC)
    values = {
        "id": None,
        "engagement_id": "e",
        "step_id": 7,
        "step_key": "diagnostic",
        "event": "submit",
        "from_state": 'en « cours » "cité"',
        "to_state": "in_review",
        "actor": "Élodie d'Arc",
        "actor_role": "consultant",
        "occurred_at": at,
        "comment": odd["comment"],
        "payload": odd["payload"],
        "version": 3,
    }
    salts = new_salts("event", values)
    row = tuple(values.values())
    before, after = event_canonical_around_id(row, seq=5, prev="ab" * 32, at=at, salts=salts)
    whole = event_canonical((event_id, *row[1:]), seq=5, prev="ab" * 32, at=at, salts=salts)
    assert before + str(event_id) + after == whole


def test_an_event_appended_under_the_head_is_chained_as_python_would_in_one_statement(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with db.transaction() as session:
        chain.lock(session, engagement_id)  # what the door's locked read does
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            append_odd_events(session, engagement_id, clock, topic="engagement.note")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    # PostgreSQL: the event, its outbox row and its entry in one statement; SQLite: three, in-process.
    per_event = 1 if db.dialect == "postgresql" else 3
    assert len(statements) == per_event * len(ODD_EVENTS)
    with db.reading() as session:
        report = verify(session, engagement_id)
        entries = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.engagement_id == engagement_id)
            .order_by(AuditEntryRow.seq)
        ).all()
        head = session.execute(
            select(EngagementRow.audit_seq, EngagementRow.audit_head).where(EngagementRow.id == engagement_id)
        ).one()
    assert report.ok, report.anomalies
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    for entry in entries:
        assert entry.hash == digest(entry.canonical)
    # The database moved the head to the last entry stored.
    assert tuple(head) == (entries[-1].seq, entries[-1].hash)
