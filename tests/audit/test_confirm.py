"""PostgreSQL confirms event entries itself, so that verification's Python only recomputes the others: the
database must confirm every honest entry, whatever its content, and its help must not change a report."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.audit.canonical import event_canonical, new_salts
from gouvernance.audit.confirm import RENDERED, unconfirmed
from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.clock import Clock
from gouvernance.history.log import append_event
from tests.audit.conftest import tamper
from tests.audit.test_verify import _event_entry
from tests.conftest import TEST_DATABASE_URL

postgresql_only = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="the database confirms entries on PostgreSQL (GOUVERNANCE_TEST_DATABASE_URL)",
)

# Content a town hall can type, and payloads of every shape the API accepts.
ODD_EVENTS: list[dict[str, Any]] = [
    {"comment": 'Il a dit « non » puis "oui" \\ puis\tencore\nà la ligne', "payload": {}},
    {"comment": None, "payload": {"z": 1, "a": [1, 2.5, None, True], "É": {"k": "v", "prev": 3}}},
    {"comment": "émoji 🌳 et \u2028 séparateur", "payload": {"texte": "ctl\u0001\u001f fin", "n": -0.0}},
    {"comment": "", "payload": {"grand": 10**20, "petit": 1.5e-7, "flottant": 0.1}},
    {"comment": "x", "payload": {"payload": {"prev": "y"}, ',"prev":': 1}},
]


def append_odd_events(session: Session, engagement_id: str, clock: Clock, topic: str | None = None) -> None:
    """ODD_EVENTS, as events of ``engagement_id`` with odd states and roles too."""
    for n, odd in enumerate(ODD_EVENTS):
        append_event(
            session,
            engagement_id=engagement_id,
            step=None,
            event="note" if n % 2 else "commentaire",
            from_state=None,
            to_state=None if n % 2 else "en « cours »",
            actor="Élodie d'Arc" if n % 2 else "claire",
            actor_role=None if n % 2 else 'rôle "cité"',
            at=clock.now(),
            comment=odd["comment"],
            payload=odd["payload"],
            version=None if n % 2 else n,
            topic=topic,
        )


def _values() -> dict[str, Any]:
    return {
        "id": 1,
        "engagement_id": "e",
        "step_id": None,
        "step_key": None,
        "event": "submit",
        "from_state": None,
        "to_state": "in_review",
        "actor": "claire",
        "actor_role": "consultant",
        "occurred_at": datetime(2026, 3, 2, 9, 30, 1, 250, tzinfo=UTC),
        "comment": "c",
        "payload": {"a": 1},
        "version": 3,
    }


def test_the_database_renders_the_keys_of_the_canonical_form_in_its_order() -> None:
    values = _values()
    row = tuple(values.values())
    salts = new_salts("event", values)
    text = event_canonical(row, seq=4, prev="ab" * 32, at=values["occurred_at"], salts=salts)
    assert [key for key, _ in RENDERED] == list(json.loads(text))


@postgresql_only
def test_every_honest_event_entry_is_confirmed_whatever_its_content(tampered_db, journey, clock) -> None:
    with tampered_db.transaction() as session:
        append_odd_events(session, journey, clock)
    with tampered_db.reading() as session:
        listed = unconfirmed(session, journey)
        assert listed is not None
        # Only the payloads that hold the sequences the entry's text is cut at are left to Python (here a key
        # "prev" in a nested object, and the last one); every other honest entry is confirmed.
        events = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.engagement_id == journey, AuditEntryRow.kind == "event")
        ).all()
        payloads = {
            entry.seq: json.dumps(
                json.loads(entry.canonical)["payload"], sort_keys=True, separators=(",", ":")
            )
            for entry in events
        }
        cut_wrong = {seq for seq, text in payloads.items() if ',"prev":' in text or ',"payload":' in text}
        assert len(cut_wrong) == 2
        assert {seq for _, seq in listed} == cut_wrong
        report = verify(session, journey)
    assert report.ok, report.anomalies


@postgresql_only
def test_the_databases_help_changes_no_report(tampered_db, journey) -> None:
    _, event = _event_entry(tampered_db, journey, "submit")
    tamper(
        tampered_db,
        "UPDATE events SET actor = 'quelquun', payload = CAST(:payload AS jsonb) WHERE id = :id",
        "DELETE FROM audit_entries WHERE engagement_id = :engagement AND seq = 2",
        id=event.id,
        payload='{"ajout": 1}',
        engagement=journey,
    )
    with tampered_db.reading() as session:
        helped = verify(session, journey)
        alone = verify(session, journey, in_database=False)
    assert helped.as_dict() == alone.as_dict()
    assert {anomaly.code for anomaly in helped.anomalies} >= {"altered", "missing_entries"}


@postgresql_only
def test_a_forged_entry_that_is_not_json_is_still_found(tampered_db, journey) -> None:
    """Whoever rewrites an entry's text and its hash together can make the text anything: the database's
    check then fails on it, and Python verifies every entry instead."""
    entry, _ = _event_entry(tampered_db, journey, "submit")
    head, _, rest = entry.canonical.partition(',"payload":')
    tail = rest.rpartition(',"prev":')[2]
    forged = head + ',"payload":{pas du json,"prev":' + tail
    tamper(
        tampered_db,
        "UPDATE audit_entries SET canonical = :text, hash = :hash WHERE engagement_id = :e AND seq = :seq",
        text=forged,
        hash=hashlib.sha256(forged.encode()).hexdigest(),
        e=journey,
        seq=entry.seq,
    )
    with tampered_db.reading() as session:
        assert unconfirmed(session, journey) is None
        report = verify(session, journey)
    codes = {(anomaly.code, anomaly.seq) for anomaly in report.anomalies}
    assert ("rewritten", entry.seq) in codes or ("altered", entry.seq) in codes
    assert ("broken_link", entry.seq + 1) in codes


def test_the_full_verification_stands_alone(tampered_db, journey) -> None:
    with tampered_db.reading() as session:
        assert verify(session, journey, in_database=False).ok
