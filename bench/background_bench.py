"""Benchmarks of the background work (not timed tests).

1. Sweep scaling: the cost of one reminder sweep with 1k steps due among 100k open steps, against 1k due among
   5M open steps, side by side in one run (each sweep is measured in a transaction that is then rolled back,
   so rounds can alternate). Target: ratio <= 1.5, and under 1 s on PostgreSQL.
2. Bulk launch: engagements per second for 60-step engagements, each with 100 stakeholders imported from a
   CSV in the same transaction. Target: >= 50 per second.

Usage: python bench/background_bench.py [--database-url URL] [--small 100000] [--large 5000000] [--rounds 3]
                                        [--skip-sweep] [--skip-launch]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from door_bench import scratch_database, synthetic_model

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.bulk import launch_many
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.service import LaunchRequest, Territory
from gouvernance.notifications.reminders import sweep
from gouvernance.spec.catalog import snapshot

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
STEPS_PER_ENGAGEMENT = 60


def populate(db: Database, open_steps: int, due_steps: int) -> None:
    """``open_steps`` in-progress steps, of which ``due_steps`` are due within two days of NOW."""
    model = synthetic_model("sweep-bench", 10, STEPS_PER_ENGAGEMENT // 10)
    with db.transaction() as session:
        snapshot(session, model, now=NOW)
    keys = [
        (s.stage_key, s.key)
        for s in (type("S", (), {"stage_key": model.stage_of_step[k], "key": k}) for k in model.steps_by_key)
    ]
    engagements = open_steps // STEPS_PER_ENGAGEMENT
    due_every = max(1, open_steps // due_steps)
    counter = 0
    batch: list[dict[str, Any]] = []
    for chunk_start in range(0, engagements, 500):
        with db.transaction() as session:
            ids = [str(uuid.uuid4()) for _ in range(min(500, engagements - chunk_start))]
            session.execute(
                insert(EngagementRow),
                [
                    {
                        "id": i,
                        "model_key": model.key,
                        "model_version": 1,
                        "territory_name": "Banc",
                        "territory_kind": "commune",
                        "start_date": date(2027, 1, 4),
                        "parameters": {},
                        "state": "active",
                        "version": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for i in ids
                ],
            )
            for engagement_id in ids:
                for stage_key, step_key in keys:
                    due = NOW + (timedelta(days=1) if counter % due_every == 0 else timedelta(days=400))
                    counter += 1
                    batch.append(
                        {
                            "engagement_id": engagement_id,
                            "stage_key": stage_key,
                            "step_key": step_key,
                            "kind": "task",
                            "role": "consultant",
                            "state": "in_progress",
                            "version": 3,
                            "round": 1,
                            "ready_at": NOW,
                            "due_at": due,
                            "updated_at": NOW,
                        }
                    )
            session.execute(insert(StepRow), batch)
            batch.clear()
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE steps; ANALYZE engagements")


def timed_sweep(db: Database) -> tuple[float, int]:
    with db.engine.connect() as connection:
        transaction = connection.begin()
        from sqlalchemy.orm import Session

        session = Session(bind=connection)
        start = time.perf_counter()
        report = sweep(session, now=NOW, base_url="https://gouvernance.agglo.fr", batch_size=1000)
        elapsed = time.perf_counter() - start
        session.close()
        transaction.rollback()
    return elapsed, report.created


def bench_sweep(url: str | None, small_count: int, large: int, rounds: int) -> None:
    small_db, drop_small = scratch_database(url)
    large_db, drop_large = scratch_database(url)
    try:
        started = time.perf_counter()
        populate(small_db, small_count, 1000)
        populate(large_db, large, 1000)
        print(f"populated {small_count} / {large} open steps in {time.perf_counter() - started:.0f} s")
        timed_sweep(small_db), timed_sweep(large_db)  # warm-up
        small, large_times = [], []
        created = (0, 0)
        for _ in range(rounds):
            s, c1 = timed_sweep(small_db)
            g, c2 = timed_sweep(large_db)
            small.append(s)
            large_times.append(g)
            created = (c1, c2)
        s, g = statistics.median(small), statistics.median(large_times)
        print(f"sweep {small_count:>8} open / 1k due: {s * 1000:7.1f} ms ({created[0]} notifications)")
        print(f"sweep {large:>8} open / 1k due: {g * 1000:7.1f} ms ({created[1]} notifications)")
        print(
            f"ratio large/small: {g / s:.2f} (target <= 1.5: {'met' if g / s <= 1.5 else 'NOT met'}); "
            f"absolute {g:.2f} s (target < 1 s: {'met' if g < 1 else 'NOT met'})"
        )
    finally:
        drop_small()
        drop_large()


def stakeholder_csv(count: int) -> bytes:
    categories = [
        "Habitant/usager",
        "Association",
        "Entreprise",
        "Agent territorial",
        "Élu",
        "Partenaire institutionnel",
        "Organisation syndicale",
        "Autre",
    ]
    lines = ["Nom;Type;Catégorie;Pouvoir;Intérêt;Attitude"]
    for i in range(count):
        lines.append(
            f"Partie prenante {i};{'organisation' if i % 2 else 'personne'};{categories[i % 8]};"
            f"{1 + i % 5};{1 + (i * 3) % 5};{['favorable', 'neutre', 'opposé'][i % 3]}"
        )
    return ("\n".join(lines) + "\n").encode()


def bench_bulk_launch(url: str | None, count: int, rounds: int) -> None:
    db, drop = scratch_database(url)
    clock = FrozenClock(NOW)
    model = synthetic_model("launch-bench", 10, STEPS_PER_ENGAGEMENT // 10)
    csv_bytes = stakeholder_csv(100)
    from gouvernance.stakeholders.importing import importer_for

    with_stakeholders = importer_for(csv_bytes, actor=ActorRef.of("bench", "consultant"), clock=clock)

    try:
        rates = []
        for r in range(rounds + 1):
            requests = [
                (f"bench-{r}-{i}", LaunchRequest(model, Territory(f"Commune {i}"), date(2027, 1, 4)))
                for i in range(count)
            ]
            start = time.perf_counter()
            launch_many(
                db,
                requests,
                actor=ActorRef.of("bench", "consultant"),
                clock=clock,
                after_launch=with_stakeholders,
            )
            if r:  # the first round warms caches up
                rates.append(count / (time.perf_counter() - start))
        rate = statistics.median(rates)
        what = "with 100 stakeholders each"
        print(
            f"bulk launch, {STEPS_PER_ENGAGEMENT}-step engagements {what}: {rate:.0f} engagements/s "
            f"(target >= 50: {'met' if rate >= 50 else 'NOT met'})"
        )
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-launch", action="store_true")
    args = parser.parse_args()
    if not args.skip_sweep:
        bench_sweep(args.database_url, args.small, args.large, args.rounds)
    if not args.skip_launch:
        bench_bulk_launch(args.database_url, args.launches, args.rounds)


if __name__ == "__main__":
    main()
