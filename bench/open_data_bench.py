"""Benchmark of the open-data export (not a timed test): a portfolio of 200 public engagements of one
organisation, each with the demo's stakeholder register (32 stakeholders, their relations and consultations),
five decisions (four public) and four indicators (three public) measured monthly for two years, exported as
one package (``gouvernance export --portfolio``): time, ZIP size, uncompressed size, rows per table.

Usage:
    python bench/open_data_bench.py [--engagements 200] [--rounds 3] [--database-url URL]

Everything is seeded through the services (the register through the real CSV import). Export figures are
the median over the rounds, wall clock and CPU of this process; the host is shared, CPU is the steadier one.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from gouvernance.access.service import ensure_organisation
from gouvernance.clock import FrozenClock
from gouvernance.composition import register_plugins
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.demo.stakeholders_demo import seed_demo_stakeholders
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.service import Frequency, IndicatorData, add_indicator, add_objective
from gouvernance.publication.record import portfolio_open_data
from gouvernance.publication.service import set_public
from gouvernance.spec.catalog import Catalog, shipped_directory

LEAD = ActorRef.of("bench.lead", "chef_de_projet")
CONSULTANT = ActorRef.of("bench.consultant", "consultant")
MONTHS = [date(2025 + (m // 12), m % 12 + 1, 15) for m in range(24)]


def seed(db: Database, clock: FrozenClock, organisation: str, count: int) -> None:
    model = Catalog([shipped_directory()]).get("gouvernance-partagee")
    with db.transaction() as session:
        ensure_organisation(
            session, organisation, name="Communauté d'agglomération du banc d'essai", clock=clock
        )
    for n in range(count):
        with db.transaction() as session:
            engagement_id = launch(
                session,
                LaunchRequest(
                    model,
                    Territory(f"Commune {n:03d}", "commune", None),
                    date(2025, 1, 6),
                    organisation_id=organisation,
                ),
                actor=CONSULTANT,
                clock=clock,
            ).engagement_id
            seed_demo_stakeholders(session, engagement_id, actor=LEAD, clock=clock)
            for d in range(5):
                record_decision(
                    session,
                    engagement_id=engagement_id,
                    data=DecisionData(
                        number=f"2025-{d + 1:03d}", title=f"Délibération n° {d + 1} sur la participation",
                        decided_on=date(2025, 2 + d, 10), body=DecidingBody.CONSEIL_MUNICIPAL,
                        text="Le conseil municipal approuve la démarche. " * 8, legal_basis="CGCT L2121-29",
                        votes_for=21, votes_against=3, abstentions=1, public=d != 4,
                    ),
                    actor=LEAD,
                    clock=clock,
                )  # fmt: skip
            add_objective(
                session, engagement_id=engagement_id, key="participation", title="Participation", actor=LEAD,
                clock=clock,
            )  # fmt: skip
            for i in range(4):
                add_indicator(
                    session, engagement_id=engagement_id, objective_key="participation",
                    data=IndicatorData(
                        key=f"indicateur-{i}", label=f"Indicateur {i}", unit="%", baseline=10,
                        baseline_on=date(2025, 1, 1), target=40, deadline=date(2027, 12, 31),
                        direction=Direction.UP, frequency=Frequency.MENSUELLE, source="Enquête",
                        public=i != 3,
                    ),
                    actor=LEAD, clock=clock,
                )  # fmt: skip
            record_measurements(
                session,
                engagement_id=engagement_id,
                measurements=[
                    MeasurementData(f"indicateur-{i}", day, 10 + m * (i + 1) / 2, "Enquête")
                    for i in range(4)
                    for m, day in enumerate(MONTHS)
                ],
                actor=LEAD,
                clock=clock,
            )
            set_public(session, engagement_id=engagement_id, public=True, actor=LEAD, clock=clock)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engagements", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    register_plugins()
    clock = FrozenClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as directory:
        db = Database(args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(db)
        organisation = f"bench-{int(time.time())}"
        started = time.perf_counter()
        seed(db, clock, organisation, args.engagements)
        print(f"seeded {args.engagements} public engagements in {time.perf_counter() - started:.1f} s")
        walls, cpus = [], []
        content = b""
        for _ in range(args.rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            with db.reading() as session:
                content = portfolio_open_data(session, organisation, now=clock.now(), as_of=date(2027, 1, 4))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        db.dispose()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = archive.infolist()
        rows = {
            info.filename.removeprefix("csv/").removesuffix(".csv"): archive.read(info).count(b"\r\n") - 1
            for info in infos
            if info.filename.endswith(".csv")
        }
    unpacked = sum(info.file_size for info in infos)
    print(
        f"portfolio export, {args.engagements} engagements: median {statistics.median(walls):.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU over {args.rounds} rounds "
        f"({', '.join(f'{w:.2f}' for w in walls)})"
    )
    print(
        f"ZIP {len(content) / 1024 / 1024:.2f} MiB, {unpacked / 1024 / 1024:.2f} MiB unpacked, "
        f"{len(infos)} files"
    )
    print("rows: " + ", ".join(f"{name} {count}" for name, count in rows.items()))


if __name__ == "__main__":
    main()
