"""Many transitions at once on different steps of one engagement, with decisions recorded meanwhile: the chain
does not fork (its head's lock makes them take turns) and verifies. Meaningful on PostgreSQL (READ COMMITTED,
row locks); on SQLite the write lock serialises them anyway."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import func, select

from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import transition
from gouvernance.history.records import EventRow
from gouvernance.spec.validation import build_model

LEAD = ActorRef.of("lea", "consultant", "chef_de_projet")
STEPS = 8
ROUNDS = 6


def _model():
    return build_model(
        {
            "key": "parallele",
            "version": 1,
            "title": "Étapes en parallèle",
            "roles": [
                {"key": "consultant", "title": "Consultant"},
                {"key": "chef_de_projet", "title": "Chef de projet"},
            ],
            "stages": [
                {
                    "key": "s",
                    "title": "Phase",
                    "steps": [
                        {"key": f"t{i}", "title": f"Étape {i}", "role": "consultant", "duration": "5 jours"}
                        for i in range(STEPS)
                    ],
                }
            ],
        },
        "parallele",
    )


def test_concurrent_transitions_on_one_engagement_leave_one_valid_chain(db, clock) -> None:
    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(_model(), Territory("Fleury-les-Aubrais", "commune"), date(2026, 3, 2)),
            actor=LEAD,
            clock=clock,
        ).engagement_id

    def work(step: int) -> None:
        for event in ["start"] + ["submit", "request_rework"] * ROUNDS:
            with db.transaction() as session:
                transition(
                    session,
                    engagement_id=engagement_id,
                    step_key=f"t{step}",
                    event=event,
                    actor=LEAD,
                    clock=clock,
                    comment="À reprendre" if event == "request_rework" else None,
                )

    def decide(number: int) -> None:
        with db.transaction() as session:
            record_decision(
                session,
                engagement_id=engagement_id,
                data=DecisionData(f"D-{number}", "Point d'étape", date(2026, 3, 1), DecidingBody.COPIL),
                actor=LEAD,
                clock=clock,
            )

    with ThreadPoolExecutor(max_workers=STEPS + 2) as pool:
        futures = [pool.submit(work, step) for step in range(STEPS)]
        futures += [pool.submit(decide, number) for number in range(10)]
        for future in futures:
            future.result()
    with db.reading() as session:
        report = verify(session, engagement_id)
        events = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.engagement_id == engagement_id)
        )
        seqs = list(
            session.scalars(
                select(AuditEntryRow.seq)
                .where(AuditEntryRow.engagement_id == engagement_id)
                .order_by(AuditEntryRow.seq)
            )
        )
    assert report.ok, report.anomalies
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == events + 10  # each event and each decision once
    assert events >= 2 + STEPS * (1 + 2 * ROUNDS)
