"""Benchmark of the stakeholder analysis on seeded synthetic maps.

    .venv/bin/python bench/stakeholders_bench.py          # 10k stakeholders / 50k relations, then 100k / 500k
    .venv/bin/python bench/stakeholders_bench.py --small  # 10k / 50k only
    .venv/bin/python bench/stakeholders_bench.py --size 2000:10000
    .venv/bin/python bench/stakeholders_bench.py --export 2000:10000  # one GraphML export from SQLite

Each size runs in a fresh process, so that its peak resident memory (getrusage) is its own. Targets: 10k / 50k
analysed in under 5 s; 100k / 500k in under 60 s and 2 GB. "Total" is build_graph + analyse; generating the
input records is reported apart (the application reads them from its database).

The synthetic territory: stakeholders grouped in neighbourhoods of about 200 (85 % of relations stay inside
one), categories in realistic proportions (mostly residents), 8 % of relations are conflicts.

``--export`` stores such a map in a scratch SQLite database (stakeholders through the import service,
relations written in bulk) and times ``reports.export`` to GraphML as the API and the CLI call it, counting
the SELECT statements it sends.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, insert, select

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.spec.validation import build_model
from gouvernance.stakeholders import importing, reports
from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.analysis.overview import analyse
from gouvernance.stakeholders.csv_import import ImportedRow, StakeholderImport
from gouvernance.stakeholders.records import ConsultationData, RelationData, StageRequirement, StakeholderData
from gouvernance.stakeholders.tables import StakeholderRelationRow, StakeholderRow
from gouvernance.stakeholders.vocabulary import (
    Attitude,
    Category,
    ConsultationFormat,
    Quadrant,
    RelationType,
    SalienceAttribute,
    StakeholderKind,
)

SIZES = {"small": (10_000, 50_000), "large": (100_000, 500_000)}
SEED = 42
NEIGHBOURHOOD = 200
STAGES = (
    "etat_des_lieux",
    "securisation_juridique",
    "formalisation",
    "gestation_communication",
    "outils_collaboratifs",
    "formation",
    "mediation",
    "animation_reseaux",
    "evaluation",
)
CATEGORY_WEIGHTS = {
    Category.habitant_usager: 60,
    Category.association: 15,
    Category.entreprise: 8,
    Category.agent_territorial: 7,
    Category.elu: 3,
    Category.partenaire_institutionnel: 3,
    Category.organisation_syndicale: 2,
    Category.autre: 2,
}
RELATION_WEIGHTS = {
    RelationType.membre_de: 30,
    RelationType.partenaire: 20,
    RelationType.influence: 20,
    RelationType.finance: 8,
    RelationType.represente: 6,
    RelationType.conflit: 8,
}


def synthetic_map(
    stakeholder_count: int, relation_count: int, seed: int = SEED
) -> tuple[list[StakeholderData], list[RelationData], list[ConsultationData]]:
    rng = random.Random(seed)
    categories = rng.choices(
        list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()), k=stakeholder_count
    )
    attributes = list(SalienceAttribute)
    stakeholders = [
        StakeholderData(
            id=f"pp{index:06d}",
            name=f"Partie prenante {index}",
            kind=StakeholderKind.personne
            if category in (Category.habitant_usager, Category.elu)
            else StakeholderKind.organisation,
            category=category,
            power=min(5, 1 + int(rng.expovariate(0.9))),
            interest=rng.randint(1, 5),
            attitude=rng.choice(list(Attitude)),
            salience=frozenset(attribute for attribute in attributes if rng.random() < 0.3),
        )
        for index, category in enumerate(categories)
    ]
    types = rng.choices(list(RELATION_WEIGHTS), weights=list(RELATION_WEIGHTS.values()), k=relation_count * 2)
    relations: dict[tuple[str, str, RelationType], RelationData] = {}
    start = date(2020, 1, 1)
    while len(relations) < relation_count:
        source = rng.randrange(stakeholder_count)
        if rng.random() < 0.85:
            base = source - source % NEIGHBOURHOOD
            target = min(stakeholder_count - 1, base + rng.randrange(NEIGHBOURHOOD))
        else:
            target = rng.randrange(stakeholder_count)
        if source == target:
            continue
        relation = RelationData(
            f"pp{source:06d}",
            f"pp{target:06d}",
            types[len(relations)],
            round(rng.uniform(0.5, 5.0), 2),
            start + timedelta(days=rng.randrange(2000)) if rng.random() < 0.3 else None,
        )
        relations.setdefault(relation.identity, relation)
    consultations = [
        ConsultationData(
            id=f"c{index}",
            date=start + timedelta(days=rng.randrange(2000)),
            format=rng.choice(list(ConsultationFormat)),
            stakeholder_ids=frozenset(f"pp{rng.randrange(stakeholder_count):06d}" for _ in range(30)),
            stage_key=rng.choice(STAGES),
        )
        for index in range(max(10, stakeholder_count // 10))
    ]
    return stakeholders, list(relations.values()), consultations


REQUIREMENTS = [
    StageRequirement(stage, frozenset(Category), frozenset({Quadrant.gerer_etroitement})) for stage in STAGES
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_one(stakeholder_count: int, relation_count: int) -> dict[str, object]:
    started = time.perf_counter()
    stakeholders, relations, consultations = synthetic_map(stakeholder_count, relation_count)
    generated = time.perf_counter() - started
    rss_after_generation = peak_rss_mb()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    graph = build_graph(stakeholders, relations)
    timings["build_graph"] = time.perf_counter() - started
    analysis = analyse(graph, consultations, REQUIREMENTS, timings=timings)
    total = sum(timings.values())
    started = time.perf_counter()
    size = len(json.dumps(analysis.as_dict()))
    serialised = time.perf_counter() - started
    return {
        "stakeholders": stakeholder_count,
        "relations": relation_count,
        "generation_s": round(generated, 2),
        "timings_s": {name: round(seconds, 3) for name, seconds in timings.items()},
        "total_s": round(total, 2),
        "as_dict_json_s": round(serialised, 2),
        "json_mb": round(size / 1e6, 1),
        "betweenness": analysis.method["betweenness"],
        "communities": len(analysis.communities),
        "conflicts": len(analysis.conflicts),
        "rss_after_generation_mb": round(rss_after_generation),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def report(result: dict[str, object]) -> None:
    print(f"\n== {result['stakeholders']:,} stakeholders / {result['relations']:,} relations")
    print(f"   generating the records: {result['generation_s']} s (not counted)")
    timings = result["timings_s"]
    assert isinstance(timings, dict)
    for name, seconds in timings.items():
        print(f"   {name:<22}{seconds:>9.3f} s")
    print(f"   {'TOTAL':<22}{result['total_s']:>9.2f} s")
    print(f"   as_dict + json.dumps  {result['as_dict_json_s']:>9.2f} s ({result['json_mb']} MB)")
    print(f"   betweenness: {result['betweenness']}")
    print(f"   communities: {result['communities']}, conflicts: {result['conflicts']}")
    print(f"   peak RSS: {result['peak_rss_mb']} MB", end=" ")
    print(f"(after generating the records: {result['rss_after_generation_mb']} MB)")


CHEF = ActorRef.of("bench", "consultant", "chef_de_projet")
EXPORT_MODEL = {
    "key": "bench-parties",
    "version": 1,
    "title": "Banc d'essai",
    "roles": [{"key": "consultant", "title": "Consultant"}, {"key": "chef_de_projet", "title": "Chef"}],
    "stages": [
        {
            "key": "s0",
            "title": "Phase",
            "steps": [{"key": "t0", "title": "Étape", "role": "consultant", "duration": "5 jours"}],
        }
    ],
}


def stored_map(stakeholder_count: int, relation_count: int) -> tuple[Database, str]:
    """A scratch SQLite database holding one engagement with a synthetic register."""
    stakeholders, relations, _ = synthetic_map(stakeholder_count, relation_count)
    db = Database(f"sqlite:///{tempfile.mkdtemp(prefix='gouvernance-bench-')}/bench.db")
    upgrade(db)
    clock = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    model = build_model(EXPORT_MODEL, "bench")
    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(model, Territory("Banc", "commune"), date(2026, 1, 5)),
            actor=CHEF,
            clock=clock,
        ).engagement_id
        rows = tuple(ImportedRow(line, stakeholder) for line, stakeholder in enumerate(stakeholders, 2))
        importing.import_rows(
            session,
            engagement_id=engagement_id,
            parsed=StakeholderImport(rows, ";", "utf-8"),
            actor=CHEF,
            clock=clock,
        )
        ids = {key: row_id for key, row_id in session.execute(select(StakeholderRow.key, StakeholderRow.id))}
        # Seeding only: one executemany instead of 10,000 add_relation calls, each with its checks.
        session.execute(
            insert(StakeholderRelationRow),
            [
                {
                    "engagement_id": engagement_id,
                    "source_id": ends[0],
                    "target_id": ends[1],
                    "type": r.type.value,
                    "weight": r.weight,
                    "start_date": r.start,
                    "created_at": clock.now(),
                }
                for r in relations
                for ends in [_stored_ends(r.type, ids[r.source], ids[r.target])]
            ],
        )
    return db, engagement_id


def _stored_ends(kind: RelationType, source: int, target: int) -> tuple[int, int]:
    """As the relations service stores them: a symmetric relation from its lower row id."""
    return (source, target) if kind.directed else (min(source, target), max(source, target))


def run_export(stakeholder_count: int, relation_count: int, rounds: int = 5) -> None:
    db, engagement_id = stored_map(stakeholder_count, relation_count)
    clock = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    selects: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    seconds, cpu_seconds = [], []
    for _ in range(rounds):
        selects.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        with db.transaction() as session:
            exported = reports.export(
                session, engagement_id=engagement_id, fmt="graphml", actor=CHEF, clock=clock
            )
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    event.remove(db.engine, "before_cursor_execute", count)
    register_reads = sum("FROM stakeholders" in statement for statement in selects)
    print(f"\n== GraphML export, {stakeholder_count:,} stakeholders / {relation_count:,} relations (SQLite)")
    # CPU time as well as wall time: on a shared machine, the wall time depends on the neighbours.
    print(
        f"   median of {rounds}: {statistics.median(seconds):.2f} s wall, "
        f"{statistics.median(cpu_seconds):.2f} s CPU; {len(exported.content) / 1e6:.1f} MB"
    )
    print(f"   SELECT statements: {len(selects)}, of which on the stakeholders table: {register_reads}")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="only 10k stakeholders / 50k relations")
    parser.add_argument("--size", help="STAKEHOLDERS:RELATIONS, run in this process")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (with --size)")
    parser.add_argument("--export", help="STAKEHOLDERS:RELATIONS, time one GraphML export from SQLite")
    arguments = parser.parse_args()
    if arguments.export:
        run_export(*(int(part) for part in arguments.export.split(":")))
        return
    if arguments.size:
        stakeholders, relations = (int(part) for part in arguments.size.split(":"))
        result = run_one(stakeholders, relations)
        print(json.dumps(result)) if arguments.json else report(result)
        return
    sizes = [SIZES["small"]] if arguments.small else list(SIZES.values())
    for stakeholders, relations in sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--size", f"{stakeholders}:{relations}", "--json"],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        report(json.loads(output.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
