"""What the door's row locks promise on PostgreSQL (READ COMMITTED): transitions of one engagement take turns
on the engagement's row, taken before any step's, and one that waited sees the rows as the other left them.
On SQLite a write transaction holds the database's write lock from BEGIN IMMEDIATE on, so nothing interleaves.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import event, text

from gouvernance.audit.verify import verify
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import transition
from tests.audit.test_concurrency import _model
from tests.conftest import TEST_DATABASE_URL
from tests.engagements.helpers import fire, step

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="row locks of PostgreSQL (GOUVERNANCE_TEST_DATABASE_URL)"
)

LEAD = ActorRef.of("lea", "consultant", "chef_de_projet")


def _launched(db: Database, clock) -> str:
    with db.transaction() as session:
        return launch(
            session,
            LaunchRequest(_model(), Territory("Saran", "commune"), date(2026, 3, 2)),
            actor=LEAD,
            clock=clock,
        ).engagement_id


def _wait_until_blocked(db: Database, timeout: float = 20.0) -> None:
    """Until a session of this database waits for a row lock (PostgreSQL's own view of it)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if connection.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("no transition waited for the lock")


def test_a_transition_waiting_for_its_engagement_holds_no_step(db, clock) -> None:
    engagement_id = _launched(db, clock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with db.transaction() as first:
            transition(
                first, engagement_id=engagement_id, step_key="t0", event="start", actor=LEAD, clock=clock
            )
            waiting = pool.submit(fire, db, clock, engagement_id, "t1", "start", LEAD)
            _wait_until_blocked(db)
            # The waiting transition has not locked its step: a third transaction can. Had it taken the step
            # first, the first transaction setting off a change of that step would deadlock with it.
            with db.engine.connect() as third:
                locked = third.execute(
                    text(
                        "SELECT state FROM steps WHERE engagement_id = :e AND step_key = 't1' "
                        "FOR NO KEY UPDATE NOWAIT"
                    ),
                    {"e": engagement_id},
                ).scalar_one()
                third.rollback()
            assert locked == "ready"
        assert waiting.result(timeout=30).to_state == "in_progress"
    with db.reading() as session:
        assert verify(session, engagement_id).ok


def test_a_transition_that_waited_sees_the_step_as_the_other_left_it(db, clock) -> None:
    engagement_id = _launched(db, clock)
    fire(db, clock, engagement_id, "t0", "start", LEAD)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with db.transaction() as first:
            transition(
                first, engagement_id=engagement_id, step_key="t0", event="submit", actor=LEAD, clock=clock
            )
            # Only possible once the submission is seen: read before the first commits, the step would still
            # be in progress and the rework refused.
            rework = pool.submit(
                fire, db, clock, engagement_id, "t0", "request_rework", LEAD, comment="À reprendre"
            )
            _wait_until_blocked(db)
        result = rework.result(timeout=30)
    assert (result.from_state, result.to_state) == ("in_review", "in_progress")
    assert step(db, engagement_id, "t0").state == "in_progress"
    with db.reading() as session:
        assert verify(session, engagement_id).ok


def test_a_step_event_is_two_statements_its_chain_entry_included(db, clock) -> None:
    engagement_id = _launched(db, clock)
    fire(db, clock, engagement_id, "t0", "start", LEAD)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fire(db, clock, engagement_id, "t0", "submit", LEAD)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # The locked read (with the chain's head), then the step's UPDATE, its event, its outbox row and its chain
    # entry in one statement: the chain costs the door no round trip.
    assert len(statements) == 2, statements
    assert "FOR NO KEY UPDATE" in statements[0]
    assert "INSERT INTO audit_entries" in statements[1]
    with db.reading() as session:
        assert verify(session, engagement_id).ok
