"""Whoever holds the database drops the triggers and edits history: verification finds each change and says
where it is. Run on SQLite, and on PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select, text

from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.db.engine import Database
from gouvernance.history.records import EventRow
from tests.audit.conftest import tamper


def _report(db: Database, engagement_id: str):
    with db.reading() as session:
        return verify(session, engagement_id)


def _entries(db: Database, engagement_id: str) -> list[AuditEntryRow]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.engagement_id == engagement_id)
                .order_by(AuditEntryRow.seq)
            )
        )


def _event_entry(db: Database, engagement_id: str, event: str) -> tuple[AuditEntryRow, EventRow]:
    with db.reading() as session:
        row = session.scalar(
            select(EventRow)
            .where(EventRow.engagement_id == engagement_id, EventRow.event == event)
            .order_by(EventRow.id)
        )
        assert row is not None
    entry = next(e for e in _entries(db, engagement_id) if e.kind == "event" and e.ref_id == row.id)
    return entry, row


def test_an_untouched_chain_verifies(tampered_db, journey) -> None:
    report = _report(tampered_db, journey)
    assert report.ok, report.anomalies
    entries = _entries(tampered_db, journey)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert {e.kind for e in entries} == {"event", "decision", "consultation", "consultation_deleted"}
    assert report.head_seq == len(entries)
    assert report.head_hash == entries[-1].hash
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(entries))


def test_the_canonical_form_holds_no_personal_value(tampered_db, journey) -> None:
    entries = _entries(tampered_db, journey)
    assert not any("claire" in e.canonical or "Durand" in e.canonical for e in entries)
    assert any(e.salts.get("actor") for e in entries)


def test_a_rewritten_actor_is_found_and_located(tampered_db, journey) -> None:
    entry, event = _event_entry(tampered_db, journey, "submit")
    tamper(tampered_db, "UPDATE events SET actor = 'quelquun' WHERE id = :id", id=event.id)
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq, anomaly.kind, anomaly.ref_id) == (
        "altered",
        entry.seq,
        "event",
        event.id,
    )
    assert anomaly.fields == ("actor",)
    assert f"entrée n° {entry.seq}" in anomaly.message


def test_an_altered_state_and_comment_are_named(tampered_db, journey) -> None:
    entry, event = _event_entry(tampered_db, journey, "submit")
    tamper(tampered_db, "UPDATE events SET to_state = 'done', comment = NULL WHERE id = :id", id=event.id)
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert anomaly.fields == ("comment", "to_state")
    assert anomaly.seq == entry.seq
    assert '« to_state » : "in_review" → "done"' in anomaly.message


def test_a_deleted_event_is_found(tampered_db, journey) -> None:
    entry, event = _event_entry(tampered_db, journey, "start")
    tamper(
        tampered_db,
        "DELETE FROM outbox WHERE event_id = :id",
        "DELETE FROM events WHERE id = :id",
        id=event.id,
    )
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq, anomaly.ref_id) == ("deleted", entry.seq, event.id)


def test_a_deleted_event_and_its_entry_are_found(tampered_db, journey) -> None:
    entry, event = _event_entry(tampered_db, journey, "start")
    tamper(
        tampered_db,
        "DELETE FROM audit_entries WHERE engagement_id = :e AND seq = :seq",
        "DELETE FROM outbox WHERE event_id = :id",
        "DELETE FROM events WHERE id = :id",
        id=event.id,
        e=journey,
        seq=entry.seq,
    )
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq) == ("missing_entries", entry.seq)


def test_an_inserted_event_is_found(tampered_db, journey) -> None:
    _, event = _event_entry(tampered_db, journey, "submit")
    tamper(
        tampered_db,
        "INSERT INTO events (engagement_id, step_id, step_key, event, from_state, to_state, actor, "
        "actor_role, occurred_at, comment, payload, version) SELECT engagement_id, step_id, step_key, "
        "'approve', 'in_review', "
        "'done', 'sophie', 'elu', occurred_at, NULL, payload, 99 FROM events WHERE id = :id",
        id=event.id,
    )
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert anomaly.code == "inserted"
    assert anomaly.kind == "event"
    assert anomaly.ref_id > event.id
    assert "absent de la chaîne" in anomaly.message


def test_a_swapped_order_is_found(tampered_db, journey) -> None:
    first, _ = _event_entry(tampered_db, journey, "start")
    second, _ = _event_entry(tampered_db, journey, "submit")
    tamper(
        tampered_db,
        "UPDATE audit_entries SET seq = -1 WHERE engagement_id = :e AND seq = :a",
        "UPDATE audit_entries SET seq = :a WHERE engagement_id = :e AND seq = :b",
        "UPDATE audit_entries SET seq = :b WHERE engagement_id = :e AND seq = -1",
        e=journey,
        a=first.seq,
        b=second.seq,
    )
    anomalies = _report(tampered_db, journey).anomalies
    reordered = [a for a in anomalies if a.code == "reordered"]
    assert {(a.seq, a.ref_id) for a in reordered} == {(first.seq, second.ref_id), (second.seq, first.ref_id)}
    assert f"enregistrée sous le n° {second.seq}" in reordered[0].message


def test_a_rewritten_chain_entry_is_found(tampered_db, journey) -> None:
    entry, _ = _event_entry(tampered_db, journey, "submit")
    tamper(
        tampered_db,
        "UPDATE audit_entries SET canonical = replace(canonical, 'in_review', 'done') "
        "WHERE engagement_id = :e AND seq = :seq",
        "UPDATE events SET to_state = 'done' WHERE id = :id",
        e=journey,
        seq=entry.seq,
        id=entry.ref_id,
    )
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq) == ("rewritten", entry.seq)


def test_a_truncated_chain_is_found(tampered_db, journey) -> None:
    last = _entries(tampered_db, journey)[-1]
    tamper(
        tampered_db,
        "DELETE FROM audit_entries WHERE engagement_id = :e AND seq = :seq",
        e=journey,
        seq=last.seq,
    )
    codes = {a.code for a in _report(tampered_db, journey).anomalies}
    assert "head" in codes


def test_an_altered_decision_is_found(tampered_db, journey) -> None:
    entry = next(e for e in _entries(tampered_db, journey) if e.kind == "decision")
    tamper(tampered_db, "UPDATE decisions SET votes_for = 2 WHERE id = :id", id=entry.ref_id)
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq, anomaly.kind, anomaly.fields) == (
        "altered",
        entry.seq,
        "decision",
        ("votes_for",),
    )


def test_a_consultation_changed_behind_the_register_is_found(tampered_db, journey) -> None:
    entries = [e for e in _entries(tampered_db, journey) if e.kind == "consultation"]
    last = max(entries, key=lambda e: e.seq)  # the kept one, after its update
    tamper(tampered_db, "UPDATE consultations SET outcome = 'Défavorable' WHERE id = :id", id=last.ref_id)
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.seq, anomaly.kind, anomaly.ref_id, anomaly.fields) == (
        last.seq,
        "consultation",
        last.ref_id,
        ("outcome",),
    )


def test_a_deleted_consultation_or_decision_and_an_inserted_one_are_found(tampered_db, journey) -> None:
    decision = next(e for e in _entries(tampered_db, journey) if e.kind == "decision")
    tamper(
        tampered_db,
        "DELETE FROM decisions WHERE id = :id",
        id=decision.ref_id,
    )
    with tampered_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO decisions (id, engagement_id, number, title, text, decided_on, body, "
                "legal_basis, consultation_ids, public, recorded_by, created_at) "
                "VALUES (:id, :e, '2026-999', 'Ajoutée', '', "
                "'2026-03-01', 'bureau', '', '[]', true, 'x', '2026-03-02 08:00:00')"
            ),
            {"e": journey, "id": decision.ref_id + 1000},
        )
    codes = sorted((a.code, a.kind) for a in _report(tampered_db, journey).anomalies)
    assert codes == [("deleted", "decision"), ("inserted", "decision")]


def test_an_event_moved_to_another_engagement_is_found_in_both(
    tampered_db, journey, clock, mini_model, people
) -> None:
    from gouvernance.engagements.service import LaunchRequest, Territory, launch

    entry, event = _event_entry(tampered_db, journey, "submit")
    with tampered_db.transaction() as session:
        other = launch(
            session,
            LaunchRequest(mini_model, Territory("Fleury-les-Aubrais", "commune"), date(2026, 3, 2)),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    tamper(tampered_db, "UPDATE events SET engagement_id = :other WHERE id = :id", other=other, id=event.id)
    (anomaly,) = _report(tampered_db, journey).anomalies
    assert (anomaly.code, anomaly.seq, anomaly.ref_id) == ("foreign", entry.seq, event.id)
    assert "autre accompagnement" in anomaly.message
    moved = [a for a in _report(tampered_db, other).anomalies if a.ref_id == event.id]
    assert [a.code for a in moved] == ["inserted"]
