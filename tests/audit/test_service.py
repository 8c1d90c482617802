"""Verifying every chain at once (the nightly flow, `audit verify --all`) reports exactly what verifying each
engagement on its own reports, whichever engagements are altered, empty or surrounded by stray entries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from gouvernance.audit.service import verify_every
from gouvernance.audit.verify import verify
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from tests.audit.conftest import tamper
from tests.engagements.helpers import fire


def _alone(db: Database, engagement_id: str) -> dict:
    with db.reading() as session:
        return verify(session, engagement_id).as_dict()


def _launched(db: Database, clock, model, people) -> str:
    with db.transaction() as session:
        return launch(
            session,
            LaunchRequest(model, Territory("Olivet", "commune"), date(2026, 3, 2)),
            actor=people.consultant,
            clock=clock,
        ).engagement_id


def test_every_report_is_each_engagements_own(tampered_db, journey, clock, mini_model, people) -> None:
    db = tampered_db
    intact = _launched(db, clock, mini_model, people)
    fire(db, clock, intact, "a1", "start", people.consultant)
    emptied = _launched(db, clock, mini_model, people)
    tamper(db, "DELETE FROM audit_entries WHERE engagement_id = :e", e=emptied)
    tamper(db, "UPDATE events SET actor = 'quelquun' WHERE engagement_id = :e AND event = 'start'", e=journey)
    # Entries of an engagement that does not exist, sorted before and after the others.
    for stray in ("00000000-stray", "zzzzzzzz-stray"):
        tamper(
            db,
            "INSERT INTO audit_entries (engagement_id, seq, kind, ref_id, recorded_at, prev_hash, hash, "
            "canonical, salts) SELECT :stray, seq, kind, ref_id, recorded_at, prev_hash, hash, canonical, "
            "salts FROM audit_entries WHERE engagement_id = :e",
            stray=stray,
            e=intact,
        )

    reports = list(verify_every(db))

    by_id = {report.engagement_id: report.as_dict() for report in reports}
    assert len(by_id) == len(reports)
    with db.reading() as session:
        every = set(session.scalars(select(EngagementRow.id)))
    # A chain whose engagement is gone gets a report of its own: the loss shows.
    assert set(by_id) == every | {"00000000-stray", "zzzzzzzz-stray"}
    for stray in ("00000000-stray", "zzzzzzzz-stray"):
        (anomaly,) = by_id[stray]["anomalies"]
        assert anomaly["code"] == "engagement_deleted"
        assert by_id[stray]["entries"] == by_id[intact]["entries"]
        assert f"sa chaîne de {by_id[intact]['entries']} entrées demeure" in anomaly["message"]
    for engagement_id in (journey, intact, emptied):
        assert by_id[engagement_id] == _alone(db, engagement_id)
    assert by_id[intact]["ok"]
    assert by_id[intact]["entries"] >= 2
    assert [a["code"] for a in by_id[journey]["anomalies"]] == ["altered"]
    head, *unchained = (a["code"] for a in by_id[emptied]["anomalies"])
    assert head == "head"
    assert unchained
    assert set(unchained) == {"inserted"}
    assert by_id[emptied]["entries"] == 0
