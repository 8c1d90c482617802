"""Benchmark of the one door (not a timed test).

1. Transitions per second through the door, against a floor: the same SQL statements (read the engagement
   and the step, versioned UPDATE, INSERT event, INSERT outbox, COMMIT) issued directly with SQLAlchemy Core
   in one process. Both alternate on the same database in the same run, in rounds; medians are compared.
2. Cost per transition walking a whole engagement of 60 steps against one of 600 steps (same stage shape),
   readiness cascades included.

Usage:
    python bench/door_bench.py [--database-url URL] [--transitions N] [--rounds R]
Targets: door >= 50 % of the floor on PostgreSQL, >= 25 % on SQLite; 600-step cost within 10 % of 60-step.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database, normalise_url
from gouvernance.db.migrate import upgrade
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import transition
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import build_model

CONSULTANT = ActorRef.of("bench", "consultant", "chef_de_projet")


def synthetic_model(key: str, stages: int, steps_per_stage: int) -> ProcessModel:
    return build_model(
        {
            "key": key,
            "version": 1,
            "title": "Banc d'essai",
            "roles": [
                {"key": "consultant", "title": "Consultant"},
                {"key": "chef_de_projet", "title": "Chef de projet"},
            ],
            "stages": [
                {
                    "key": f"s{i}",
                    "title": f"Phase {i}",
                    "after": [f"s{i - 1}"] if i else [],
                    "steps": [
                        {
                            "key": f"s{i}_t{j}",
                            "title": f"Étape {j}",
                            "role": "consultant",
                            "duration": "5 jours",
                            **({"after": [f"s{i}_t{j - 1}"]} if j % 3 else {}),
                        }
                        for j in range(steps_per_stage)
                    ],
                }
                for i in range(stages)
            ],
        },
        key,
    )


def scratch_database(url: str | None) -> tuple[Database, Any]:
    if url is None:
        directory = tempfile.mkdtemp(prefix="gouvernance-bench-")
        db = Database(f"sqlite:///{directory}/bench.db")
        upgrade(db)
        return db, lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    from sqlalchemy.engine import make_url

    scoped = make_url(normalise_url(url)).update_query_dict({"options": f"-csearch_path={schema}"})
    db = Database(scoped.render_as_string(hide_password=False))
    upgrade(db)

    def drop() -> None:
        db.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return db, drop


def launch_one(db: Database, model: ProcessModel, clock: FrozenClock) -> str:
    with db.transaction() as session:
        return launch(
            session,
            LaunchRequest(model, Territory("Banc", "commune"), date(2026, 1, 5)),
            actor=CONSULTANT,
            clock=clock,
        ).engagement_id


def door_loop(db: Database, engagement_id: str, step_key: str, count: int, clock: FrozenClock) -> float:
    """submit / request_rework on one in-progress step: `count` transitions through the door."""
    start = time.perf_counter()
    for i in range(count):
        event, comment = ("submit", None) if i % 2 == 0 else ("request_rework", "À reprendre")
        with db.transaction() as session:
            transition(
                session,
                engagement_id=engagement_id,
                step_key=step_key,
                event=event,
                actor=CONSULTANT,
                clock=clock,
                comment=comment,
            )
    return time.perf_counter() - start


FLOOR_STATEMENTS = {
    "engagement": text("SELECT id, model_key, model_version, state, version FROM engagements WHERE id = :e"),
    "step": text("SELECT id, state, version, round FROM steps WHERE engagement_id = :e AND step_key = :k"),
    "update": text(
        "UPDATE steps SET state = :s, version = :v2, round = :r, updated_at = :now "
        "WHERE id = :id AND version = :v"
    ),
    "event": text(
        "INSERT INTO events (engagement_id, step_id, step_key, event, from_state, to_state, actor, "
        "actor_role, occurred_at, comment, payload, version) VALUES (:e, :id, :k, :ev, :f, :t, :a, "
        ":role, :now, :c, :p, :v2) RETURNING id"
    ),
    "outbox": text(
        "INSERT INTO outbox (event_id, engagement_id, topic, payload, status, attempts, created_at) "
        "VALUES (:event_id, :e, :topic, :p, 'pending', 0, :now)"
    ),
}


def floor_loop(db: Database, engagement_id: str, step_key: str, count: int, clock: FrozenClock) -> float:
    """The same statements the door issues for the same transitions, hand-written, one transaction each."""
    s = FLOOR_STATEMENTS
    start = time.perf_counter()
    for i in range(count):
        event, to_state = ("submit", "in_review") if i % 2 == 0 else ("request_rework", "in_progress")
        now = clock.now() if db.dialect != "sqlite" else clock.now().replace(tzinfo=None)
        with db.engine.begin() as connection:
            if db.dialect == "sqlite":
                connection.exec_driver_sql("SELECT 1")  # the begin hook issues BEGIN, like the door's
            connection.execute(s["engagement"], {"e": engagement_id}).one()
            step = connection.execute(s["step"], {"e": engagement_id, "k": step_key}).one()
            new_round = step.round + (1 if event == "request_rework" else 0)
            updated = connection.execute(
                s["update"],
                {
                    "s": to_state,
                    "v2": step.version + 1,
                    "r": new_round,
                    "now": now,
                    "id": step.id,
                    "v": step.version,
                },
            )
            assert updated.rowcount == 1
            event_id = connection.execute(
                s["event"],
                {
                    "e": engagement_id,
                    "id": step.id,
                    "k": step_key,
                    "ev": event,
                    "f": step.state,
                    "t": to_state,
                    "a": "bench",
                    "role": "consultant",
                    "now": now,
                    "c": None,
                    "p": '{"round": 1}',
                    "v2": step.version + 1,
                },
            ).scalar_one()
            connection.execute(
                s["outbox"],
                {
                    "event_id": event_id,
                    "e": engagement_id,
                    "topic": f"step.{event}",
                    "p": '{"engagement_id": "x"}',
                    "now": now,
                },
            )
    return time.perf_counter() - start


def prepare_in_progress(db: Database, model: ProcessModel, clock: FrozenClock) -> tuple[str, str]:
    engagement_id = launch_one(db, model, clock)
    first = model.stages[0].steps[0].key
    with db.transaction() as session:
        transition(
            session, engagement_id=engagement_id, step_key=first, event="start", actor=CONSULTANT, clock=clock
        )
    return engagement_id, first


def walk(db: Database, model: ProcessModel, clock: FrozenClock) -> tuple[int, float]:
    """Every step: start, submit, approve (readiness cascades included). Returns (transitions, seconds)."""
    engagement_id = launch_one(db, model, clock)
    transitions = 0
    start = time.perf_counter()
    for stage in model.stages:
        for step in stage.steps:
            for event in ("start", "submit", "approve"):
                clock.advance(timedelta(hours=1))
                with db.transaction() as session:
                    result = transition(
                        session,
                        engagement_id=engagement_id,
                        step_key=step.key,
                        event=event,
                        actor=CONSULTANT,
                        clock=clock,
                    )
                transitions += len(result.all())
    return transitions, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL; SQLite in a temp dir by default"
    )
    parser.add_argument("--transitions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    db, drop = scratch_database(args.database_url)
    clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    try:
        print(f"backend: {db.dialect}")
        small, large = synthetic_model("bench-60", 10, 6), synthetic_model("bench-600", 10, 60)
        door_target = prepare_in_progress(db, small, clock)
        floor_target = prepare_in_progress(db, small, clock)
        door_loop(db, *door_target, 100, clock)  # warm-up: caches, connection pool, statement caches
        floor_loop(db, *floor_target, 100, clock)
        door_rates, floor_rates = [], []
        for _ in range(args.rounds):
            door_rates.append(args.transitions / door_loop(db, *door_target, args.transitions, clock))
            floor_rates.append(args.transitions / floor_loop(db, *floor_target, args.transitions, clock))
        door, floor = statistics.median(door_rates), statistics.median(floor_rates)
        target = 0.5 if db.dialect == "postgresql" else 0.25
        print(f"door : {door:8.0f} transitions/s (median of {args.rounds} rounds of {args.transitions})")
        print(f"floor: {floor:8.0f} statements-only transitions/s")
        print(
            f"ratio door/floor: {door / floor:.2f}  (target >= {target:.2f}: "
            f"{'met' if door / floor >= target else 'NOT met'})"
        )
        walk(db, small, clock)  # warm-up
        costs: dict[str, list[float]] = {"60": [], "600": []}
        for _ in range(args.rounds):
            for label, model in (("60", small), ("600", large)):
                count, seconds = walk(db, model, clock)
                costs[label].append(seconds / count * 1000)
        c60, c600 = statistics.median(costs["60"]), statistics.median(costs["600"])
        print(f"walk 60 steps : {c60:.3f} ms per transition")
        print(f"walk 600 steps: {c600:.3f} ms per transition")
        print(
            f"ratio 600/60: {c600 / c60:.3f}  (target <= 1.10: {'met' if c600 / c60 <= 1.10 else 'NOT met'})"
        )
    finally:
        drop()


if __name__ == "__main__":
    main()
